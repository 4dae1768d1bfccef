"""Requests for a certificate at the counter and for a 広域交付 copy. Extra fields are
refused."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

RequesterKind = Literal["self", "household", "agent", "third", "official"]


class IssueRequest(BaseModel):
    """A certificate asked for at the counter (住基法 第12条, 第12条の2, 第12条の3): which,
    of whom, for whom, and which items it shows."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal["copy", "removed_copy", "entries", "move_out"] = "copy"
    household_id: int | None = Field(default=None, ge=1)
    resident_ids: list[int] = Field(default_factory=list, max_length=30)
    include_relationship: bool = True
    include_domicile: bool = False
    include_individual_number: bool = False
    include_resident_code: bool = False
    requester_kind: RequesterKind = "self"
    requester_id: int | None = Field(default=None, ge=1)  # 宛名番号 of the person asking
    purpose: str = Field(default="", max_length=100)
    clerk_login: str = Field(min_length=1, max_length=40)
    terminal_id: str = Field(default="terminal-01", min_length=1, max_length=40)


class WideAreaAsk(BaseModel):
    """広域交付 (住基法 第12条の4): a copy asked for here, of the home municipality."""

    model_config = ConfigDict(extra="forbid")

    home_lg_code: str = Field(pattern=r"^\d{6}$")
    resident_code: str = Field(pattern=r"^\d{11}$")
    scope: Literal["person", "household"] = "person"
    requester_kind: Literal["self", "household"] = "self"
    clerk_login: str = Field(default="counter", min_length=1, max_length=40)
