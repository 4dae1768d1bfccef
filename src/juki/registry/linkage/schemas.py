"""庁内連携 as a recipient section asks for it and as it is answered. Extra fields are
refused."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from juki.registry.residents.items import REGISTER_ITEMS

MAX_PERSONS = 500  # one request; larger sets are a 一括 output (two-person control)


class LinkageRequest(BaseModel):
    """A recipient section's request: under which approval, for which persons (宛名番号),
    which items. The section is the caller's registered body, never a field of the request."""

    model_config = ConfigDict(extra="forbid")

    approval_no: str = Field(min_length=1, max_length=20)
    addressee_ids: list[int] = Field(min_length=1, max_length=MAX_PERSONS)
    items: list[str] = Field(min_length=1, max_length=len(REGISTER_ITEMS))


class LinkageAnswer(BaseModel):
    section: str
    approval_no: str
    legal_basis: str
    purpose: str
    items: list[str]
    records: list[dict[str, Any]]  # one per 宛名番号 found, keyed by addressee_id
