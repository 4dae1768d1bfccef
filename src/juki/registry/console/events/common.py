"""What the 届出 forms share: drawing a form with its errors beside the fields, the notice's
common items, and `person_event`, which adds the GET/POST pair of a 届出 about one resident."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from juki.core.messaging.node import UnitOfWork
from juki.registry.console import forms
from juki.registry.console.forms import Field, FormPage, Group
from juki.registry.console.notice_checks import next_page, take
from juki.registry.console.render import base_of, page
from juki.registry.console.session import Clerk, ClerkSession, Form, checked
from juki.registry.console.views import perform, redirect
from juki.registry.households import service as households
from juki.registry.models import Resident
from juki.registry.notice_checks import kinds
from juki.registry.notice_checks import service as notice_checks
from juki.registry.residents import service as residents
from juki.registry.residents.schemas import Notice
from juki.web.app import RecordId, UoW
from juki.web.rights import needs

NOTICE_NAMES = ["change_date", "notified_on"]


def codes(fields: dict[str, str]) -> dict[str, str]:
    """郵便番号 and 町字コード: blank means none, as the notices take it."""
    return {k: fields.get(k, "").strip() for k in ("postal_code", "town_code")}


def notice_of(fields: dict[str, str], clerk: ClerkSession) -> dict[str, Any]:
    return forms.blank_to_none(fields, NOTICE_NAMES) | {
        "operator_id": clerk.login,
        "terminal_id": clerk.terminal,
    }


def show_form(
    request: Request,
    clerk: ClerkSession,
    form: FormPage,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
) -> HTMLResponse:
    forms.fill(form.groups, values or {})
    return page(
        request,
        "form.html",
        form.title,
        clerk,
        422 if errors else 200,
        page=form,
        errors=errors or {},
    )


Taken = notice_checks.Applied | notice_checks.Entered


def to_person(request: Request, event: residents.EventRecord) -> Response:
    return redirect(request, f"/residents/{event.resident_id}", "recorded")


def submit_form(
    request: Request,
    clerk: ClerkSession,
    form: FormPage,
    fields: dict[str, str],
    action: Callable[[UnitOfWork], Any],
    then: Callable[[Any], Response],
    names: dict[str, str] | None = None,
) -> Response:
    result, errors = perform(request, action, names)
    if errors:
        return show_form(request, clerk, form, fields, errors)
    return then(result)


# --- 転居・転出・死亡 (the person, members moving along, new 続柄) -------------------------------


def household_fields(
    uow: UnitOfWork, person: Resident, *, tick: bool, relationships: bool = True
) -> list[Group]:
    others = [m for m in households.members(uow, person.household_id) if m.id != person.id]
    groups = []
    if tick and others:
        groups.append(
            Group(
                "同時に異動する世帯員",
                [
                    Field(f"member_{m.id}", f"{m.name_kanji}（{m.relationship}）", "checkbox")
                    for m in others
                ],
            )
        )
    if relationships:
        groups.append(
            Group(
                "異動後の続柄（世帯主が変わるときなど）",
                [
                    Field(
                        f"rel_{m.id}",
                        f"{m.name_kanji}",
                        "select",
                        forms.RELATIONSHIP_OPTIONS,
                        required=True,
                        value=m.relationship,
                    )
                    for m in [person, *others]
                ],
            )
        )
    return groups


def relationships(fields: dict[str, str], uow: UnitOfWork) -> dict[int, str]:
    """Only the 続柄 the clerk changed."""
    changed = {}
    for name, value in fields.items():
        if name.startswith("rel_") and name[4:].isdigit():
            person = uow.session.get(Resident, int(name[4:]))
            if person is not None and person.relationship != value:
                changed[int(name[4:])] = value
    return changed


def person_event(
    router: APIRouter,
    slug: str,
    title: str,
    extra: Callable[[Resident], list[Field]],
    build: Callable[[dict[str, str], ClerkSession, UnitOfWork], Notice],
    record: kinds.Record,
    *,
    tick: bool = True,
    household: bool = True,
    then: str | None = None,
    received: bool = False,
) -> None:
    """Register GET/POST routes for a 届出 about one resident (and who moves with them).
    `household`: the form also offers the household's 続柄 (for a head who leaves);
    `received`: a 届出 taken at the counter, with its intake (`forms.intake_fields`).
    `record` is the service function that records the 届出 (at once, or after its check)."""
    kinds.name_of(record)  # a function of no 届出 fails when the console is built, not later
    # Longer than a function should be: the form, its GET and its POST close over the same
    # options, and a reader sees one 届出's whole page in one place.

    def form_for(request: Request, uow: UnitOfWork, resident_id: int) -> FormPage:
        person = residents.current_resident(uow, resident_id)
        groups = [
            Group(
                "届出",
                [
                    *forms.notice_fields(),
                    *extra(person),
                    Field("_resident", "", "hidden", value=str(resident_id)),
                ],
            )
        ]
        if received:
            groups.append(Group("届出人・本人確認", forms.intake_fields()))
        if household:
            groups += household_fields(uow, person, tick=tick)
        return FormPage(
            f"{title}　{person.name_kanji}",
            f"{base_of(request)}/residents/{resident_id}/{slug}",
            groups,
        )

    @router.get(f"/residents/{{resident_id}}/{slug}", response_class=HTMLResponse)
    @needs("resident_records", "read")
    def show(request: Request, resident_id: RecordId, clerk: Clerk, uow: UoW) -> HTMLResponse:
        return show_form(request, clerk, form_for(request, uow, resident_id))

    @router.post(f"/residents/{{resident_id}}/{slug}")
    @needs("resident_records", "update")
    def submit(request: Request, resident_id: RecordId, clerk: Clerk, fields: Form) -> Response:
        def action(uow: UnitOfWork) -> Taken:
            return take(uow, clerk, record, build(fields, clerk, uow), resident_id)

        taken, errors = perform(request, action)
        if errors:
            with request.app.state.node.unit_of_work() as uow:
                form = form_for(request, uow, resident_id)
                return show_form(request, clerk, form, fields, errors)

        def recorded(_result: Any) -> Response:
            if then:  # e.g. straight on to the 転出証明書 after a 転出
                return redirect(request, f"/residents/{resident_id}/{then}", "recorded")
            return redirect(request, f"/residents/{resident_id}", "recorded")

        return next_page(request, taken, recorded)

    show.__name__, submit.__name__ = f"{slug}_form", slug


def effects(fields: dict[str, str], uow: UnitOfWork) -> dict[str, Any]:
    return {"members": checked(fields, "member_"), "relationships": relationships(fields, uow)}


def changed_items(fields: dict[str, str], uow: UnitOfWork, names: list[str]) -> dict[str, Any]:
    """Only the items the clerk changed from what the form showed (the record's values)."""
    resident_id = int(fields.get("_resident", "0") or 0)
    person = uow.session.get(Resident, resident_id) if resident_id else None
    given = forms.blank_to_none(fields, names)
    return {k: v for k, v in given.items() if person is None or str(getattr(person, k) or "") != v}
