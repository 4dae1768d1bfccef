"""特例転入 as API bodies: the 転入 recorded from a received 転出証明書情報, and the request
for one (3-②). Extra fields are refused."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from juki.registry.households.schemas import HouseholdPlacement
from juki.registry.notices.schemas import Received
from juki.registry.residents.schemas import AddressItems, Notice


class SpecialMoveInNotice(Notice, Received, AddressItems, HouseholdPlacement):
    """特例転入: the person's items come from the 転出証明書情報; the clerk gives the address
    and the household."""

    model_config = ConfigDict(extra="forbid")
    request_id: str = Field(min_length=8, max_length=36)


class CertificateRequestBody(BaseModel):
    """API body for 3-②: the 本人確認 made with the card the person presented (3-①,
    `POST …/identity-confirmations`) names whose 転出証明書情報 to ask for, and where."""

    model_config = ConfigDict(extra="forbid")
    identity_confirmation_id: str = Field(min_length=8, max_length=36)
    clerk_login: str = Field(default="counter", min_length=1, max_length=40)
