"""Certificates as PDF: 住民票の写し, 除票の写し, 住民票記載事項証明書 (住基法 第12条, 第15条の4).

Drawn with reportlab's built-in CID font HeiseiMin-W3 (no font file to ship). Each page
carries the 発行番号, the date in 和暦, the certifying mayor's name and the 公印 area.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from dataclasses import dataclass, field

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen.canvas import Canvas

from juki.core.wareki import wareki

FONT = "HeiseiMin-W3"
pdfmetrics.registerFont(UnicodeCIDFont(FONT))

TITLES = {
    "copy": "住民票（写し）",
    "removed_copy": "除票（写し）",
    "entries": "住民票記載事項証明書",
    "wide_area": "住民票（写し）（広域交付）",
    "move_out": "転出証明書",
}
CERTIFY = {
    "copy": "この写しは、住民票の原本と相違ないことを証明する。",
    "removed_copy": "この写しは、除票の原本と相違ないことを証明する。",
    "entries": "上記の事項は、住民票に記載されていることを証明する。",
    "move_out": "上記の者は、転出予定地へ転出する旨の届出をしたことを証明する。",
    "wide_area": (
        "この写しは、住所地市町村長から通知を受けた住民票の記載事項と相違ないことを証明する。"
    ),
}
SEX = {"1": "男", "2": "女"}


@dataclass
class PersonEntry:
    """One person's lines on the certificate, already chosen by what may be shown."""

    name_kanji: str
    name_kana: str
    birth_date: dt.date
    sex: str
    lines: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class Certificate:
    kind: str
    issue_no: str
    issued_on: dt.date
    mayor: str  # e.g. 東京都墨田区長
    address: str
    head_name: str
    people: list[PersonEntry]


def render(certificate: Certificate) -> bytes:
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, invariant=True)
    canvas.setTitle(TITLES[certificate.kind])
    width, height = A4
    page = _Page(canvas, certificate, width, height)
    page.start()
    for person in certificate.people:
        page.ensure(32 * mm + 6 * mm * len(person.lines))
        page.person(person)
    page.finish()
    canvas.save()
    return buffer.getvalue()


class _Page:
    """Lays out people top to bottom, starting a new page (with the header) as needed."""

    def __init__(self, canvas: Canvas, cert: Certificate, width: float, height: float):
        self.canvas, self.cert, self.width, self.height = canvas, cert, width, height
        self.y = 0.0
        self.number = 0

    def text(self, x: float, text: str, size: float = 10.5) -> None:
        self.canvas.setFont(FONT, size)
        self.canvas.drawString(x, self.y, text)

    def line(self, gap: float = 6 * mm) -> None:
        self.y -= gap

    def start(self) -> None:
        self.number += 1
        self.y = self.height - 25 * mm
        self.text(20 * mm, TITLES[self.cert.kind], 18)
        self.canvas.setFont(FONT, 9)
        self.canvas.drawRightString(
            self.width - 20 * mm, self.y, f"発行番号 {self.cert.issue_no}　{self.number}頁"
        )
        self.line(12 * mm)
        self.text(20 * mm, f"住所　{self.cert.address}")
        self.line()
        self.text(20 * mm, f"世帯主　{self.cert.head_name}")
        self.line(4 * mm)
        self.canvas.line(20 * mm, self.y, self.width - 20 * mm, self.y)
        self.line(8 * mm)

    def ensure(self, room: float) -> None:
        if self.y - room < 60 * mm:
            self.canvas.showPage()
            self.start()

    def person(self, person: PersonEntry) -> None:
        self.text(20 * mm, f"氏名　{person.name_kanji}", 12)
        self.text(110 * mm, f"（{person.name_kana}）", 9)
        self.line()
        self.text(
            25 * mm,
            f"生年月日　{wareki(person.birth_date)}　　性別　{SEX.get(person.sex, person.sex)}",
        )
        self.line()
        for label, value in person.lines:
            self.text(25 * mm, f"{label}　{value}")
            self.line()
        self.line(2 * mm)
        self.canvas.setDash(1, 2)
        self.canvas.line(20 * mm, self.y + 3 * mm, self.width - 20 * mm, self.y + 3 * mm)
        self.canvas.setDash()
        self.line(4 * mm)

    def finish(self) -> None:
        self.y = 50 * mm
        self.text(20 * mm, CERTIFY[self.cert.kind])
        self.line(8 * mm)
        self.text(20 * mm, wareki(self.cert.issued_on))
        self.line(10 * mm)
        self.text(90 * mm, self.cert.mayor, 13)
        _seal_area(self.canvas, self.width - 45 * mm, self.y - 6 * mm)


def _seal_area(canvas: Canvas, x: float, y: float) -> None:
    """公印 area: the printed seal goes here (電子公印 or a stamp at the counter)."""
    size = 22 * mm
    canvas.rect(x, y, size, size)
    canvas.setFont(FONT, 9)
    canvas.drawCentredString(x + size / 2, y + size / 2 - 3, "公印")


Renderer = Callable[[Certificate], bytes]
