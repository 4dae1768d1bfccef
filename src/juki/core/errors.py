"""Errors that cross layers. Each names the field at fault and never carries personal data."""

from __future__ import annotations


class JukiError(Exception):
    """Base class: a rule was broken. `code` is stable, `field` names the input at fault."""

    code = "error"
    status = 400

    def __init__(self, message: str, *, field: str | None = None, code: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        if code is not None:
            self.code = code

    def as_dict(self) -> dict[str, str | None]:
        return {"code": self.code, "field": self.field, "message": self.message}


class InvalidInput(JukiError):
    """Malformed input: a wrong check digit, an impossible date, an unknown code."""

    code = "invalid_input"
    status = 422


class NotFound(JukiError):
    code = "not_found"
    status = 404


class Conflict(JukiError):
    """The request contradicts the current state (e.g. 転入 of a current resident)."""

    code = "conflict"
    status = 409


class Refused(JukiError):
    """Authentication, signature or permitted-path failure."""

    code = "refused"
    status = 403
