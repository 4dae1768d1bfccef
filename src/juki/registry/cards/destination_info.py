"""送付先情報の抽出 (001a §3.7 7-①): when a person is newly to be notified of a 個人番号 —
the number has just been recorded, at birth, first registration or a change — the register
extracts their 送付先情報 in the prescribed format (the 67 items, `DestinationInfo`), with
the SHA-256 of the record, and sends it to its CS for J-LIS's card management system. The
receipt comes back through the CS; a refusal says which item was at fault.

Only current residents are extracted (000 §3.3 1-①), and only the prescribed items.

When the 4情報 changed after the form was sent, the old form is invalid and the counter
reissues one (000 P3.4, F3-ACQ-06): `request_reissue` extracts the person again with
印刷区分 2 (交付申請書のみ); the card system's receipt names the new 申請書ID.
"""

from __future__ import annotations

import csv
import datetime as dt
import logging
import uuid
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import inspect, select

from juki.core.clock import JST
from juki.core.errors import Conflict, JukiError, NotFound
from juki.core.identity import NUMBER_COLUMN
from juki.core.messages import (
    DESTINATION_LENGTHS,
    FORM_ONLY,
    CardInfo,
    DestinationInfo,
    DestinationReceipt,
    MessageType,
    PrintCategory,
    destination_digest,
)
from juki.core.messaging.node import UnitOfWork
from juki.core.messaging.paths import code_of
from juki.core.places import municipality, prefecture_name
from juki.registry.cards.models import DestinationExtract, MyNumberCard
from juki.registry.residents.models import Resident

log = logging.getLogger(__name__)
OFFICES = Path(__file__).with_name("offices.csv")
NUMBER_LETTER: PrintCategory = "1"  # 印刷区分: 個人番号通知書と交付申請書


@dataclass(frozen=True)
class Office:
    """The municipality's office as J-LIS prints it (items 9-32)."""

    lg_code: str
    office_name: str
    postal_code: str
    address: str
    phone: str
    issuing_place_name: str


@lru_cache(maxsize=1)
def _offices() -> dict[str, Office]:
    with OFFICES.open(encoding="utf-8", newline="") as handle:
        rows = csv.DictReader(line for line in handle if not line.startswith("#"))
        return {row["lg_code"]: Office(**row) for row in rows}


def office_of(lg_code: str) -> Office:
    known = _offices().get(lg_code)
    if known is not None:
        return known
    place = municipality(lg_code)
    hall = f"{place.name}{'役場' if place.name.endswith(('町', '村')) else '役所'}"
    address = f"{prefecture_name(lg_code[:2])}{place.name}"
    return Office(lg_code, hall, "", address, "", hall)


def extract(
    uow: UnitOfWork, numbered: list[tuple[dict[str, Any], str]], operator: str, terminal: str
) -> list[str]:
    """Extract and send the 送付先情報 of each (resident row, new 個人番号) pair whose person
    is a current resident. Returns the 送付先管理番号 sent."""
    office = office_of(code_of(uow.node.node_id))
    sent = []
    for row, number in numbered:
        if row.get("removed_on") is not None:
            continue
        extracted = _send(uow, row, number, office, (operator, terminal), NUMBER_LETTER)
        uow.append(DestinationExtract.__table__, extracted)
        sent.append(extracted["destination_id"])
    return sent


def _send(
    uow: UnitOfWork,
    row: dict[str, Any],
    number: str,
    office: Office,
    clerk: tuple[str, str],
    print_category: PrintCategory,
) -> dict[str, Any]:
    """Build one record, send it to the CS, and return its extract row (keys only)."""
    operator, terminal = clerk
    destination_id = str(uuid.uuid4())
    record = build(row, number, office, destination_id, operator, terminal, print_category)
    digest = destination_digest(record)
    uow.send(
        f"cs:{office.lg_code}", MessageType.DESTINATION_INFO, {"record": record, "digest": digest}
    )
    return {
        "destination_id": destination_id, "resident_id": row["id"], "digest": digest,
        "status": "sent", "extracted_at": dt.datetime.now(dt.UTC), "operator_id": operator[:40],
        "terminal_id": terminal[:40],
        "kind": "reissue" if print_category == FORM_ONLY else "notice",
    }  # fmt: skip


def request_reissue(
    uow: UnitOfWork, resident_id: int, operator: str, terminal: str
) -> DestinationExtract:
    """交付申請書の再発行 (000 P3.4, F3-ACQ-06; seed 000 "交付申請書の送付後に異動等により
    ４情報等に変更が生じた場合、従前の交付申請書は無効とし、異動届出先の市町村窓口において
    交付申請書を再発行する"): the person's 送付先情報 as it stands now, 印刷区分 2
    (交付申請書のみ), sent through the CS like any other. The card system decides whether a
    form is to be replaced (it alone knows which forms are out and valid) and answers with
    the new 申請書ID or why not. Here: only a current resident of this municipality with a
    個人番号 recorded; a refusal sends and stores nothing."""
    person = uow.session.get(Resident, resident_id)
    if person is None:
        raise NotFound("住民が見つかりません", field="resident_id")
    if person.status != "resident":
        raise Conflict(
            "この市町村の住民ではありません（除票）。交付申請書は住所地の市町村で再発行します",
            field="resident_id", code="not_current_resident",
        )  # fmt: skip
    if person.awaiting_number or person.individual_number_cipher is None:
        raise Conflict(
            "個人番号が記載されていないため、交付申請書を再発行できません",
            field="resident_id", code="no_individual_number",
        )  # fmt: skip
    number = uow.node.keys.decrypt(person.individual_number_cipher, column=NUMBER_COLUMN)
    row = {attr.key: getattr(person, attr.key) for attr in inspect(Resident).mapper.column_attrs}
    office = office_of(code_of(uow.node.node_id))
    extracted = DestinationExtract(
        **_send(uow, row, number, office, (operator, terminal), FORM_ONLY)
    )
    uow.session.add(extracted)
    uow.session.flush()
    return extracted


RENEWAL_NOTICE = "(有効期限通知)"  # who asked: J-LIS's notice, not a clerk


def renewal_due(uow: UnitOfWork, info: CardInfo) -> None:
    """J-LIS says a card of this register expires soon (`card/renewal.py`): the holder's
    送付先情報 as it stands now goes to J-LIS as for a 再発行 (印刷区分 2), and the card
    system registers the renewal form from it. Only for a card in use here whose holder
    lives here; anything else is logged by the card's number. Never raises (the CS's
    channel)."""
    card = uow.session.scalar(
        select(MyNumberCard).where(MyNumberCard.card_issue_number == info.card_issue_number)
    )
    if card is None or card.status not in ("active", "suspended"):
        log.warning("renewal notice for card %s: not a card in use here", info.card_issue_number)
        return
    try:
        request_reissue(uow, card.resident_id, RENEWAL_NOTICE, "J-LIS")
    except JukiError as refused:
        log.warning("renewal notice for card %s: %s", info.card_issue_number, refused.code)


def build(
    row: dict[str, Any],
    number: str,
    office: Office,
    destination_id: str,
    operator: str,
    terminal: str,
    print_category: PrintCategory = NUMBER_LETTER,
) -> dict[str, Any]:
    """One person's record in the prescribed format (001a §4.3.3): the letter goes to the
    person at their address; cards are handed over, and delivered by J-LIS, at the office.
    Longer than a function should be: the record is written out item by item, in the
    format's order, so that it reads against the seed's table."""
    items: dict[str, Any] = {
        "destination_id": destination_id,
        "destination_postal_code": row["postal_code"] or "",
        "destination_address": _full_address(row),
        "destination_address_gaiji_count": 0,
        "addressee_name": row["name_kanji"],
        "addressee_name_gaiji_count": 0,
        "lg_code": office.lg_code,
        "lg_name": municipality(office.lg_code).name,
        "lg_postal_code": office.postal_code,
        "lg_address": office.address,
        "lg_address_gaiji_count": 0,
        "lg_phone": office.phone,
        "issuing_place_name": office.issuing_place_name,
        "issuing_place_name_gaiji_count": 0,
        "issuing_place_postal_code": office.postal_code,
        "issuing_place_address": office.address,
        "issuing_place_address_gaiji_count": 0,
        "issuing_place_phone": office.phone,
        "delivery_place_name": office.issuing_place_name,
        "delivery_place_name_gaiji_count": 0,
        "delivery_place_postal_code": office.postal_code,
        "delivery_place_address": office.address,
        "delivery_place_address_gaiji_count": 0,
        "delivery_place_phone": office.phone,
        "persons": 1,
        "processed_on": dt.datetime.now(JST).date(),
        "operator_id": operator[:40],
        "terminal_id": (terminal or "-")[:40],
        "print_category": print_category,
        "resident_code": row["resident_code"],
        "name_kanji": row["name_kanji"],
        "name_gaiji_count": 0,
        "name_kana": row["name_kana"],
        "postal_code": row["postal_code"] or "",
        "address": _full_address(row),
        "address_gaiji_count": 0,
        "birth_date": row["birth_date"],
        "sex": row["sex"],
        "individual_number": number,
        "foreign_category": row.get("foreign_category"),
        "stay_expires_on": row.get("stay_expires_on"),
        "former_surname_kanji": row.get("former_surname_kanji"),
        "former_surname_kana": row.get("former_surname_kana"),
        "roman_name": row.get("name_roman"),
    }
    for length_field, item in DESTINATION_LENGTHS.items():
        items[length_field] = len(items.get(item) or "")
    # Validated here, so a record the card system would refuse never leaves the register.
    return DestinationInfo.model_validate(items).model_dump(mode="json")


def _full_address(row: dict[str, Any]) -> str:
    annex = row.get("address_annex") or ""
    return f"{row['address']}　{annex}" if annex else str(row["address"])


def receive_receipts(uow: UnitOfWork, receipts: list[DestinationReceipt]) -> None:
    """The card system's receipts, or refusals by the CS or the card system (one query for
    the batch's extracts)."""
    ids = sorted({receipt.destination_id for receipt in receipts})
    extracts = {
        row.destination_id: row
        for start in range(0, len(ids), 500)
        for row in uow.session.scalars(
            select(DestinationExtract).where(
                DestinationExtract.destination_id.in_(ids[start : start + 500])
            )
        )
    }
    for receipt in receipts:
        extract_row = extracts.get(receipt.destination_id)
        if extract_row is None or extract_row.digest != receipt.digest:
            continue  # not ours, or about another record: nothing to update
        extract_row.status = receipt.result
        extract_row.refused_by = receipt.refused_by
        extract_row.error_code = receipt.error_code
        extract_row.error_field = receipt.field
        extract_row.application_id = receipt.application_id  # a reissue's new 申請書ID
        extract_row.answered_at = dt.datetime.now(dt.UTC)


def extracts_of(uow: UnitOfWork, resident_id: int) -> list[DestinationExtract]:
    return list(
        uow.session.scalars(
            select(DestinationExtract)
            .where(DestinationExtract.resident_id == resident_id)
            .order_by(DestinationExtract.extracted_at)
        )
    )
