"""届出点検 as the API shows it: an entry without the personal items it holds, what the
checker compares, a 差戻し's reason, and the entry once applied."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from juki.registry.notices.schemas import MoveOutCertificate
from juki.registry.residents.schemas import EventRead


class PendingNoticeRead(BaseModel):
    """A 届出 entered for its check (届出点検), without the personal items it holds: the
    person by 宛名番号, the household by 世帯番号."""

    id: int  # 点検番号
    kind: str
    label: str  # 出生届, 転入届 …
    status: str  # entered | applied | sent_back | withdrawn
    resident_id: int | None
    household_id: int | None
    entered_by: str
    entered_terminal: str
    entered_at: dt.datetime
    decided_by: str | None
    decided_terminal: str | None
    decided_at: dt.datetime | None
    update_ids: list[str]  # the events applied (依頼管理番号)
    resident_ids: list[int]  # the people the applied 届出 recorded


class PendingNoticeDetail(PendingNoticeRead):
    """What the checker compares with the paper: the notice as entered (個人番号 masked)."""

    notice: dict[str, Any]
    reason: str | None  # 差戻しの理由


class SendBack(BaseModel):
    """差戻し: why the checker returns the entry to the clerk."""

    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=1, max_length=200)


class CheckedRead(PendingNoticeRead):
    """The entry once checked and applied: its events, and for a 転出 the 転出証明書."""

    events: list[EventRead]
    certificate: MoveOutCertificate | None = None
