"""支援措置 as the counter registers it. Extra fields are refused."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator


class SupportRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: Literal["dv", "stalking", "child_abuse", "other"]
    starts_on: dt.date
    ends_on: dt.date | None = None  # default: one year (支援措置の期間は1年)
    registered_by: str = Field(min_length=1, max_length=40)

    @model_validator(mode="after")
    def _period(self) -> SupportRequest:
        if self.ends_on is not None and self.ends_on < self.starts_on:
            raise ValueError("終了日が開始日より前です")
        return self
