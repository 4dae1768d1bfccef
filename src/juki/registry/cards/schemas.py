"""送付先情報 as the API shows it: by keys only."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict


class ApplicationFormRead(BaseModel):
    """One 送付先情報 sent for a person (個人番号通知書と交付申請書, or a 交付申請書 reissued
    after the 4情報 changed, 000 P3.4) and the card system's answer, by keys only."""

    model_config = ConfigDict(from_attributes=True)

    destination_id: str  # 送付先管理番号
    kind: Literal["notice", "reissue"]
    status: str  # sent | registered | refused
    extracted_at: dt.datetime
    answered_at: dt.datetime | None
    application_id: str | None  # the reissued form's new 申請書ID
    refused_by: str | None
    error_code: str | None
    error_field: str | None
