"""The holder's app as a client of the portal: one log-in, by its number."""

from __future__ import annotations

import base64
from typing import Any

import httpx

from juki.reader.jpki import Transmit, read_auth_certificate, sign_with_auth_key


class PortalRefused(Exception):
    def __init__(self, message: str, code: str = ""):
        super().__init__(message)
        self.message, self.code = message, code


class PortalApp:
    def __init__(self, http: httpx.Client, prefix: str = "/portal/app"):
        self.http, self.prefix = http, prefix

    def _call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        answer = self.http.request(method, f"{self.prefix}{path}", json=body)
        if answer.status_code >= 400:
            shaped = answer.json() if answer.content else {}
            errors = shaped.get("errors") or [{}]
            raise PortalRefused(
                errors[0].get("message", "ログインできません"), shaped.get("code", "")
            )
        return answer.json()

    def log_in(self, login_number: str, transmit: Transmit, pin: str) -> dict[str, Any]:
        """Sign the log-in `login_number` (as the browser shows it, spaces allowed) with the
        card; the portal's view of the log-in after (`checking`, or `refused` and why)."""
        login_id = "".join(login_number.split()).lower()
        view = self._call("GET", f"/logins/{login_id}")
        if view["status"] != "awaiting_card" or not view.get("to_sign"):
            raise PortalRefused("このログイン番号は使えません。画面を開き直してください", "used")
        certificate = read_auth_certificate(transmit)
        signature = sign_with_auth_key(transmit, pin, bytes.fromhex(view["to_sign"]))
        body = {
            "certificate": base64.b64encode(certificate).decode(),
            "signature": base64.b64encode(signature).decode(),
        }
        found: dict[str, Any] = self._call("POST", f"/logins/{login_id}/presentation", body)
        return found
