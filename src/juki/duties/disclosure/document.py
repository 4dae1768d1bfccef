"""The disclosure answer as PDF (本人確認情報開示決定通知 with its attachment), drawn with
reportlab's built-in CID font (no font file), dates in 和暦. `Sheet` is the page layout,
shared with the register's own 開示 (registry/disclosure/service.py)."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen.canvas import Canvas

from juki.core.clock import in_japan
from juki.core.wareki import wareki

FONT = "HeiseiMin-W3"
pdfmetrics.registerFont(UnicodeCIDFont(FONT))
SEX = {"1": "男", "2": "女"}


@dataclass
class DisclosedRow:
    current: bool
    name_kanji: str
    name_kana: str
    birth_date: dt.date
    sex: str
    address: str
    individual_number: str  # the person's own number: among the disclosed items (002 §7.1)
    reason_label: str
    change_date: dt.date


@dataclass
class DisclosedProvision:
    at: dt.datetime
    body: str
    legal_basis: str
    items: str


@dataclass
class DisclosureAnswer:
    disclosure_no: str
    issued_on: dt.date
    holder: str  # e.g. 東京都知事 / 地方公共団体情報システム機構
    requester_name: str
    resident_code: str
    rows: list[DisclosedRow] = field(default_factory=list)
    provisions: list[DisclosedProvision] = field(default_factory=list)


class Sheet:
    """A4 pages of text lines top to bottom in the CID font, a new page when one is full:
    the layout every 開示 answer shares (the tiers' here, the register's in
    `registry/disclosure/service.py`)."""

    def __init__(self, title: str, number_label: str, issued_on: dt.date):
        self.buffer = io.BytesIO()
        self.canvas = Canvas(self.buffer, pagesize=A4)
        self.canvas.setTitle(title)
        self.width, self.height = A4
        self.y = self.height - 25 * mm
        self.canvas.setFont(FONT, 9)
        self.canvas.drawRightString(self.width - 20 * mm, self.y, number_label)
        self.y -= 12
        self.canvas.drawRightString(self.width - 20 * mm, self.y, wareki(issued_on))
        self.y -= 20

    def line(self, text: str, size: float = 10, indent: float = 0) -> None:
        if self.y < 20 * mm:
            self.canvas.showPage()
            self.y = self.height - 20 * mm
        self.canvas.setFont(FONT, size)
        self.canvas.drawString(20 * mm + indent, self.y, text)
        self.y -= size * 1.7

    def gap(self, points: float = 6) -> None:
        self.y -= points

    def finish(self) -> bytes:
        self.canvas.showPage()
        self.canvas.save()
        return self.buffer.getvalue()


def render(answer: DisclosureAnswer) -> bytes:
    title = "本人確認情報開示決定通知書"
    sheet = Sheet(title, f"開示番号 {answer.disclosure_no}", answer.issued_on)
    line = sheet.line
    line(title, 15)
    line(f"{answer.requester_name} 様", 11)
    line(f"{answer.holder}", 10)
    line("住民基本台帳法に基づき、あなたの本人確認情報を次のとおり開示します。", 10)
    line(f"住民票コード　{answer.resident_code}", 10)
    sheet.gap()
    if not answer.rows:
        line("該当する本人確認情報の記録はありません。", 12)
    for row in answer.rows:
        label = "現在の本人確認情報" if row.current else "履歴（修正前の本人確認情報）"
        line(f"■ {label}（{row.reason_label}　{wareki(row.change_date)}）", 10)
        line(f"氏名　{row.name_kanji}（{row.name_kana}）", 10, 6 * mm)
        line(f"生年月日　{wareki(row.birth_date)}　性別　{SEX.get(row.sex, row.sex)}", 10, 6 * mm)
        line(f"住所　{row.address}", 10, 6 * mm)
        line(f"個人番号　{row.individual_number}", 10, 6 * mm)
    sheet.gap()
    line("■ 本人確認情報の提供の状況", 10)
    if not answer.provisions:
        line("提供の記録はありません。", 10, 6 * mm)
    for provision in answer.provisions:
        when = in_japan(provision.at).date()
        line(f"{wareki(when)}　{provision.body}　{provision.legal_basis}", 9, 6 * mm)
        line(f"提供項目: {provision.items}", 8, 12 * mm)
    sheet.gap()
    line("内容に誤りがある場合は、訂正を請求できます（住所地の市町村で確認の上、訂正します）。", 9)
    return sheet.finish()
