"""Errors that cross layers. Each names the field at fault and never carries personal data."""

from __future__ import annotations

import traceback


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


def redacted(exc: BaseException) -> str:
    """An exception for the log without the values it carries: a pydantic error's message
    quotes the input (a 個人番号 among them), a database error its parameters. What stays:
    the type, for a validation error the fields and error kinds, and the traceback's frames
    (file, line, function) — enough to find the fault, nothing personal."""
    # Imported here: pydantic is a heavy import this module does not otherwise need.
    from pydantic import ValidationError

    if isinstance(exc, ValidationError):
        where = ", ".join(
            f"{'.'.join(str(p) for p in e['loc']) or '(record)'} ({e['type']})"
            for e in exc.errors(include_input=False)[:10]
        )
        head = f"ValidationError: {exc.error_count()} error(s) at {where}"
    elif isinstance(exc, JukiError):
        head = f"{type(exc).__name__}: {exc.code} (field {exc.field or '-'})"
    else:
        head = type(exc).__name__
    frames = "".join(traceback.format_tb(exc.__traceback__))
    return f"{head}\n{frames}".rstrip()
