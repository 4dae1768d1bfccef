"""What a business system sends the 中間サーバー to ask, and what it reads back. Extra
fields are refused. A person is named by the 団体内統合宛名番号 only (never the 個人番号,
never the 符号, which no screen or API shows: NWS-8-2)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from juki.core.infonet_messages import ATENA_ID, INSTITUTION, QUERY_ID, Item, Reason, Result


class QueryAsk(BaseModel):
    model_config = ConfigDict(extra="forbid")

    atena_id: str = Field(pattern=ATENA_ID, description="団体内統合宛名番号")
    row: int = Field(ge=1, le=9999, description="命令 第二条の表の項番")
    task: str = Field(min_length=1, max_length=2000, description="事務（表の文言のとおり）")
    items: tuple[Item, ...] = Field(min_length=1, max_length=30, description="特定個人情報")
    provider: str = Field(pattern=INSTITUTION, description="情報提供者（機関の識別子）")


class QueryView(BaseModel):
    query_id: str = Field(pattern=QUERY_ID)
    # asked (waiting), then what the network told: provided, not_provided (nothing held, or
    # held for the provider's staff: the two are not told apart) or refused (reason);
    # unreadable if the sealed answer does not open with this institution's key.
    outcome: Result | Literal["asked", "unreadable"]
    reason: Reason | None = None
    data: dict[str, Any] | None = None  # opened with this institution's key


class CopyView(BaseModel):
    """One 副本 as registered: its kind, data, whether removed, whether 自動応答不可."""

    kind: str
    data: dict[str, Any]
    removed: bool
    hold: bool
    registered_at: dt.datetime
