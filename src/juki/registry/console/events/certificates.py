"""住民票の写し, 除票の写し and 転出証明書: the issue forms (one household, one removed person)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from juki.registry.certificates import service as certificates
from juki.registry.certificates.schemas import IssueRequest
from juki.registry.console.events.common import show_form
from juki.registry.console.forms import Field, FormPage, Group
from juki.registry.console.render import base_of, page
from juki.registry.console.session import Clerk, ClerkSession, Form, checked
from juki.registry.console.views import perform, resident_or_404
from juki.registry.households import service as households
from juki.registry.models import Resident
from juki.web.app import RecordId, UoW
from juki.web.rights import needs

router = APIRouter()


# --- certificates -----------------------------------------------------------------------------


def _certificate_form(request: Request, people: list[Resident], action: str, kind: str) -> FormPage:
    groups = [
        Group(
            "請求",
            [
                Field(
                    "requester_kind",
                    "請求者",
                    "select",
                    list(certificates.REQUESTER_LABELS.items()),
                    required=True,
                    value="self",
                ),
                Field("purpose", "請求事由（本人・同一世帯以外は必須）"),
            ],
        ),
        Group(
            "記載する者",
            [
                Field(
                    f"member_{m.id}", f"{m.name_kanji}（{m.relationship}）", "checkbox", value="on"
                )
                for m in people
            ],
        ),
        Group(
            "記載事項",
            [
                Field("include_relationship", "続柄", "checkbox", value="on"),
                Field("include_domicile", "本籍・筆頭者", "checkbox"),
                Field("include_resident_code", "住民票コード", "checkbox"),
                Field("include_individual_number", "個人番号", "checkbox"),
                Field("kind", "", "hidden", value=kind),
            ],
        ),
    ]
    title = certificates.KIND_LABELS[kind] + "の交付"
    return FormPage(title, action, groups, submit="交付する")


def _kind_field(kind: str) -> Field:
    if kind in ("removed_copy", "move_out"):
        return Field("kind", "", "hidden", value=kind)
    kinds = [("copy", "住民票の写し"), ("entries", "住民票記載事項証明書")]
    return Field("kind", "証明書の種類", "select", kinds, required=True, value=kind)


def _issue_request(fields: dict[str, str], clerk: ClerkSession) -> IssueRequest | None:
    """The request the form describes; None until the clerk says who is asking."""
    if fields.get("requester_kind") not in certificates.REQUESTER_LABELS:
        return None
    requester = fields.get("requester_id", "")
    return IssueRequest(
        kind=fields.get("kind", "copy"),  # type: ignore[arg-type]
        resident_ids=checked(fields, "member_"),
        requester_kind=fields["requester_kind"],  # type: ignore[arg-type]
        requester_id=int(requester) if requester.isdigit() else None,
        purpose=fields.get("purpose", "").strip(),
        clerk_login=clerk.login,
        terminal_id=clerk.terminal,
        **{k: fields.get(k) == "on" for k in certificates._OPTION_FIELDS},
    )


def _issue(
    request: Request, clerk: ClerkSession, fields: dict[str, str], form: FormPage
) -> Response:
    request_body = _issue_request(fields, clerk)
    if request_body is None:
        return show_form(request, clerk, form, fields, {"requester_kind": "選択してください"})
    outcome, errors = perform(
        request,
        lambda uow: certificates.issue(uow, request_body),
        number_touched=request_body.include_individual_number,
        targets=tuple(f"id={i}" for i in request_body.resident_ids),
    )
    if errors:
        if "resident_ids" in errors:
            errors["_form"] = errors.pop("resident_ids")
        return show_form(request, clerk, form, fields, errors)
    if isinstance(outcome, certificates.IssueRefused):
        return page(
            request,
            "message.html",
            "交付できません",
            clerk,
            403,
            message=outcome.message + "（拒否を記録し、監督者に通知しました）",
            css="refused",
            role="alert",
            links=[("メニューへ戻る", f"{base_of(request)}/")],
        )
    assert isinstance(outcome, certificates.Issued)
    return page(request, "issued.html", "交付しました", clerk, issue_no=outcome.issue_no)


@router.get("/households/{household_id}/certificate", response_class=HTMLResponse)
@needs("certificates", "read")
def certificate_form(request: Request, household_id: RecordId, clerk: Clerk, uow: UoW) -> Response:
    people = households.members(uow, household_id)
    action = f"{base_of(request)}/households/{household_id}/certificate"
    return show_form(request, clerk, _certificate_form(request, people, action, "copy"))


@router.post("/households/{household_id}/certificate")
@needs("certificates", "update")
def certificate(request: Request, household_id: RecordId, clerk: Clerk, fields: Form) -> Response:
    with request.app.state.node.unit_of_work() as uow:
        people = households.members(uow, household_id)
    action = f"{base_of(request)}/households/{household_id}/certificate"
    return _issue(request, clerk, fields, _certificate_form(request, people, action, "copy"))


def _removed_certificate_routes(slug: str, kind: str) -> None:
    """除票の写し or 転出証明書 for one removed person: a form and its post."""

    def form_for(request: Request, person: Resident) -> FormPage:
        action = f"{base_of(request)}/residents/{person.id}/{slug}"
        return _certificate_form(request, [person], action, kind)

    @router.get(f"/residents/{{resident_id}}/{slug}", response_class=HTMLResponse)
    @needs("certificates", "read")
    def show(request: Request, resident_id: RecordId, clerk: Clerk, uow: UoW) -> Response:
        return show_form(request, clerk, form_for(request, resident_or_404(uow, resident_id)))

    @router.post(f"/residents/{{resident_id}}/{slug}")
    @needs("certificates", "update")
    def submit(request: Request, resident_id: RecordId, clerk: Clerk, fields: Form) -> Response:
        with request.app.state.node.unit_of_work() as uow:
            form = form_for(request, resident_or_404(uow, resident_id))
        return _issue(request, clerk, fields, form)

    show.__name__, submit.__name__ = f"{kind}_form", kind


_removed_certificate_routes("removed-certificate", "removed_copy")


_removed_certificate_routes("move-out-certificate", "move_out")
