"""Rules of the prefectural server (002 §6.1 P1, §6.5 P5)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from juki.core.clock import japan_today
from juki.core.crypto import FieldKeys
from juki.core.identity_apply import Outcome, apply_records
from juki.core.messages import REMOVAL_REASONS, IdentityRecord
from juki.core.text import gaiji_count
from juki.duties.search import IdentitySearch, IdentityView, logged_search
from juki.prefecture.models import PrefectureIdentityRow


def _extra(record: IdentityRecord) -> dict[str, Any]:
    return {
        "notified_on": japan_today(),
        "deleted_flag": False,
        "retention_flag": "removed" if record.reason in REMOVAL_REASONS else "current",
        "former_surname_kanji": record.former_surname_kanji,
        "former_surname_gaiji_count": gaiji_count(record.former_surname_kanji or ""),
        "former_surname_kana": record.former_surname_kana,
    }


def apply_identity_updates(
    session: Session, keys: FieldKeys, records: list[dict[str, Any]]
) -> list[Outcome]:
    """1-②: match by 住民票コード, run the logic checks, keep history (002 §6.1)."""
    return apply_records(session, PrefectureIdentityRow, records, keys, _extra)


def search_identity(
    session: Session, keys: FieldKeys, query: IdentitySearch, requester: str
) -> list[IdentityView]:
    return logged_search(session, PrefectureIdentityRow, keys, query, requester, with_number=True)
