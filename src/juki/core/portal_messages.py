"""Records of マイナポータル (情報提供等記録開示システム, 番号法 附則第6条第3項; the portal
`portal/`): a holder logs in with the card's 利用者証明用 certificate; JPKI says whether it
is good now; J-LIS gives the network the holder's latest 住民票コード, resolved from the
certificate's serial (000 §6.4), and the network gives the portal its own 符号 for the
person (institution `portal`) against the log-in, as against a 処理通番; the portal then
asks the network for the person's 情報提供等記録 (番号法 第23条) under that 符号.

No record to or from the portal carries the 4情報, the 住民票コード or the 個人番号 (the code
goes only from JPKI to the national server, both J-LIS's); the 情報提供等記録 say who asked
whom, for what, under which 事務, when, and what came of it — never the data."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import Field, field_validator

from juki.core import ids
from juki.core.infonet_messages import FUGO, INSTITUTION, SERIAL, Items, Row, Task
from juki.core.kiosk_messages import Verdict
from juki.core.messages import Strict

PORTAL = "portal"  # the portal's node id, and its institution id on the network
ASK_ID = SERIAL
# What the person is told of each record's outcome: 提供 / 提供なし / 不可 / 照会中
Shown = Literal["provided", "not_provided", "refused", "pending"]


class PortalIdentify(Strict):
    """The portal → JPKI: the 利用者証明用 certificate a holder signed the log-in with."""

    login_id: str = Field(pattern=SERIAL)
    certificate: str = Field(min_length=100, max_length=4000)  # DER, base64


class PortalIdentified(Strict):
    """JPKI → the portal: whether the certificate is good now (then J-LIS has sent the
    network the holder's 住民票コード against `login_id`)."""

    login_id: str = Field(pattern=SERIAL)
    verdict: Verdict


class PortalCode(Strict):
    """JPKI → J-LIS's national server: the 住民票コード of the holder of the certificate
    that logged in (JPKI's serial index, 000 §6.4), for the portal's 符号 against
    `login_id` (the portal's 処理通番)."""

    login_id: str = Field(pattern=SERIAL)
    resident_code: str

    @field_validator("resident_code")
    @classmethod
    def _code(cls, value: str) -> str:
        return ids.validate_resident_code(value, field="resident_code")


class RecordsAsk(Strict):
    """The portal → the network: the 情報提供等記録 of the person the portal holds under
    `fugo` (the person's own request, 番号法 第23条第3項)."""

    ask_id: str = Field(pattern=ASK_ID)
    fugo: str = Field(pattern=FUGO)


class RecordLine(Strict):
    """One 情報提供等記録 as the person sees it."""

    asked_at: dt.datetime
    answered_at: dt.datetime | None = None
    requester: str = Field(pattern=INSTITUTION)
    requester_name: str = Field(max_length=100)
    provider: str = Field(pattern=INSTITUTION)
    provider_name: str = Field(max_length=100)
    row: Row
    task: Task
    items: Items
    outcome: Shown


class RecordsAnswer(Strict):
    """The network → the portal: the person's records, newest first (at most
    MAX_RECORDS); `known` is false when the network holds no person under the 符号."""

    ask_id: str = Field(pattern=ASK_ID)
    known: bool
    records: tuple[RecordLine, ...] = Field(default=(), max_length=500)


MAX_RECORDS = 500
