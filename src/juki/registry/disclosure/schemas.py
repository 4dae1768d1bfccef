"""開示請求 at the register, as taken at the counter or by post. Extra fields are refused."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from juki.registry.notices.schemas import IdDocument


class DisclosureRequest(BaseModel):
    """開示請求 as taken at the counter or by post: whose record (the 宛名番号 the counter
    found, or the 住民票コード on the form), who asked and how they were identified."""

    model_config = ConfigDict(extra="forbid")

    addressee_id: int | None = Field(default=None, ge=1)
    resident_code: str | None = Field(default=None, min_length=11, max_length=11)
    requester: Literal["本人", "代理人"]  # as the identity check found
    requester_name: str = Field(min_length=1, max_length=100)  # as on the request form
    id_document: IdDocument  # 本人確認書類 (a fixed list)
    proxy_letter_checked: bool = Field(default=False, validate_default=True)  # DISC-3
    received_via: Literal["窓口", "文書"] = "窓口"
    include_individual_number: bool = False  # 個人番号の表示を求める

    @field_validator("resident_code")
    @classmethod
    def _one_key(cls, value: str | None, info: ValidationInfo) -> str | None:
        if (value is None) == (info.data.get("addressee_id") is None):
            raise ValueError("宛名番号か住民票コードのどちらか一つを指定してください")
        return value

    @field_validator("proxy_letter_checked")
    @classmethod
    def _agent_needs_proxy_letter(cls, value: bool, info: ValidationInfo) -> bool:
        if info.data.get("requester") == "代理人" and not value:
            raise ValueError("代理人による請求は委任状の確認が必要です")
        return value
