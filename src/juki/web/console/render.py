"""Rendering a console page with the node's templates and the common context."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse

from juki.core.messaging.paths import code_of, role_of
from juki.core.places import municipality, prefecture_name
from juki.web.console.session import ClerkSession
from juki.web.console.site import ConsoleSite

JLIS = "地方公共団体情報システム機構"


def site_of(request: Request) -> ConsoleSite:
    site: ConsoleSite = request.app.state.console
    return site


def base_of(request: Request) -> str:
    return f"{request.scope.get('root_path', '')}/console"


def office_of(request: Request) -> str:
    """Whose system it is: the municipality a registry or CS serves (東京都墨田区), the
    prefecture (東京都), or J-LIS for the national server and the card management system."""
    node_id: str = request.app.state.node.node_id
    role = role_of(node_id)
    if role == "prefecture":
        return prefecture_name(code_of(node_id))
    if role in ("national", "card", "jpki", "kiosk"):  # J-LIS's (000 §2.3, §2.4)
        return JLIS
    if role == "issuance":  # J-LIS's contractor (000 §1: 委託事業者（カード発行事務）)
        return "カード発行事業者"
    if role == "infonet":  # デジタル庁 runs it (番号法 第21条)
        return "デジタル庁"
    if role not in ("registry", "cs", "atena", "intermediate"):
        return node_id
    place = municipality(code_of(node_id))
    return f"{place.prefecture}{place.name}"


def page(
    request: Request,
    template: str,
    title: str,
    clerk: ClerkSession | None,
    status_code: int = 200,
    **context: Any,
) -> HTMLResponse:
    site = site_of(request)
    done = request.query_params.get("done")
    return site.templates.TemplateResponse(
        request,
        template,
        {
            "title": title,
            "clerk": clerk,
            "base": base_of(request),
            "office": office_of(request),
            "system": site.system,
            "errors": {},
            "flash": done and site.flashes.get(done),
        }
        | context,
        status_code=status_code,
    )
