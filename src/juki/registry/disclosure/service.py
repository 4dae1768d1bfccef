"""開示 at the register (001a §5.9 DISC-2; 墨田区個人情報保護条例 第17条, now 個人情報の保護
に関する法律 第76条): a person's request to see what the register holds about them — the
items of their 住民票 (or 除票), the history of its changes, and the provisions of their
record to the ward's other sections (庁内連携, `linkage_log`) — answered with a PDF, or
with "no record".

The request is entered in the inquiry register (ledger kind `inquiry`, 001a DISC-6) and
closed with the answer, the PDF goes to the output log, and the API guard writes the
access to the audit log. The 個人番号 is printed in full only when the request asks for
it and the counter's identity check found the person themself (本人); otherwise it is
masked. An agent (代理人, DISC-3) needs a checked power of attorney, and gets nothing for
a person under 支援措置 (as certificates: the agent may be the one the measure is about).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from reportlab.lib.units import mm
from sqlalchemy import select

from juki.core.audit import outputs
from juki.core.clock import in_japan, japan_today
from juki.core.errors import Refused
from juki.core.identity import NUMBER_COLUMN
from juki.core.ids import mask_individual_number, validate_resident_code
from juki.core.messaging.node import UnitOfWork
from juki.core.places import municipality
from juki.core.wareki import wareki
from juki.duties.disclosure.document import SEX, Sheet
from juki.duties.ledgers import service as ledgers
from juki.duties.operators.clients import Caller
from juki.registry.disclosure.schemas import DisclosureRequest
from juki.registry.households import service as households
from juki.registry.linkage import service as linkage
from juki.registry.linkage.models import LinkageRecord
from juki.registry.residents.items import REGISTER_ITEMS, RegisterItem, reason_label
from juki.registry.residents.models import Resident, ResidentHistory
from juki.registry.residents.pool import lg_code
from juki.registry.support.service import active_measures

FORM = "保有個人情報開示決定通知書（住民基本台帳）"
# Kept with each version but not what the person changed: they head each history entry.
BOOKKEEPING = frozenset(
    {"change_reason", "change_date", "notified_on", "serial_no", "individual_number_index"}
)
REASON_ITEMS = frozenset(
    {"change_reason", "settled_reason", "settled_notice_reason", "removal_reason",
     "foreign_settled_reason", "foreign_settled_notice_reason"}
)  # fmt: skip
REMOVAL_KINDS = {"move_out": "転出", "death": "死亡"}
ITEM_LABELS = {item.name: item.label for item in REGISTER_ITEMS}


@dataclass(frozen=True)
class Disclosed:
    disclosure_no: str  # also on the PDF and in the inquiry register
    entry_id: int  # the inquiry register's entry
    pdf: bytes
    pdf_sha256: str
    found: bool
    full_number: bool  # the 個人番号 printed in full
    number_touched: bool  # a 個人番号 was read to answer
    targets: tuple[str, ...]  # for the audit log: keys only


def disclose(uow: UnitOfWork, caller: Caller, request: DisclosureRequest) -> Disclosed:
    person = _person(uow, request)
    if person is not None:
        _check_requester(uow, request, person)
    full = request.include_individual_number and request.requester == "本人"
    entry = ledgers.add(
        uow.session, "inquiry",
        {"received_via": request.received_via, "requester": request.requester,
         "summary": "自己の住民票の記載事項・異動の履歴・提供の記録の開示請求"
         + ("（個人番号の表示を求める）" if request.include_individual_number else "")},
        actor=caller.audit_name, terminal=caller.terminal, subject="開示請求（住民基本台帳）",
    )  # fmt: skip
    disclosure_no = f"{uow.node.node_id.replace(':', '-')}-K{entry.id:06d}"
    sheet = _answer(uow, request, person, disclosure_no, full)
    pdf = sheet.finish()
    found = person is not None
    ledgers.close(
        uow.session, entry.id,
        {"response": f"開示決定通知書（PDF）を交付（開示番号 {disclosure_no}、"
         + ("記録あり" if found else "記録なし")
         + ("、個人番号は全桁" if full else "、個人番号は伏せて表示") + "）"},
        actor=caller.audit_name, terminal=caller.terminal,
    )  # fmt: skip
    asked = request.addressee_id or (person.id if person else None)
    key = f"addressee={asked}" if asked else f"code={request.resident_code}"
    targets = (key, f"ledger={entry.id}")
    # The PDF itself is not kept (it may carry the 個人番号); its digest is, with the output.
    digest = hashlib.sha256(pdf).hexdigest()
    outputs.record_output(
        uow.session, operator=caller.audit_name, terminal=caller.terminal, form=FORM,
        targets=targets, purpose=f"開示請求（SHA-256 {digest}）",  # 78 of the 100 it has
        number_touched=full,
    )  # fmt: skip
    return Disclosed(
        disclosure_no=disclosure_no, entry_id=entry.id, pdf=pdf, pdf_sha256=digest,
        found=found, full_number=full, number_touched=sheet.numbers_read > 0, targets=targets,
    )  # fmt: skip


def _person(uow: UnitOfWork, request: DisclosureRequest) -> Resident | None:
    if request.addressee_id is not None:
        return uow.session.get(Resident, request.addressee_id)
    code = validate_resident_code(request.resident_code or "", field="resident_code")
    return uow.session.scalars(select(Resident).where(Resident.resident_code == code)).first()


def _check_requester(uow: UnitOfWork, request: DisclosureRequest, person: Resident) -> None:
    """The person themself: the name on the request is one the record has carried (so a
    wrong 宛名番号 does not disclose someone else's record). An agent: not for a person
    under 支援措置."""
    if request.requester == "代理人":
        if active_measures(uow, [person.id], japan_today()):
            raise Refused(
                "支援措置の対象者の記録は代理人には開示できません（本人の来庁が必要です）",
                field="requester", code="support_measure",
            )  # fmt: skip
        return
    names = {_bare(person.name_kanji)} | {
        _bare(name)
        for row in _history(uow, person.id)
        for name in (row.name_kanji, row.alias, row.foreign_true_name, row.combined_name)
        if name
    }
    if _bare(request.requester_name) not in names:
        raise Refused(
            "請求者の氏名が記録の氏名と一致しません（本人確認をやり直してください）",
            field="requester_name", code="not_the_person",
        )  # fmt: skip


def _bare(name: str) -> str:
    return "".join(unicodedata.normalize("NFKC", name).split())


def _history(uow: UnitOfWork, resident_id: int) -> list[ResidentHistory]:
    return list(
        uow.session.scalars(
            select(ResidentHistory)
            .where(ResidentHistory.resident_id == resident_id)
            .order_by(ResidentHistory.version)
        )
    )


class _Answer(Sheet):
    """The notice's lines; counts the 個人番号 it had to decrypt (for the audit log)."""

    def __init__(self, uow: UnitOfWork, disclosure_no: str, full: bool):
        super().__init__(FORM, f"開示番号 {disclosure_no}", japan_today())
        self.uow, self.full, self.numbers_read = uow, full, 0

    def number(self, cipher: bytes | None) -> str:
        if cipher is None:
            return ""
        self.numbers_read += 1
        clear = self.uow.node.keys.decrypt(cipher, column=NUMBER_COLUMN)
        return clear if self.full else mask_individual_number(clear)


def _answer(
    uow: UnitOfWork,
    request: DisclosureRequest,
    person: Resident | None,
    disclosure_no: str,
    full: bool,
) -> _Answer:
    place = municipality(lg_code(uow))
    sheet = _Answer(uow, disclosure_no, full)
    sheet.line("保有個人情報開示決定通知書", 15)
    sheet.line(f"{request.requester_name} 様（{request.requester}）", 11)
    sheet.line(f"{place.prefecture}{place.name}長", 10)
    sheet.line("あなたから請求のあった住民基本台帳の記録を、次のとおり開示します。", 10)
    sheet.gap()
    if person is None:
        sheet.line("該当する住民基本台帳の記録はありません。", 12)
    else:
        _record(sheet, person)
        _changes(sheet, person)
        _provisions(sheet, person)
    sheet.gap()
    if person is not None and not full:
        sheet.line("個人番号は、本人からの請求で表示を求めた場合に限り全桁を表示します。", 8)
    sheet.line(
        "住基ネットでの本人確認情報の提供の状況は、都道府県知事又は地方公共団体情報システム機構に"
        "開示を請求できます。", 8,
    )  # fmt: skip
    sheet.line("内容に誤りがある場合は、訂正を請求できます。", 8)
    return sheet


def _record(sheet: _Answer, person: Resident) -> None:
    title = "住民票の記載事項" if person.status != "removed" else "除票の記載事項"
    sheet.line(f"■ {title}（宛名番号 {person.id}、履歴番号 {person.version}）", 10)
    for label, value in _items(sheet, person, REGISTER_ITEMS):
        sheet.line(f"{label}　{value}", 9, 6 * mm)


def _items(
    sheet: _Answer, row: Resident | ResidentHistory, items: tuple[RegisterItem, ...]
) -> Iterator[tuple[str, str]]:
    for item in items:
        if item.name in ("head_name_kana", "head_name_kanji"):
            head = households.head_of(sheet.uow, row.household_id)
            value: Any = getattr(head, item.name.removeprefix("head_"), None) if head else None
        elif item.source == "municipality":
            value = lg_code(sheet.uow)
        elif item.source == "key":
            value = row.id if isinstance(row, Resident) else row.resident_id
        elif item.name == "individual_number_cipher":
            value = sheet.number(row.individual_number_cipher)
        else:
            value = getattr(row, item.name)
        shown = _shown(item.name, value)
        if shown:
            yield item.label, shown


def _shown(name: str, value: Any) -> str:
    if value is None or value == "" or value is False or value == "[]":
        return ""
    if isinstance(value, dt.date):
        return wareki(value)
    if value is True:
        return "あり"
    if name == "sex":
        return SEX.get(value, value)
    if name in REASON_ITEMS:
        return reason_label(value)
    if name == "removal_kind":
        return REMOVAL_KINDS.get(value, value)
    return str(value)


# The items a history entry compares: what the person's record said, not who changed it.
_COMPARED = tuple(
    item for item in REGISTER_ITEMS
    if item.source == "column" and item.name not in BOOKKEEPING
)  # fmt: skip


def _changes(sheet: _Answer, person: Resident) -> None:
    """Each version kept (履歴番号): why and when, and the items it changed."""
    sheet.gap()
    sheet.line("■ 異動の履歴", 10)
    before: dict[str, str] = {}
    for row in _history(sheet.uow, person.id):
        when = in_japan(row.recorded_at).date()
        sheet.line(
            f"履歴番号 {row.version}　{reason_label(row.change_reason)}"
            f"　異動日 {wareki(row.change_date)}　届出日 {wareki(row.notified_on)}"
            f"　処理日 {wareki(when)}"
            + (f"（履歴番号 {row.cancels_version} の取消し）" if row.cancels_version else ""),
            9, 6 * mm,
        )  # fmt: skip
        now = dict(_items(sheet, row, _COMPARED))
        changed = [(label, value) for label, value in now.items() if before.get(label) != value]
        for label in before.keys() - now.keys():
            changed.append((label, "（削除）"))
        first = not before
        for label, value in changed if not first else _first(now):
            sheet.line(f"{label}　{value}", 8, 12 * mm)
        before = now


def _first(items: dict[str, str]) -> list[tuple[str, str]]:
    """The first version: who and where, not every item again (the record above has them)."""
    wanted = ("漢字氏名", "カナ氏名", "生年月日", "現住所", "住民票コード")
    return [(label, items[label]) for label in wanted if label in items]


def _provisions(sheet: _Answer, person: Resident) -> None:
    """庁内連携の記録 (001a XFER-1-4) naming this person: who received which items, when,
    under which approval."""
    sheet.gap()
    sheet.line("■ 提供・移転の記録（庁内連携）", 10)
    sections = {a.approval_no: a for a in linkage.approvals()}
    rows = sheet.uow.session.scalars(
        select(LinkageRecord)
        .where(LinkageRecord.refused_reason.is_(None))
        .where(LinkageRecord.persons.contains(str(person.id)))
        .order_by(LinkageRecord.at)
    )
    shown = 0
    for row in rows:
        if person.id not in json.loads(row.persons):
            continue
        approval = sections.get(row.approval_no)
        kind = {"transfer": "移転", "provision": "提供"}.get(row.kind or "", "")
        items = "・".join(ITEM_LABELS.get(i, i) for i in row.items.split(";") if i)
        when = wareki(in_japan(row.at).date())
        section = approval.section_name if approval else row.section_code
        sheet.line(f"{when}　{section}（{kind}）　{row.legal_basis or ''}", 9, 6 * mm)
        sheet.line(f"項目: {items}", 8, 12 * mm)
        shown += 1
    if not shown:
        sheet.line("提供・移転の記録はありません。", 9, 6 * mm)
