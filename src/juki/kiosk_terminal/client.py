"""The terminal's client of the 証明書交付センター (`kiosk/api.py`): open a session with a key
made for it, present the card's certificate and signature with the document asked for,
follow the session, and collect and open the sealed PDF."""

from __future__ import annotations

import base64
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from juki.core.kiosk_messages import key_text, open_document
from juki.reader.jpki import Transmit, read_auth_certificate, sign_with_auth_key

DONE = ("ready", "refused", "expired", "collected")


class CentreRefused(Exception):
    def __init__(self, message: str, code: str):
        super().__init__(message)
        self.message, self.code = message, code


@dataclass
class Visit:
    """One holder's session at this terminal."""

    session_id: str
    to_sign: bytes
    key: X25519PrivateKey = field(repr=False)
    status: str = "awaiting_card"
    reason: str | None = None
    fee_yen: int | None = None
    issue_no: str | None = None
    pdf: bytes | None = field(default=None, repr=False)


class Centre:
    def __init__(self, http: httpx.Client, prefix: str = "/kiosk"):
        self.http, self.prefix = http, prefix

    def _call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        answer = self.http.request(method, f"{self.prefix}{path}", json=body)
        if answer.status_code >= 400:
            shaped = answer.json() if answer.content else {}
            errors = shaped.get("errors") or [{}]
            message = errors[0].get("message", "受付できません")
            raise CentreRefused(message, shaped.get("code", ""))
        return answer.json()

    def open(self) -> Visit:
        key = X25519PrivateKey.generate()
        view = self._call("POST", "/sessions", {"terminal_key": key_text(key.public_key())})
        return Visit(view["session_id"], bytes.fromhex(view["to_sign"]), key)

    def present(self, visit: Visit, transmit: Transmit, pin: str, document: dict[str, Any]) -> None:
        certificate = read_auth_certificate(transmit)
        signature = sign_with_auth_key(transmit, pin, visit.to_sign)
        body = {
            "certificate": base64.b64encode(certificate).decode(),
            "signature": base64.b64encode(signature).decode(),
            "document": document,
        }
        self._follow(visit, self._call("POST", f"/sessions/{visit.session_id}/presentation", body))

    def refresh(self, visit: Visit) -> None:
        self._follow(visit, self._call("GET", f"/sessions/{visit.session_id}"))

    def collect(self, visit: Visit) -> bytes:
        got = self._call("POST", f"/sessions/{visit.session_id}/collection")
        visit.pdf = open_document(got["sealed_pdf"], visit.key, visit.session_id)
        visit.status, visit.issue_no, visit.fee_yen = "collected", got["issue_no"], got["fee_yen"]
        return visit.pdf

    def wait(self, visit: Visit, step: Callable[[], object], tries: int = 200) -> None:
        """Follow the session until it is done, calling `step` between looks (a sleep, or
        the embedded network's delivery pump in tests)."""
        for _ in range(tries):
            if visit.status in DONE:
                return
            step()
            self.refresh(visit)
        raise CentreRefused("センターからの応答がありません", "kiosk_timeout")

    @staticmethod
    def _follow(visit: Visit, view: dict[str, Any]) -> None:
        visit.status, visit.reason = view["status"], view.get("refused_reason")
        visit.fee_yen, visit.issue_no = view.get("fee_yen"), view.get("issue_no")
