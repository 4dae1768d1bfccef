"""JPKI's answer to マイナポータル about the 利用者証明用 certificate a holder logged in with
(公的個人認証法 第17条 as for any 利用者証明検証者, and J-LIS's own resolution of a serial to
its holder, 000 §6.4): the same judgement as for a kiosk (`kiosk.judge`); when it is good,
the holder's 住民票コード goes to J-LIS's national server — never to the portal — which
gives it to the network for the portal's 符号 against the log-in. The serial resolution
is in the audit log."""

from __future__ import annotations

import datetime as dt

from juki.core.audit import log as audit
from juki.core.messages import MessageType
from juki.core.messaging.node import UnitOfWork
from juki.core.portal_messages import PortalCode, PortalIdentified, PortalIdentify
from juki.jpki.kiosk import judge

NATIONAL = "national"


def identify(uow: UnitOfWork, portal: str, ask: PortalIdentify) -> None:
    verdict, found = judge(uow.session, ask.certificate, dt.datetime.now(dt.UTC))
    if found is not None:
        audit.record(
            uow.session,
            audit.Access(
                operator=portal, terminal=portal, function="シリアル番号による住民票コードの特定",
                targets=(f"シリアル番号={found.serial}",), purpose="マイナポータルの利用者証明",
            ),
        )  # fmt: skip
        code = PortalCode(login_id=ask.login_id, resident_code=found.resident_code)
        uow.send(NATIONAL, MessageType.PORTAL_CODE, code.model_dump())
    answer = PortalIdentified(login_id=ask.login_id, verdict=verdict)
    uow.send(portal, MessageType.PORTAL_IDENTIFIED, answer.model_dump())
