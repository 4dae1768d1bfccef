"""送付先情報の抽出 (001a §3.7 7-①): when a person is newly to be notified of a 個人番号 —
the number has just been recorded, at birth, first registration or a change — the register
extracts their 送付先情報 in the prescribed format (the 67 items, `DestinationInfo`), with
the SHA-256 of the record, and sends it to its CS for J-LIS's card management system. The
receipt comes back through the CS; a refusal says which item was at fault.

Only current residents are extracted (000 §3.3 1-①), and only the prescribed items.
"""

from __future__ import annotations

import csv
import datetime as dt
import uuid
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import select

from juki.core.clock import JST
from juki.core.messages import (
    DESTINATION_LENGTHS,
    DestinationInfo,
    DestinationReceipt,
    MessageType,
    destination_digest,
)
from juki.core.messaging.node import UnitOfWork
from juki.core.messaging.paths import code_of
from juki.core.places import municipality, prefecture_name
from juki.registry.models import DestinationExtract

OFFICES = Path(__file__).with_name("offices.csv")
NUMBER_LETTER = "1"  # 印刷区分: 個人番号通知書と交付申請書


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
    lg_code = code_of(uow.node.node_id)
    office = office_of(lg_code)
    now = dt.datetime.now(dt.UTC)
    sent = []
    for row, number in numbered:
        if row.get("removed_on") is not None:
            continue
        destination_id = str(uuid.uuid4())
        record = build(row, number, office, destination_id, operator, terminal)
        digest = destination_digest(record)
        uow.send(
            f"cs:{lg_code}", MessageType.DESTINATION_INFO, {"record": record, "digest": digest}
        )
        uow.append(
            DestinationExtract.__table__,
            {"destination_id": destination_id, "resident_id": row["id"], "digest": digest,
             "status": "sent", "extracted_at": now, "operator_id": operator[:40],
             "terminal_id": terminal[:40]},
        )  # fmt: skip
        sent.append(destination_id)
    return sent


def build(
    row: dict[str, Any],
    number: str,
    office: Office,
    destination_id: str,
    operator: str,
    terminal: str,
) -> dict[str, Any]:
    """One person's record in the prescribed format (001a §4.3.3): the letter goes to the
    person at their address; cards are handed over, and delivered by J-LIS, at the office."""
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
        "print_category": NUMBER_LETTER,
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
        extract_row.answered_at = dt.datetime.now(dt.UTC)


def extracts_of(uow: UnitOfWork, resident_id: int) -> list[DestinationExtract]:
    return list(
        uow.session.scalars(
            select(DestinationExtract)
            .where(DestinationExtract.resident_id == resident_id)
            .order_by(DestinationExtract.extracted_at)
        )
    )
