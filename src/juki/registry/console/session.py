"""The counter console's session: the shared one (`juki.web.console.session`: two-step
log-in, idle lock, CSRF token), bound to the registry's declared page rights.

Which right each page needs is declared once, in `PAGE_RIGHTS` (as GOV.UK Notify declares
each endpoint's authentication): a page with no rule is refused (deny by default), and a
test checks that every console route has one.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from juki.web.console import session as shared
from juki.web.console.operators import OPERATORS_PAGE_RIGHTS
from juki.web.console.session import (
    LOGGED_IN,
    ClerkSession,
    CsrfRefused,
    Form,
    LoginRequired,
    NotPermitted,
    PageRule,
    checked,
    form_fields,
)

__all__ = [
    "LOGGED_IN",
    "PAGE_RIGHTS",
    "Clerk",
    "ClerkSession",
    "CsrfRefused",
    "Form",
    "LoginRequired",
    "NotPermitted",
    "checked",
    "current_clerk",
    "form_fields",
    "permitted",
    "rule_for",
]

IDLE_LOCK_S = shared.IDLE_LOCK_S  # an unattended counter terminal locks after 30 minutes

# (method, route pattern under /console, duties (any one suffices), access). First match wins.
PAGE_RIGHTS: list[PageRule] = [
    ("GET", "/", (LOGGED_IN,), "read"),  # the menu shows only what the rights allow
    ("POST", "/logout", (LOGGED_IN,), "read"),
    # 利用者・権限の管理 and one's own password: the page every console shares.
    *OPERATORS_PAGE_RIGHTS,
    ("GET", "/audit", ("audit_review",), "read"),
    ("GET", "/anomalies", ("audit_review",), "read"),
    ("GET", "/certificates/*", ("certificates",), "read"),
    ("GET", "/households/*/certificate", ("certificates",), "read"),
    ("POST", "/households/*/certificate", ("certificates",), "update"),
    ("GET", "/residents/*/*-certificate", ("certificates",), "read"),
    ("POST", "/residents/*/*-certificate", ("certificates",), "update"),
    ("GET", "/wide-area*", ("certificates",), "read"),
    ("POST", "/wide-area*", ("certificates",), "update"),
    ("GET", "/residents/*/support", ("support_measures",), "read"),
    ("POST", "/residents/*/support", ("support_measures",), "update"),
    ("GET", "/refusals", ("support_measures",), "read"),
    ("POST", "/refusals/*", ("support_measures",), "update"),
    # Each step's own right (enter/confirm: resident_records, approve: correction_approval)
    # is checked again by registry/corrections.py.
    ("*", "/corrections*", ("resident_records", "correction_approval"), "read"),
    # 届出点検 (001b C-01): the list and an entry are open to the counter (a clerk sees what
    # was sent back); confirming or sending back needs the check's right, withdrawing the
    # counter's. registry/notice_checks/service.py checks each step's operator again.
    ("GET", "/pending-notices*", ("resident_records", "notice_check"), "read"),
    ("POST", "/pending-notices/*/withdraw", ("resident_records",), "update"),
    ("POST", "/pending-notices/*", ("notice_check",), "update"),
    # 交付申請書の再発行 (000 P3.4): the card counter's own right (it sends the 送付先情報).
    ("GET", "/residents/*/application-form-reissue", ("card_counter",), "update"),
    ("POST", "/residents/*/application-form-reissue", ("card_counter",), "update"),
    ("POST", "/search", ("resident_records",), "read"),
    ("POST", "/residents/*/print", ("resident_records",), "read"),  # logged as an output
    # Copying data out of the system: administrators only (001a USE-4-2).
    ("POST", "/immigration-notices/export", ("data_export",), "update"),
    ("GET", "/*", ("resident_records",), "read"),
    ("POST", "/*", ("resident_records",), "update"),
]


def rule_for(method: str, route_path: str) -> tuple[tuple[str, ...], str] | None:
    return shared.rule_for(PAGE_RIGHTS, method, route_path)


def permitted(clerk: ClerkSession, method: str, route_path: str) -> bool:
    return shared.permitted(PAGE_RIGHTS, clerk, method, route_path)


def current_clerk(request: Request) -> ClerkSession:
    # IDLE_LOCK_S is read at each request (a test moves it).
    return shared.current_clerk(request, PAGE_RIGHTS, IDLE_LOCK_S)


Clerk = Annotated[ClerkSession, Depends(current_clerk)]
