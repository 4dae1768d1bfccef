"""The kiosk's screen (Japanese), served by the terminal itself to its own browser: the
holder places the card, chooses the certificate, types the PIN (to the card, through the
reader), waits while the centre and the municipality answer, pays and prints. Each visit's
session key lives in this process's memory only and is forgotten once the PDF is printed."""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Annotated, Any

import httpx
from fastapi import FastAPI, Form, HTTPException
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape

from juki.core.errors import InvalidInput
from juki.holder.apdu import CardSession
from juki.holder.virtual_card import VirtualCard
from juki.kiosk_terminal.client import Centre, CentreRefused, Visit
from juki.reader.jpki import CardError

TEMPLATES = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=select_autoescape(("html",)),
)
TITLES = {"start": "証明書の交付", "visit": "証明書の交付"}


def terminal_app(http: httpx.Client) -> FastAPI:
    """The terminal's app, talking to the centre through `http` (base URL and the
    terminal system's signed tokens set by the caller)."""
    app = FastAPI(title="キオスク端末", docs_url=None, redoc_url=None, openapi_url=None)
    centre = Centre(http)
    visits: dict[str, Visit] = {}
    csrf = secrets.token_urlsafe(24)  # this screen's forms only (the kiosk's own browser)

    def page(name: str, status_code: int = 200, **values: Any) -> HTMLResponse:
        html = TEMPLATES.get_template(f"{name}.html").render(
            title=TITLES[name], csrf=csrf, **values
        )
        return HTMLResponse(html, status_code=status_code)

    def checked(token: str) -> None:
        if not secrets.compare_digest(token, csrf):
            raise HTTPException(403, "画面をもう一度開いてください")

    @app.get("/", response_class=HTMLResponse)
    def start() -> HTMLResponse:
        return page("start", form={})

    @app.post("/visits")
    def begin(
        csrf_token: Annotated[str, Form(alias="csrf")],
        card_path: Annotated[str, Form(max_length=500)] = "",
        pin: Annotated[str, Form(max_length=16)] = "",
        kind: Annotated[str, Form(pattern="^(copy|entries)$")] = "copy",
        scope: Annotated[str, Form(pattern="^(person|household)$")] = "person",
        include_domicile: Annotated[bool, Form()] = False,
        include_individual_number: Annotated[bool, Form()] = False,
    ) -> Response:
        checked(csrf_token)
        document = {"kind": kind, "scope": scope, "include_domicile": include_domicile,
                    "include_individual_number": include_individual_number}  # fmt: skip
        form = {"card_path": card_path, **document}
        try:
            card = VirtualCard.load(Path(card_path))
            visit = centre.open()
            centre.present(visit, CardSession(card).transmit, pin, document)
        except (InvalidInput, KeyError):
            return page("start", 422, form=form, error="カードを読み取れません。置き直してください")
        except (CardError, CentreRefused) as refused:
            return page("start", 422, form=form, error=refused.message)
        visits[visit.session_id] = visit
        return RedirectResponse(f"/visits/{visit.session_id}", status_code=303)

    def visit_of(session_id: str) -> Visit:
        found = visits.get(session_id)
        if found is None:
            raise HTTPException(404, "受付が見つかりません")
        return found

    @app.get("/visits/{session_id}", response_class=HTMLResponse)
    def follow(session_id: str) -> HTMLResponse:
        visit = visit_of(session_id)
        if visit.status not in ("ready", "refused", "expired", "collected"):
            centre.refresh(visit)
        waiting = visit.status in ("awaiting_card", "checking", "requesting")
        return page("visit", refresh=waiting, session_id=session_id, status=visit.status,
                    reason=visit.reason, fee_yen=visit.fee_yen)  # fmt: skip

    @app.post("/visits/{session_id}/print")
    def print_document(session_id: str, csrf_token: Annotated[str, Form(alias="csrf")]) -> Response:
        checked(csrf_token)
        visit = visit_of(session_id)
        try:
            pdf = centre.collect(visit)
        except CentreRefused as refused:
            return page("visit", 409, session_id=session_id, status="refused",
                        reason=refused.message)  # fmt: skip
        del visits[session_id]  # the session key goes with it
        # to the kiosk's printer (a browser saves it: its PDF viewer would stand between)
        disposition = {"Content-Disposition": "attachment; filename=certificate.pdf"}
        return Response(pdf, media_type="application/pdf", headers=disposition)

    return app
