"""What makes one node's console its own: its name, its
templates (the node's directories first, then the shared log-in pages), its static files,
and the purpose its reads are logged under. Everything else (session, log-in, CSRF,
refusals) is the same for every node."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated

from fastapi import Depends, Request
from fastapi.templating import Jinja2Templates

from juki.core.clock import in_japan
from juki.core.wareki import wareki
from juki.web.console.session import ClerkSession, current_clerk
from juki.web.rights import checks_declaration

HERE = Path(__file__).parent
SHARED_TEMPLATES = HERE / "templates"
SHARED_STATIC = HERE / "static"


def local_time(moment: dt.datetime) -> str:
    """処理日時 as the clerk reads it: Japan time (stored in UTC; SQLite drops the zone)."""
    return in_japan(moment).strftime("%Y-%m-%d %H:%M")


def templates_for(*directories: Path) -> Jinja2Templates:
    """One Jinja2 environment over the node's template directories, then the shared ones
    (log-in, second factor, enrolment, messages, the layout): a node's file of the same
    name wins."""
    templates = Jinja2Templates(directory=[*directories, SHARED_TEMPLATES])
    templates.env.globals["wareki"] = wareki
    templates.env.globals["sex"] = {"1": "男", "2": "女"}
    templates.env.filters["jst"] = local_time
    return templates


@dataclass(frozen=True)
class ConsoleSite:
    system: str  # the system's name on every page, e.g. 住民記録システム, 市町村CS
    templates: Jinja2Templates
    purpose: str  # what reads in this console are logged as (the audit log's purpose)
    static: Path | None = None  # the node's own static files, before the shared ones
    cookie: str = "juki_console"  # the session cookie's prefix (one per node on a host)
    flashes: Mapping[str, str] = field(default_factory=dict)  # ?done=<key> → message
    idle_lock_s: float | None = None  # None: session.IDLE_LOCK_S (30 minutes)

    def current_clerk(self, request: Request) -> ClerkSession:
        """The dependency for this console's pages (see `session.current_clerk`)."""
        return current_clerk(request, self.idle_lock_s)


@checks_declaration
def site_clerk(request: Request) -> ClerkSession:
    """The dependency of the pages: the logged-in operator of whichever console serves the
    request, checked against the right the page declares (`web/rights.py`)."""
    site: ConsoleSite = request.app.state.console
    return site.current_clerk(request)


SiteClerk = Annotated[ClerkSession, Depends(site_clerk)]
