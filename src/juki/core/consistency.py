"""本人確認情報整合 (consistency check): a CS's file compared with the prefecture's and the
national server's (000 P2.5; 002 §6.6; 001a §3.8).

The CS sends its 8-item records in parts (one envelope each, in channel order); the
receiver keeps them, encrypted, in a staging table until the last part, then compares and
answers with the differences. Nothing is overwritten from consistency data (002 §6.6).

The staging table is defined here, once, with its own metadata; the roles that answer a
check (prefecture, national) add it to their schema (`<role>.models.SCHEMA`).
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Integer, LargeBinary, MetaData, String, delete, insert, select
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from juki.core.crypto import FieldKeys, sealed_label
from juki.core.identity import NUMBER_COLUMN, IdentityRowMixin
from juki.core.messages import (
    ChangeReason,
    ConsistencyCheck,
    ConsistencyDifference,
    ConsistencyRecord,
)

PART_SIZE = 5000
_STAGED = sealed_label("consistency_staging")


class ConsistencyBase(DeclarativeBase):
    metadata = MetaData()


consistency_metadata = ConsistencyBase.metadata


class ConsistencyStaging(ConsistencyBase):
    """Parts of a CS's 整合 data received before its last part (each record encrypted: it
    holds a 個人番号)."""

    __tablename__ = "consistency_staging"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    check_id: Mapped[str] = mapped_column(String(36), index=True)
    part: Mapped[int] = mapped_column(Integer)
    records_cipher: Mapped[bytes] = mapped_column(LargeBinary)


def consistency_record(row: IdentityRowMixin, keys: FieldKeys) -> ConsistencyRecord:
    return ConsistencyRecord(
        resident_code=row.resident_code,
        name_kanji=row.name_kanji,
        birth_date=row.birth_date,
        sex=row.sex,  # type: ignore[arg-type]
        address=row.address,
        individual_number=keys.decrypt(row.individual_number_cipher, column=NUMBER_COLUMN),
        reason=ChangeReason(row.change_reason),
        change_date=row.change_date,
    )


def compare_records(
    theirs: dict[str, ConsistencyRecord], ours: dict[str, ConsistencyRecord]
) -> list[ConsistencyDifference]:
    """Differences between a CS's file and ours (P2.5; 002 §6.6), keyed by 住民票コード."""
    differences: list[ConsistencyDifference] = []
    for code in sorted(theirs.keys() | ours.keys()):
        if code not in ours:
            differences.append(ConsistencyDifference(resident_code=code, kind="missing_here"))
        elif code not in theirs:
            differences.append(ConsistencyDifference(resident_code=code, kind="missing_there"))
        else:
            a, b = theirs[code].model_dump(), ours[code].model_dump()
            fields = sorted(k for k in a if a[k] != b[k])
            if fields:
                differences.append(
                    ConsistencyDifference(resident_code=code, kind="mismatch", fields=fields)
                )
    return differences


def parts(check_id: str, lg_code: str, records: list[ConsistencyRecord]) -> list[dict[str, Any]]:
    """Split a CS's records into ConsistencyCheck bodies of at most PART_SIZE records."""
    chunks = [records[i : i + PART_SIZE] for i in range(0, len(records), PART_SIZE)] or [[]]
    return [
        {
            "check_id": check_id,
            "lg_code": lg_code,
            "part": number,
            "last_part": number == len(chunks),
            "records": [r.model_dump(mode="json") for r in chunk],
        }
        for number, chunk in enumerate(chunks, start=1)
    ]


def answer_consistency(
    session: Session,
    model: type[IdentityRowMixin],
    keys: FieldKeys,
    checker: str,
    raw: dict[str, Any],
) -> dict[str, Any] | None:
    """Stage a part; on the last part compare everything with the node's file `model` and
    return the ConsistencyResult."""
    collected = collect_parts(session, keys, raw)
    if collected is None:
        return None
    check, theirs = collected
    rows = session.scalars(
        select(model).where(
            model.lg_code == check.lg_code, model.is_current.is_(True), model.removed.is_(False)
        )
    ).all()
    ours = {row.resident_code: consistency_record(row, keys) for row in rows}
    return result_of(check, checker, len(theirs), compare_records(theirs, ours))


def result_of(
    check: ConsistencyCheck, checker: str, compared: int, differences: list[ConsistencyDifference]
) -> dict[str, Any]:
    return {
        "check_id": check.check_id,
        "checker": checker,
        "lg_code": check.lg_code,
        "compared": compared,
        "differences": [d.model_dump() for d in differences],
    }


def collect_parts(
    session: Session, keys: FieldKeys, raw: dict[str, Any]
) -> tuple[ConsistencyCheck, dict[str, ConsistencyRecord]] | None:
    """Stage a part of a CS's 整合 data; on its last part, the check and every record of
    it by 住民票コード (the staged parts erased)."""
    check = ConsistencyCheck.model_validate(raw)
    payload = json.dumps([r.model_dump(mode="json") for r in check.records]).encode()
    if not check.last_part:
        session.execute(
            insert(ConsistencyStaging),
            [
                {
                    "check_id": check.check_id,
                    "part": check.part,
                    "records_cipher": keys.encrypt(payload.decode(), column=_STAGED),
                }
            ],
        )
        return None
    theirs = {record.resident_code: record for record in check.records}
    staged = ConsistencyStaging.check_id == check.check_id
    stmt = select(ConsistencyStaging.records_cipher).where(staged)
    for cipher in session.scalars(stmt):
        for item in json.loads(keys.decrypt(cipher, column=_STAGED)):
            record = ConsistencyRecord.model_validate(item)
            theirs[record.resident_code] = record
    session.execute(delete(ConsistencyStaging).where(staged))
    return check, theirs
