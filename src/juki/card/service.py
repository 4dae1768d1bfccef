"""Rules of the card management system for what reaches it over 住基ネット (000 §2.4):

- 送付先情報 from a 市町村CS (000 §3.3 1-①, C15): registered in File 3 only if it arrived
  whole (the registry's digest matches), in the prescribed format (000 F3-ACQ-02: every
  項目長 right, nothing extra), and from the CS of the municipality it names; each record
  is answered by a receipt naming only its 送付先管理番号 and digest (001a §3.7 7-②);
- a 交付申請書 reissued at the municipality's counter (000 P3.4, F3-ACQ-06) arrives the same
  way, as 送付先情報 with 印刷区分 2 (交付申請書のみ): it replaces the person's invalid form
  with a new 申請書ID, linked to the old one, and its receipt names the new 申請書ID;
- 住民の異動情報 relayed by the national server (000 P3.4, C27, F3-STO-01): applied to the
  persons File 3 holds, dropped for everyone else. A change of the 4情報 (or of the
  pre-printed 個人番号) invalidates the 申請書ID (F3-ACQ-06); 死亡, 失踪宣告 and 職権消除
  start the period after which the purge job erases the person (F3-STO-03). A 転出 keeps
  the person: the card follows them to the new municipality.

Every receipt, refusal and applied change is in the audit log and the exchange record,
by key only; the 個人番号 never appears in either.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from juki.card import identity, lifecycle, pending
from juki.card.lifecycle import CARD_HELD, OUTSTANDING, CardState
from juki.card.models import CardFileEntry, ExchangeLog
from juki.core.audit import log as audit
from juki.core.crypto import sealed_label
from juki.core.identity import NUMBER_COLUMN
from juki.core.messages import (
    FORM_ONLY,
    CardChange,
    ChangeReason,
    DestinationInfo,
    DestinationNotice,
    DestinationReceipt,
    item_at_fault,
)
from juki.core.messaging.node import UnitOfWork
from juki.core.messaging.paths import code_of
from juki.core.places import municipality

RECORD_COLUMN = sealed_label("card_record")
# The holder has the card (it can be renewed).
HOLDER_HAS = frozenset({CardState.ACTIVE, CardState.SUSPENDED})
NO_DIGEST = "0" * 64
# Removal from the register for good (000 F3-STO-03 "deceased persons"); a 転出 is not one.
ERASING_REASONS = frozenset(
    {ChangeReason.DEATH, ChangeReason.DISAPPEARANCE, ChangeReason.EX_OFFICIO_REMOVAL}
)
# The 4情報 as the form prints them (000 §3.3 1-③), and the 個人番号 printed beside them.
FOUR_ITEMS = ("name_kanji", "name_kana", "address", "birth_date", "sex")
PRINTED_ITEMS = (*FOUR_ITEMS, "individual_number")
CHANGE_ACTOR = "(住基全国サーバの異動情報)"  # who moves a card entry on a relayed change
# The card loses its effect when its holder dies (番号法施行令 第14条; a 失踪宣告 counts
# as a death in law, 民法 第31条): File 3 records it as 廃止 with the cause, and the mayor
# holding the card is told (1-⑪). Not on a 職権消除: a removal made in error is restored
# (職権回復), and an abolished card cannot come back (attack review); the municipality
# reports the card's 廃止 itself when the removal stands.
LAPSE_REASONS = {
    ChangeReason.DEATH: "死亡による失効",
    ChangeReason.DISAPPEARANCE: "失踪宣告による失効",
}
LENGTHS = {"name_kanji": "name_kanji_length", "name_kana": "name_kana_length",
           "address": "address_length"}  # fmt: skip


@dataclass(frozen=True)
class Refusal:
    code: str
    field: str


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


# --- 送付先情報 (000 §3.3 1-①) ----------------------------------------------------------


def register_destinations(
    uow: UnitOfWork, sender: str, raws: list[dict[str, Any]]
) -> list[DestinationReceipt]:
    """Register each intact, correct record; one receipt per record that names a usable
    送付先管理番号 (one that does not is refused in the audit log only). File 3 is read
    once for the batch."""
    checked = [(raw, *_intact(sender, raw)) for raw in raws]
    held = _held_digests(uow.session, [n.info().destination_id for _, n, _ in checked if n])
    fresh: list[DestinationNotice] = []
    receipts = []
    for raw, notice, refusal in checked:
        reissued: CardFileEntry | None = None
        if notice is not None:
            destination_id = notice.info().destination_id
            if held.get(destination_id, notice.digest) != notice.digest:
                notice, refusal = None, Refusal("duplicate", "destination_id")
            elif notice.info().print_category == FORM_ONLY:  # 再発行 (P3.4), one at a time
                reissued, refusal = _reissue(uow, sender, notice, repeat=destination_id in held)
                if reissued is not None:
                    held[destination_id] = notice.digest
            elif destination_id not in held:  # a repeat of one registered changes nothing
                held[destination_id] = notice.digest
                fresh.append(notice)
        receipt = _receipt(sender, raw, refusal, reissued.application_id if reissued else None)
        key = receipt.destination_id if receipt else _destination_id_of(raw)
        result = "registered" if refusal is None else f"refused:{refusal.code}"
        record_exchange(uow, "destination_info", sender, key, result, purpose="送付先情報の受領")
        if receipt is not None:
            receipts.append(receipt)
    _register(uow, fresh)
    return receipts


def _intact(sender: str, raw: dict[str, Any]) -> tuple[DestinationNotice | None, Refusal | None]:
    try:
        notice = DestinationNotice.model_validate(raw)
    except ValidationError as exc:
        return None, Refusal("invalid_notice", item_at_fault(exc))
    if not notice.intact():  # changed on the way (001a XFER-2-8, 001b C-06)
        return None, Refusal("digest_mismatch", "digest")
    try:
        info = notice.info()
    except ValidationError as exc:  # not the prescribed format (000 F3-ACQ-02)
        return None, Refusal("invalid_format", item_at_fault(exc))
    if info.lg_code != code_of(sender):  # a CS sends only its own municipality's
        return None, Refusal("other_municipality", "lg_code")
    return notice, None


def _held_digests(session: Session, destination_ids: list[str]) -> dict[str, str]:
    ids = sorted(set(destination_ids))
    held: dict[str, str] = {}
    for start in range(0, len(ids), 500):
        stmt = select(CardFileEntry.destination_id, CardFileEntry.digest).where(
            CardFileEntry.destination_id.in_(ids[start : start + 500])
        )
        held.update({row.destination_id: row.digest for row in session.execute(stmt)})
    return held


def _register(uow: UnitOfWork, notices: list[DestinationNotice]) -> None:
    """Store the new records, each with its own 申請書ID."""
    application_ids = new_application_ids(uow.session, len(notices))
    made = [_entry(uow, notice, application_id) for notice, application_id in zip(
        notices, application_ids, strict=True)]  # fmt: skip
    uow.session.add_all(made)
    uow.session.flush()
    for entry in made:  # changes that came before the person, in the order they came
        for change in pending.claim(uow, entry):
            result = _apply(uow, entry, change)
            record_exchange(
                uow, "card_change", "national", change.update_id, result, entry.destination_id
            )


def _entry(uow: UnitOfWork, notice: DestinationNotice, application_id: str) -> CardFileEntry:
    info = notice.info()
    return CardFileEntry(
        destination_id=info.destination_id,
        lg_code=info.lg_code,
        source_lg_code=info.lg_code,  # 80 提供元市町村コード
        resident_code=info.resident_code,
        individual_number_index=uow.node.keys.blind_index(
            info.individual_number, column=NUMBER_COLUMN
        ),
        record_cipher=seal_record(uow, notice.record),
        four_items_index=identity.of_record(uow.node.keys, notice.record),
        digest=notice.digest,
        status="registered",
        application_id=application_id,
        received_at=now(),
    )


def new_application_ids(session: Session, count: int) -> list[str]:
    """申請書ID: 23 random digits (000 §6.5), opaque, printed on the form; never reused:
    drawn for the whole batch, and any already taken (or drawn twice) drawn again."""
    chosen: set[str] = set()
    while len(chosen) < count:
        drawn = sorted({f"{secrets.randbelow(10**23):023d}" for _ in range(count - len(chosen))})
        taken: set[str] = set()
        for start in range(0, len(drawn), 500):
            taken.update(
                session.scalars(
                    select(CardFileEntry.application_id).where(
                        CardFileEntry.application_id.in_(drawn[start : start + 500])
                    )
                )
            )
        chosen |= set(drawn) - taken
    return list(chosen)


def _receipt(
    sender: str, raw: dict[str, Any], refusal: Refusal | None, application_id: str | None = None
) -> DestinationReceipt | None:
    digest = raw.get("digest") if isinstance(raw, dict) else None
    fields = {
        "destination_id": _destination_id_of(raw),
        "lg_code": code_of(sender),
        "digest": digest if isinstance(digest, str) else NO_DIGEST,
        "result": "registered" if refusal is None else "refused",
        "application_id": application_id,
    }
    if refusal is not None:
        fields |= {"refused_by": "card", "error_code": refusal.code, "field": refusal.field}
    try:
        return DestinationReceipt.model_validate(fields)
    except ValidationError:
        return None  # nothing to answer by: the refusal stays in the audit log


def _destination_id_of(raw: Any) -> str:
    record = raw.get("record") if isinstance(raw, dict) else None
    found = record.get("destination_id") if isinstance(record, dict) else None
    return str(found)[:36] if found is not None else ""


# --- 交付申請書の再発行 (000 P3.4, F3-ACQ-06) ------------------------------------------------


def _reissue(
    uow: UnitOfWork, sender: str, notice: DestinationNotice, *, repeat: bool
) -> tuple[CardFileEntry | None, Refusal | None]:
    """A form reissued at the counter of the municipality where the change was notified
    (000 P3.4; seed 000 "異動届出先の市町村窓口において交付申請書を再発行する"): 送付先情報
    with 印刷区分 2 (交付申請書のみ), checked by the CS like any other (a current resident,
    the number of the latest code). It replaces the person's invalid form with a new entry:
    a new 申請書ID (never an old one), `reissue_of` naming the old, printed by the usual
    path. Refused, nothing stored, when the person has a valid form (the seed reissues only
    after a change), applied with it already, has a card, or has no invalid form. A form
    whose printed items differ from the current ones is invalid even if the relayed change
    (C27, through the national server) has not arrived yet: it is invalidated here. For a
    card J-LIS announced as expiring (`renewal.py`), the same record becomes its renewal
    form instead (`renewal_of`; `_card_to_renew`)."""
    info = notice.info()
    if repeat:  # the same record again: answered as before, nothing changes
        again = uow.session.scalar(
            select(CardFileEntry).where(CardFileEntry.destination_id == info.destination_id)
        )
        if again is not None:
            return again, None
    stale, old, refusal = _replaceable(uow, notice)
    if refusal is not None:
        return None, refusal
    assert old is not None
    renewing = old.status in HOLDER_HAS  # 更新: `old` is the card the form renews
    for entry in stale:  # F3-ACQ-06: the old form can no longer be used
        lifecycle.move(
            uow.session, entry, CardState.INVALIDATED, at=now(), actor=sender,
            reason="交付申請書の再発行",
        )  # fmt: skip
        record_exchange(
            uow, "reissue", sender, entry.application_id, "invalidated", entry.destination_id
        )
    [application_id] = new_application_ids(uow.session, 1)
    entry = _entry(uow, notice, application_id)
    if renewing:
        entry.renewal_of = old.application_id
    else:
        entry.reissue_of = old.application_id
    uow.session.add(entry)
    uow.session.flush()
    link = (f"申請書ID={application_id}", f"旧申請書ID={old.application_id}")
    result = f"{'renewal_of' if renewing else 'reissue_of'}:{old.application_id}"
    record_exchange(uow, "reissue", sender, application_id, result, info.destination_id, extra=link)
    return entry, None


def _replaceable(
    uow: UnitOfWork, notice: DestinationNotice
) -> tuple[list[CardFileEntry], CardFileEntry | None, Refusal | None]:
    """The person's forms still out whose items are no longer current (stale), and the
    invalid form the reissue replaces (the latest not replaced yet) — or why none is."""
    info = notice.info()
    index = uow.node.keys.blind_index(info.individual_number, column=NUMBER_COLUMN)
    person = list(
        uow.session.scalars(
            select(CardFileEntry)
            .where(
                or_(
                    CardFileEntry.resident_code == info.resident_code,
                    CardFileEntry.individual_number_index == index,
                )
            )
            .order_by(CardFileEntry.id)
        )
    )
    current = _printed_of(notice.record)
    outstanding = [e for e in person if e.status in OUTSTANDING]
    stale = [e for e in outstanding if _printed_of(open_record(uow, e)) != current]
    renewed = _card_to_renew(person, stale)
    if renewed is not None:  # 更新: whatever older form may still be out
        return renewed
    for entry in outstanding:
        if entry not in stale:  # the form out carries the current items: no reissue needed
            code = "form_still_valid" if entry.status == "registered" else "already_applied"
            return [], None, Refusal(code, "resident_code")
    if any(e.status == "issued" for e in person):
        return [], None, Refusal("card_issued", "resident_code")
    replaced = {e.reissue_of for e in person}
    invalid = [
        e for e in person
        if e in stale or (e.status == "invalidated" and e.removed_on is None
                          and e.application_id not in replaced)
    ]  # fmt: skip
    if not invalid:
        return [], None, Refusal("no_invalid_form", "resident_code")
    return stale, invalid[-1], None


def _card_to_renew(
    person: list[CardFileEntry], stale: list[CardFileEntry]
) -> tuple[list[CardFileEntry], CardFileEntry | None, Refusal | None] | None:
    """更新 (`renewal.py`): a card J-LIS told the mayor expires soon, whose renewal form is
    not out (or only a stale one, invalidated now): the form renews it. None when the
    person has no such card."""
    notified = [e for e in person if e.status in HOLDER_HAS and e.renewal_notified_on]
    if not notified:
        return None
    card = notified[-1]
    under_way = [
        e for e in person
        if e.renewal_of == card.application_id and e.status != "invalidated" and e not in stale
    ]  # fmt: skip
    if under_way:
        return [], None, Refusal("renewal_under_way", "resident_code")
    return stale, card, None


def _printed_of(record: dict[str, Any]) -> dict[str, str]:
    """The items a form pre-prints (000 §3.3 1-③), as the held records keep them."""
    return {item: str(record.get(item)) for item in PRINTED_ITEMS}


# --- 住民の異動情報 (000 P3.4, C27) -------------------------------------------------------


def apply_changes(uow: UnitOfWork, sender: str, raws: list[dict[str, Any]]) -> list[CardFileEntry]:
    """Apply each relayed change to the persons held; returns the entries whose card
    lapsed (the caller tells their mayors)."""
    changes = [CardChange.model_validate(raw) for raw in raws]
    held = _held(uow.session, changes)
    lapsed: list[CardFileEntry] = []
    for change in changes:
        entries = {e.id: e for code in _codes(change) for e in held.get(code, [])}
        if not entries:  # the person's 送付先情報 has not arrived yet: kept for it
            if pending.keep(uow, change):
                record_exchange(uow, "card_change", sender, change.update_id, "kept_pending")
            continue
        for entry in entries.values():
            result = _apply(uow, entry, change)
            held.setdefault(change.resident_code, []).append(entry)  # later changes find it
            record_exchange(
                uow, "card_change", sender, change.update_id, result, entry.destination_id
            )
            if result == "lapsed":
                lapsed.append(entry)
    return lapsed


def _codes(change: CardChange) -> set[str]:
    """The codes the person may be held under: a 住民票コードの変更 names the old one."""
    return {change.resident_code} | (
        {change.previous_resident_code} if change.previous_resident_code else set()
    )


def _held(session: Session, changes: list[CardChange]) -> dict[str, list[CardFileEntry]]:
    """File 3's entries for the batch's codes, in one query per 500 codes."""
    codes = sorted(set().union(*(_codes(c) for c in changes))) if changes else []
    found: dict[str, list[CardFileEntry]] = {}
    for start in range(0, len(codes), 500):
        # FOR UPDATE: a contractor's result for the same entry may be applied at once
        # (issuance.on_made locks it too), and `invalidated` must not overwrite `issued`
        stmt = (
            select(CardFileEntry)
            .where(CardFileEntry.resident_code.in_(codes[start : start + 500]))
            .with_for_update()
        )
        for entry in session.scalars(stmt):
            found.setdefault(entry.resident_code, []).append(entry)
    return found


def _apply(uow: UnitOfWork, entry: CardFileEntry, change: CardChange) -> str:
    """Bring one entry up to date; returns what happened (for the record)."""
    record = open_record(uow, entry)
    new = _printed_items(change)
    if same_address(str(record.get("address")), new["address"]):
        new["address"] = str(record["address"])  # keep the 方書 the municipality sent
    altered = any(str(record.get(item)) != new[item] for item in PRINTED_ITEMS)
    for item, value in new.items():
        record[item] = value
        if item in LENGTHS:
            record[LENGTHS[item]] = len(value)
    record["resident_code"] = change.resident_code
    entry.resident_code = change.resident_code
    entry.individual_number_index = uow.node.keys.blind_index(
        change.individual_number, column=NUMBER_COLUMN
    )
    entry.record_cipher = seal_record(uow, record)
    entry.four_items_index = identity.of_record(uow.node.keys, record)
    entry.changed_at = now()
    # File 3 items 81 異動事由 and 82 異動年月日: the last change applied
    entry.change_reason, entry.change_date = change.reason.value, change.change_date
    removed = change.reason in ERASING_REASONS
    # Removed for good: erased after the period; recorded again: kept as before.
    entry.removed_on = change.change_date if removed else None
    # Only an outstanding form is invalidated; a card already made is the municipality's
    # to update at the counter (its face, its chip) — unless its holder is gone for good.
    if (altered or removed) and entry.status in OUTSTANDING:  # F3-ACQ-06, P3.4
        why = "消除" if removed else "4情報等の変更"
        lifecycle.move(
            uow.session, entry, CardState.INVALIDATED, at=now(), actor=CHANGE_ACTOR, reason=why
        )
        return "removed" if removed else "invalidated"
    if change.reason in LAPSE_REASONS and entry.status in CARD_HELD:
        why = LAPSE_REASONS[change.reason]
        lifecycle.move(
            uow.session, entry, CardState.ABOLISHED, at=now(), actor=CHANGE_ACTOR, reason=why
        )
        return "lapsed"
    return "removed" if removed else "updated"


def lives_in(info: DestinationInfo, lg_code: str) -> bool:
    """Whether File 3's record (its address, kept up to date by the relayed changes) puts
    the person in the municipality `lg_code` (by its name: the record carries no code)."""
    place = municipality(lg_code)
    return info.address.startswith(f"{place.prefecture}{place.name}")


def same_address(held: str, relayed: str) -> bool:
    """A relayed change carries the 住所 of 本人確認情報, without the 方書 that the
    municipality's 送付先情報 appends after a full-width space (registry destination_info):
    the same 住所 with a 方書 is not a change."""
    return held == relayed or held.startswith(relayed + "\u3000")


def _printed_items(change: CardChange) -> dict[str, str]:
    return {
        "name_kanji": change.name_kanji,
        "name_kana": change.name_kana,
        "address": change.address,
        "birth_date": change.birth_date.isoformat(),
        "sex": change.sex,
        "individual_number": change.individual_number,
    }


# --- storage and records ------------------------------------------------------------------


def seal_record(uow: UnitOfWork, record: dict[str, Any]) -> bytes:
    text = json.dumps(record, ensure_ascii=False, sort_keys=True)
    return uow.node.keys.encrypt(text, column=RECORD_COLUMN)


def open_record(uow: UnitOfWork, entry: CardFileEntry) -> dict[str, Any]:
    opened: dict[str, Any] = json.loads(
        uow.node.keys.decrypt(entry.record_cipher, column=RECORD_COLUMN)
    )
    return opened


def held_info(uow: UnitOfWork, entry: CardFileEntry) -> DestinationInfo:
    """The entry's record as the prescribed format (what the print contractor gets)."""
    return DestinationInfo.model_validate(open_record(uow, entry))


def record_exchange(
    uow: UnitOfWork,
    kind: str,
    counterpart: str,
    key: str,
    result: str,
    destination_id: str | None = None,
    purpose: str = "個人番号カード用管理ファイルの更新",
    extra: tuple[str, ...] = (),
) -> None:
    """The exchange record (F3-ACQ-03) and the audit log, in the same transaction."""
    uow.append(
        ExchangeLog.__table__,
        {
            "at": now(), "kind": kind, "counterpart": counterpart[:64],
            "operator": f"({counterpart})"[:64], "terminal": counterpart[:64],
            "key": key[:40], "result": result[:40],
        },
    )  # fmt: skip
    target = destination_id if destination_id is not None else key
    refused = result.startswith("refused:")  # the audit log counts anything not "ok"
    uow.audit(
        audit.Access(
            operator=f"({counterpart})"[:40], terminal=counterpart, function=f"card.{kind}",
            targets=(f"送付先管理番号={target[:36]}", *extra), purpose=purpose,
            result=result.removeprefix("refused:")[:16] if refused else "ok",
            number_touched=True,
        )
    )  # fmt: skip
