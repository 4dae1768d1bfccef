"""The counter console's session: the shared one (`juki.web.console.session`: two-step
log-in, idle lock, CSRF token), with the counter's idle lock.

Each page declares the right it needs where it is defined (`web/rights.py`, as GOV.UK
Notify declares each endpoint's authentication): a page without a declaration is refused
(deny by default), and a test checks that every console route has one.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from juki.web.console import session as shared
from juki.web.console.session import (
    ClerkSession,
    CsrfRefused,
    Form,
    LoginRequired,
    NotPermitted,
    checked,
    form_fields,
)
from juki.web.rights import checks_declaration

__all__ = [
    "Clerk",
    "ClerkSession",
    "CsrfRefused",
    "Form",
    "LoginRequired",
    "NotPermitted",
    "checked",
    "current_clerk",
    "form_fields",
]

IDLE_LOCK_S = shared.IDLE_LOCK_S  # an unattended counter terminal locks after 30 minutes


@checks_declaration
def current_clerk(request: Request) -> ClerkSession:
    # IDLE_LOCK_S is read at each request (a test moves it).
    return shared.current_clerk(request, IDLE_LOCK_S)


Clerk = Annotated[ClerkSession, Depends(current_clerk)]
