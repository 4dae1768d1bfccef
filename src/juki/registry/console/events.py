"""Console forms for the 届出: one GET that draws the form and one POST that records it,
through the same services and notices as the API. On a broken rule the form comes back
with each message beside its field and nothing recorded."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from juki.core.messaging.node import UnitOfWork
from juki.registry.certificates import service as certificates
from juki.registry.certificates.schemas import IssueRequest
from juki.registry.console import forms
from juki.registry.console.forms import Field, FormPage, Group
from juki.registry.console.notice_checks import next_page, take
from juki.registry.console.render import base_of, page
from juki.registry.console.session import Clerk, ClerkSession, Form, checked
from juki.registry.console.views import perform, redirect, resident_or_404
from juki.registry.ex_officio import schemas as ex_officio_schemas
from juki.registry.ex_officio import service as ex_officio
from juki.registry.foreign import schemas as foreign_schemas
from juki.registry.foreign import service as foreign
from juki.registry.households import service as households
from juki.registry.models import Resident
from juki.registry.notice_checks import kinds
from juki.registry.notice_checks import service as notice_checks
from juki.registry.notices import arrivals, changes, moves, schemas
from juki.registry.residents import service as residents
from juki.registry.residents.schemas import Notice
from juki.registry.support import service as support
from juki.registry.support.schemas import SupportRequest
from juki.web.app import RecordId, UoW
from juki.web.rights import needs

router = APIRouter()

NOTICE_NAMES = ["change_date", "notified_on"]


def _codes(fields: dict[str, str]) -> dict[str, str]:
    """郵便番号 and 町字コード: blank means none, as the notices take it."""
    return {k: fields.get(k, "").strip() for k in ("postal_code", "town_code")}


def _notice(fields: dict[str, str], clerk: ClerkSession) -> dict[str, Any]:
    return forms.blank_to_none(fields, NOTICE_NAMES) | {
        "operator_id": clerk.login,
        "terminal_id": clerk.terminal,
    }


def _show(
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


def _to_person(request: Request, event: residents.EventRecord) -> Response:
    return redirect(request, f"/residents/{event.resident_id}", "recorded")


def _submit(
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
        return _show(request, clerk, form, fields, errors)
    return then(result)


# --- 転入 (a household) ------------------------------------------------------------------------


def _move_in_form(request: Request) -> FormPage:
    groups = [
        Group("届出", forms.notice_fields("転入日")),
        Group("届出人・本人確認", forms.intake_fields()),
        Group(
            "前住所（転出証明書）",
            [
                Field(
                    "origin",
                    "転入元",
                    "select",
                    [("municipality", "国内の他市区町村"), ("abroad", "国外")],
                    required=True,
                    value="municipality",
                ),
                Field("previous_lg_code", "前住所の地方公共団体コード", inputmode="numeric"),
                Field("previous_address", "前住所"),
                Field("unreported_from", "未届期間の開始日（14日を過ぎた届出のとき）", "date"),
                Field(
                    "last_registered_lg_code",
                    "最終住民登録地の地方公共団体コード（国外転入のとき）",
                    inputmode="numeric",
                ),
                Field("last_registered_address", "最終住民登録地（国外転入のとき）"),
            ],
        ),
        Group("新しい住所", forms.address_fields()),
    ]
    for i in range(forms.MEMBER_ROWS):
        relationship = "世帯主" if i == 0 else ""
        member = [
            *forms.person_fields(f"m{i}_", required=i == 0),
            Field(
                f"m{i}_relationship",
                "続柄",
                "select",
                forms.RELATIONSHIP_OPTIONS,
                required=i == 0,
                value=relationship,
            ),
            Field(f"m{i}_resident_code", "住民票コード（転出証明書）", inputmode="numeric"),
            Field(f"m{i}_individual_number", "個人番号（転出証明書）", inputmode="numeric"),
            Field(
                f"m{i}_number_check_id",
                "個人番号の確認番号（カードの提示がないとき）",
                hint="「個人番号の真正性確認」の結果の確認番号",
            ),
        ]
        groups.append(Group(f"世帯員 {i + 1}" + ("（世帯主）" if i == 0 else ""), member))
    return FormPage(
        "転入届（世帯）",
        f"{base_of(request)}/move-in",
        groups,
        note="転出証明書の記載どおりに入力します。使わない世帯員の欄は空欄のままにします。",
    )


MEMBER_ITEMS = [
    "name_kanji",
    "name_kana",
    "birth_date",
    "sex",
    "name_roman",
    "relationship",
    "resident_code",
    "individual_number",
    "number_check_id",
]


@router.get("/move-in", response_class=HTMLResponse)
@needs("resident_records", "read")
def move_in_form(request: Request, clerk: Clerk) -> HTMLResponse:
    return _show(request, clerk, _move_in_form(request))


@router.post("/move-in")
@needs("resident_records", "update")
def move_in(request: Request, clerk: Clerk, fields: Form) -> Response:
    members: list[dict[str, Any]] = []
    names: dict[str, str] = {}
    for i in range(forms.MEMBER_ROWS):
        row = forms.blank_to_none(fields, [f"m{i}_{k}" for k in MEMBER_ITEMS])
        if not any(v for k, v in row.items() if not k.endswith("relationship")) and i > 0:
            continue
        for k in MEMBER_ITEMS:
            names[f"members.{len(members)}.{k}"] = f"m{i}_{k}"
        members.append({k: row[f"m{i}_{k}"] for k in MEMBER_ITEMS})
    common = forms.blank_to_none(
        fields,
        [
            "origin",
            "previous_lg_code",
            "previous_address",
            "address",
            "unreported_from",
            "last_registered_lg_code",
            "last_registered_address",
        ],
    ) | _codes(fields)

    def record(uow: UnitOfWork) -> Taken:
        notice = schemas.HouseholdMoveInNotice.model_validate(
            _notice(fields, clerk) | forms.intake_of(fields) | common | {"members": members}
        )
        return take(uow, clerk, arrivals.record_household_move_in, notice)

    return _submit(
        request,
        clerk,
        _move_in_form(request),
        fields,
        record,
        lambda taken: next_page(request, taken, lambda events: _to_person(request, events[0])),
        names,
    )


# --- 出生 --------------------------------------------------------------------------------------


def _birth_form(request: Request, household_id: int, address: str) -> FormPage:
    groups = [
        Group("届出", forms.notice_fields("出生日")),
        Group(
            "子",
            [
                *forms.person_fields()[:2],
                forms.person_fields()[3],
                forms.person_fields()[4],
                Field(
                    "relationship",
                    "続柄",
                    "select",
                    forms.RELATIONSHIP_OPTIONS,
                    required=True,
                    value="子",
                ),
                Field("address", "住所", required=True, value=address),
            ],
        ),
    ]
    return FormPage(
        "出生届",
        f"{base_of(request)}/households/{household_id}/birth",
        groups,
        note=f"世帯番号 {household_id} に記載します。出生日が生年月日になります。",
    )


def _head_address(uow: UnitOfWork, household_id: int) -> str:
    households.current_household(uow, household_id)
    head = households.head_of(uow, household_id)
    return head.address if head else ""


@router.get("/households/{household_id}/birth", response_class=HTMLResponse)
@needs("resident_records", "read")
def birth_form(request: Request, household_id: RecordId, clerk: Clerk, uow: UoW) -> HTMLResponse:
    form = _birth_form(request, household_id, _head_address(uow, household_id))
    return _show(request, clerk, form)


@router.post("/households/{household_id}/birth")
@needs("resident_records", "update")
def birth(request: Request, household_id: RecordId, clerk: Clerk, fields: Form) -> Response:
    person = forms.blank_to_none(
        fields, ["name_kanji", "name_kana", "sex", "relationship", "name_roman"]
    )

    def record(uow: UnitOfWork) -> Taken:
        notice = schemas.BirthNotice.model_validate(
            dict(
                **_notice(fields, clerk),
                **person,
                household_id=household_id,
                birth_date=fields.get("change_date") or None,
                address=fields.get("address", ""),
            )
        )
        return take(uow, clerk, arrivals.record_birth, notice)

    form = _birth_form(request, household_id, fields.get("address", ""))
    return _submit(
        request,
        clerk,
        form,
        fields,
        record,
        lambda taken: next_page(request, taken, lambda event: _to_person(request, event)),
        {"birth_date": "change_date"},
    )


# --- 転居・転出・死亡 (the person, members moving along, new 続柄) -------------------------------


def _household_fields(
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


def _relationships(fields: dict[str, str], uow: UnitOfWork) -> dict[int, str]:
    """Only the 続柄 the clerk changed."""
    changed = {}
    for name, value in fields.items():
        if name.startswith("rel_") and name[4:].isdigit():
            person = uow.session.get(Resident, int(name[4:]))
            if person is not None and person.relationship != value:
                changed[int(name[4:])] = value
    return changed


def _person_event(
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
            groups += _household_fields(uow, person, tick=tick)
        return FormPage(
            f"{title}　{person.name_kanji}",
            f"{base_of(request)}/residents/{resident_id}/{slug}",
            groups,
        )

    @router.get(f"/residents/{{resident_id}}/{slug}", response_class=HTMLResponse)
    @needs("resident_records", "read")
    def show(request: Request, resident_id: RecordId, clerk: Clerk, uow: UoW) -> HTMLResponse:
        return _show(request, clerk, form_for(request, uow, resident_id))

    @router.post(f"/residents/{{resident_id}}/{slug}")
    @needs("resident_records", "update")
    def submit(request: Request, resident_id: RecordId, clerk: Clerk, fields: Form) -> Response:
        def action(uow: UnitOfWork) -> Taken:
            return take(uow, clerk, record, build(fields, clerk, uow), resident_id)

        taken, errors = perform(request, action)
        if errors:
            with request.app.state.node.unit_of_work() as uow:
                form = form_for(request, uow, resident_id)
                return _show(request, clerk, form, fields, errors)

        def recorded(_result: Any) -> Response:
            if then:  # e.g. straight on to the 転出証明書 after a 転出
                return redirect(request, f"/residents/{resident_id}/{then}", "recorded")
            return redirect(request, f"/residents/{resident_id}", "recorded")

        return next_page(request, taken, recorded)

    show.__name__, submit.__name__ = f"{slug}_form", slug


def _effects(fields: dict[str, str], uow: UnitOfWork) -> dict[str, Any]:
    return {"members": checked(fields, "member_"), "relationships": _relationships(fields, uow)}


_person_event(
    "move-within",
    "転居届",
    lambda p: forms.address_fields(),
    lambda f, c, uow: schemas.MoveWithinNotice.model_validate(
        _notice(f, c)
        | forms.intake_of(f)
        | _effects(f, uow)
        | forms.blank_to_none(f, ["address"])
        | _codes(f)
    ),
    moves.record_move_within,
    received=True,
)
_person_event(
    "move-out",
    "転出届",
    lambda p: [
        Field("destination_address", "転出予定地", required=True),
        Field("destination_lg_code", "転出先の地方公共団体コード", inputmode="numeric"),
    ],
    lambda f, c, uow: schemas.MoveOutNotice.model_validate(
        _notice(f, c)
        | forms.intake_of(f)
        | _effects(f, uow)
        | forms.blank_to_none(f, ["destination_address", "destination_lg_code"])
    ),
    moves.record_move_out,
    then="move-out-certificate",
    received=True,
)
_person_event(
    "death",
    "死亡届",
    lambda p: [],
    lambda f, c, uow: schemas.DeathNotice.model_validate(
        _notice(f, c) | {"relationships": _relationships(f, uow)}
    ),
    moves.record_death,
    tick=False,
)
_person_event(
    "cancel",
    "異動の取消し",
    lambda p: [Field("reason", "取消しの理由", "textarea", required=True)],
    lambda f, c, uow: schemas.CancellationNotice(
        **_notice(f, c), reason=(f.get("reason") or "").strip()
    ),
    changes.cancel_last_change,
    tick=False,
    household=False,
)


# --- 世帯変更 ----------------------------------------------------------------------------------


def _household_change_form(request: Request, uow: UnitOfWork, household_id: int) -> FormPage:
    households.current_household(uow, household_id)
    members = households.members(uow, household_id)
    groups = [
        Group(
            "届出",
            [
                *forms.notice_fields(),
                Field(
                    "kind",
                    "変更の種類",
                    "select",
                    [("head_change", "世帯主変更"), ("split", "世帯分離"), ("merge", "世帯合併")],
                    required=True,
                    value="head_change",
                ),
                Field(
                    "from_household_id",
                    "合併する世帯の世帯番号（世帯合併のとき）",
                    inputmode="numeric",
                ),
            ],
        ),
        Group("届出人・本人確認", forms.intake_fields()),
        Group(
            "分離する世帯員（世帯分離のとき）",
            [
                Field(f"member_{m.id}", f"{m.name_kanji}（{m.relationship}）", "checkbox")
                for m in members
            ],
        ),
        Group(
            "変更後の続柄",
            [
                Field(
                    f"rel_{m.id}",
                    m.name_kanji,
                    "select",
                    forms.RELATIONSHIP_OPTIONS,
                    required=True,
                    value=m.relationship,
                )
                for m in members
            ],
        ),
    ]
    return FormPage(
        f"世帯変更届　世帯番号 {household_id}",
        f"{base_of(request)}/households/{household_id}/change",
        groups,
    )


@router.get("/households/{household_id}/change", response_class=HTMLResponse)
@needs("resident_records", "read")
def household_change_form(
    request: Request, household_id: RecordId, clerk: Clerk, uow: UoW
) -> HTMLResponse:
    return _show(request, clerk, _household_change_form(request, uow, household_id))


@router.post("/households/{household_id}/change")
@needs("resident_records", "update")
def household_change(
    request: Request, household_id: RecordId, clerk: Clerk, fields: Form
) -> Response:
    def action(uow: UnitOfWork) -> Taken:
        notice = schemas.HouseholdChangeNotice.model_validate(
            _notice(fields, clerk) | forms.intake_of(fields) | _effects(fields, uow)
            | forms.blank_to_none(fields, ["kind", "from_household_id"])
        )  # fmt: skip
        return take(uow, clerk, changes.change_household, notice, household_id)

    taken, errors = perform(request, action)
    if errors:
        with request.app.state.node.unit_of_work() as uow:
            form = _household_change_form(request, uow, household_id)
            return _show(request, clerk, form, fields, errors)
    return next_page(
        request, taken, lambda _ids: redirect(request, f"/households/{household_id}", "household")
    )


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


def _restore_form(request: Request, resident_id: int) -> FormPage:
    return FormPage(
        "職権回復",
        f"{base_of(request)}/residents/{resident_id}/restoration",
        [
            Group("回復", [
                *forms.notice_fields("回復日"),
                Field("evidence", "根拠（誤った消除であることの確認）", "textarea", required=True),
                *forms.placement_fields(),
            ]),
        ],
    )  # fmt: skip


@router.get("/residents/{resident_id}/restoration", response_class=HTMLResponse)
@needs("resident_records", "read")
def restore_form(request: Request, resident_id: RecordId, clerk: Clerk) -> HTMLResponse:
    return _show(request, clerk, _restore_form(request, resident_id))


@router.post("/residents/{resident_id}/restoration")
@needs("resident_records", "update")
def restore(request: Request, resident_id: RecordId, clerk: Clerk, fields: Form) -> Response:
    def action(uow: UnitOfWork) -> Taken:
        notice = ex_officio_schemas.RestoreNotice.model_validate(
            _notice(fields, clerk)
            | forms.blank_to_none(fields, ["evidence", "household_id", "relationship"])
        )
        return take(uow, clerk, ex_officio.restore, notice, resident_id)

    return _submit(
        request, clerk, _restore_form(request, resident_id), fields, action,
        lambda taken: next_page(
            request, taken, lambda _r: redirect(request, f"/residents/{resident_id}", "recorded")
        ),
    )  # fmt: skip


def _issue(
    request: Request, clerk: ClerkSession, fields: dict[str, str], form: FormPage
) -> Response:
    options = {k: fields.get(k) == "on" for k in certificates._OPTION_FIELDS}
    request_body = (
        IssueRequest(
            kind=fields.get("kind", "copy"),  # type: ignore[arg-type]
            resident_ids=checked(fields, "member_"),
            requester_kind=fields.get("requester_kind", "self"),  # type: ignore[arg-type]
            requester_id=int(fields["requester_id"])
            if fields.get("requester_id", "").isdigit()
            else None,
            purpose=fields.get("purpose", "").strip(),
            clerk_login=clerk.login,
            terminal_id=clerk.terminal,
            **options,
        )
        if fields.get("requester_kind") in certificates.REQUESTER_LABELS
        else None
    )
    if request_body is None:
        return _show(request, clerk, form, fields, {"requester_kind": "選択してください"})
    outcome, errors = perform(
        request,
        lambda uow: certificates.issue(uow, request_body),
        number_touched=request_body.include_individual_number,
        targets=tuple(f"id={i}" for i in request_body.resident_ids),
    )
    if errors:
        if "resident_ids" in errors:
            errors["_form"] = errors.pop("resident_ids")
        return _show(request, clerk, form, fields, errors)
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
    return _show(request, clerk, _certificate_form(request, people, action, "copy"))


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
        return _show(request, clerk, form_for(request, resident_or_404(uow, resident_id)))

    @router.post(f"/residents/{{resident_id}}/{slug}")
    @needs("certificates", "update")
    def submit(request: Request, resident_id: RecordId, clerk: Clerk, fields: Form) -> Response:
        with request.app.state.node.unit_of_work() as uow:
            form = form_for(request, resident_or_404(uow, resident_id))
        return _issue(request, clerk, fields, form)

    show.__name__, submit.__name__ = f"{kind}_form", kind


_removed_certificate_routes("removed-certificate", "removed_copy")
_removed_certificate_routes("move-out-certificate", "move_out")


# --- 支援措置 (supervisor) ----------------------------------------------------------------------


def _support_form(request: Request, resident_id: int) -> FormPage:
    kinds = list(support.KIND_LABELS.items())
    return FormPage(
        "支援措置の登録",
        f"{base_of(request)}/residents/{resident_id}/support",
        [
            Group(
                "支援措置",
                [
                    Field("kind", "種別", "select", kinds, required=True, value="dv"),
                    Field("starts_on", "開始日", "date", required=True, value=forms.today()),
                    Field("ends_on", "終了日（空欄なら1年）", "date"),
                ],
            ),
        ],
    )


@router.get("/residents/{resident_id}/support", response_class=HTMLResponse)
@needs("support_measures", "read")
def support_form(request: Request, resident_id: RecordId, clerk: Clerk) -> Response:
    return _show(request, clerk, _support_form(request, resident_id))


@router.post("/residents/{resident_id}/support")
@needs("support_measures", "update")
def register_support(
    request: Request, resident_id: RecordId, clerk: Clerk, fields: Form
) -> Response:
    def action(uow: UnitOfWork) -> int:
        resident_or_404(uow, resident_id)
        body = SupportRequest(
            **forms.blank_to_none(fields, ["kind", "starts_on", "ends_on"]),
            registered_by=clerk.login,
        )
        return support.register_measure(uow, resident_id, body)

    return _submit(
        request,
        clerk,
        _support_form(request, resident_id),
        fields,
        action,
        lambda _id: redirect(request, f"/residents/{resident_id}", "support"),
    )


__all__ = ["dt", "router"]


# --- 職権・戸籍通知・外国人住民 (one resident) ------------------------------------------------


def _removal(fields: dict[str, str], clerk: ClerkSession, uow: UnitOfWork) -> schemas.DeathNotice:
    return schemas.DeathNotice.model_validate(
        _notice(fields, clerk) | {"relationships": _relationships(fields, uow)}
    )


_person_event(
    "ex-officio-removal", "職権消除", lambda p: [], _removal,
    ex_officio.record_ex_officio_removal, tick=False,
)  # fmt: skip
_person_event(
    "disappearance", "失踪宣告", lambda p: [], _removal, ex_officio.record_disappearance,
    tick=False,
)  # fmt: skip
_person_event(
    "koseki-notice", "戸籍通知（本籍地から）",
    lambda p: [
        Field("name_kanji", "新しい氏名（変更があるとき）"),
        Field("name_kana", "新しいふりがな"),
        Field("domicile", "本籍", value=p.domicile or ""),
        Field("family_head_name", "筆頭者", value=p.family_head_name or ""),
    ],
    lambda f, c, uow: ex_officio_schemas.KosekiNotice.model_validate(
        _notice(f, c) | forms.blank_to_none(
            f, ["name_kanji", "name_kana", "domicile", "family_head_name"]
        )
    ),
    ex_officio.record_koseki_notice, tick=False, household=False,
)  # fmt: skip
_person_event(
    "immigration-notice", "法務大臣からの通知（在留期間更新等）",
    lambda p: [
        Field("residence_card_no", "在留カード番号", value=p.residence_card_no or ""),
        Field("residence_status", "在留資格", value=p.residence_status or ""),
        Field("period_of_stay", "在留期間", value=p.period_of_stay or ""),
        Field("stay_expires_on", "在留期間の満了日", "date",
              value=str(p.stay_expires_on or "")),
    ],
    lambda f, c, uow: foreign_schemas.ImmigrationNoticeEntry.model_validate(
        _notice(f, c) | _changed(f, uow, ["residence_card_no", "residence_status",
                                          "period_of_stay", "stay_expires_on"])
    ),
    foreign.enter_immigration_notice, tick=False, household=False,
)  # fmt: skip
_person_event(
    "alias", "通称の記載・削除",
    lambda p: [Field("alias", "通称（空欄で削除）", value=p.alias or ""),
               Field("alias_kana", "通称のふりがな", value=p.alias_kana or "")],
    lambda f, c, uow: foreign_schemas.AliasNotice.model_validate(
        _notice(f, c) | forms.blank_to_none(f, ["alias", "alias_kana"])
    ),
    foreign.record_alias, tick=False, household=False,
)  # fmt: skip
_person_event(
    "naturalization", "帰化",
    lambda p: [Field("name_kanji", "帰化後の氏名"), Field("name_kana", "帰化後のふりがな"),
               Field("domicile", "本籍", required=True),
               Field("family_head_name", "筆頭者", required=True)],
    lambda f, c, uow: foreign_schemas.NaturalizationNotice.model_validate(
        _notice(f, c) | forms.blank_to_none(
            f, ["name_kanji", "name_kana", "domicile", "family_head_name"]
        )
    ),
    foreign.naturalize, tick=False, household=False,
)  # fmt: skip


def _changed(fields: dict[str, str], uow: UnitOfWork, names: list[str]) -> dict[str, Any]:
    """Only the items the clerk changed from what the form showed (the record's values)."""
    resident_id = int(fields.get("_resident", "0") or 0)
    person = uow.session.get(Resident, resident_id) if resident_id else None
    given = forms.blank_to_none(fields, names)
    return {k: v for k, v in given.items() if person is None or str(getattr(person, k) or "") != v}


# --- 外国人住民の転入 / 職権記載 (new people) ---------------------------------------------------


def _foreign_form(request: Request) -> FormPage:
    categories = [(c.value, c.value) for c in foreign_schemas.ForeignCategory]
    return FormPage(
        "外国人住民の転入届（法30条の46）",
        f"{base_of(request)}/foreign-move-in",
        [
            Group("届出", forms.notice_fields("転入日")),
            Group("届出人・本人確認", forms.intake_fields()),
            Group(
                "本人",
                [
                    *forms.person_fields(),
                    Field("alias", "通称"),
                    Field("alias_kana", "通称のふりがな"),
                ],
            ),
            Group(
                "在留カード",
                [
                    Field("nationality_code", "国籍コード（ISO 3桁）", required=True),
                    Field("nationality", "国籍・地域", required=True),
                    Field(
                        "foreign_category",
                        "30条の45区分",
                        "select",
                        categories,
                        required=True,
                        value="中長期在留者",
                    ),
                    Field("residence_card_no", "在留カード番号"),
                    Field("residence_status", "在留資格"),
                    Field("period_of_stay", "在留期間"),
                    Field("stay_expires_on", "在留期間の満了日", "date"),
                ],
            ),
            Group(
                "住所と世帯",
                [
                    *forms.address_fields(),
                    *forms.placement_fields(),
                ],
            ),
        ],
    )


RESIDENCE = [
    "nationality_code", "nationality", "foreign_category", "residence_card_no",
    "residence_status", "period_of_stay", "stay_expires_on",
]  # fmt: skip


@router.get("/foreign-move-in", response_class=HTMLResponse)
@needs("resident_records", "read")
def foreign_move_in_form(request: Request, clerk: Clerk) -> HTMLResponse:
    return _show(request, clerk, _foreign_form(request))


@router.post("/foreign-move-in")
@needs("resident_records", "update")
def foreign_move_in(request: Request, clerk: Clerk, fields: Form) -> Response:
    person = ["name_kanji", "name_kana", "birth_date", "sex", "address", "alias", "alias_kana",
              "household_id", "relationship"]  # fmt: skip

    def action(uow: UnitOfWork) -> Taken:
        notice = foreign_schemas.ForeignMoveInNotice.model_validate(
            _notice(fields, clerk) | forms.intake_of(fields) | _codes(fields)
            | forms.blank_to_none(fields, person)
            | {"residence": forms.blank_to_none(fields, RESIDENCE)}
        )  # fmt: skip
        return take(uow, clerk, foreign.record_move_in, notice)

    names = {f"residence.{k}": k for k in RESIDENCE}
    return _submit(
        request, clerk, _foreign_form(request), fields, action,
        lambda taken: next_page(request, taken, lambda event: _to_person(request, event)), names,
    )  # fmt: skip


def _entry_form(request: Request) -> FormPage:
    return FormPage(
        "職権記載",
        f"{base_of(request)}/ex-officio-entry",
        [
            Group(
                "記載",
                [
                    *forms.notice_fields("記載日"),
                    Field("evidence", "根拠（実態調査の結果など）", "textarea", required=True),
                ],
            ),
            Group("本人", forms.person_fields()),
            Group(
                "住所と世帯",
                [
                    *forms.address_fields(),
                    *forms.placement_fields(),
                ],
            ),
        ],
    )


@router.get("/ex-officio-entry", response_class=HTMLResponse)
@needs("resident_records", "read")
def entry_form(request: Request, clerk: Clerk) -> HTMLResponse:
    return _show(request, clerk, _entry_form(request))


@router.post("/ex-officio-entry")
@needs("resident_records", "update")
def entry(request: Request, clerk: Clerk, fields: Form) -> Response:
    items = ["name_kanji", "name_kana", "birth_date", "sex", "address", "household_id",
             "relationship", "evidence"]  # fmt: skip

    def action(uow: UnitOfWork) -> Taken:
        notice = ex_officio_schemas.ExOfficioEntryNotice.model_validate(
            _notice(fields, clerk) | _codes(fields) | forms.blank_to_none(fields, items)
        )
        return take(uow, clerk, ex_officio.record_entry, notice)

    return _submit(
        request, clerk, _entry_form(request), fields, action,
        lambda taken: next_page(request, taken, lambda event: _to_person(request, event)),
    )  # fmt: skip


# --- 住民票コード・個人番号 -------------------------------------------------------------------

_person_event(
    "resident-code-change", "住民票コードの変更請求（住基法 第30条の4）",
    lambda p: [],
    lambda f, c, uow: schemas.ResidentCodeChangeNotice.model_validate(_notice(f, c)),
    changes.change_resident_code, tick=False, household=False,
)  # fmt: skip
_person_event(
    "number-change", "個人番号の変更（番号法 第7条第2項）",
    lambda p: [Field("ground", "変更の理由", "select",
                     [("request", "本人の請求（漏えいして不正に用いられるおそれ）"),
                      ("ex_officio", "職権（漏えいして不正に用いられるおそれ）")],
                     required=True, value="request")],
    lambda f, c, uow: schemas.NumberChangeNotice.model_validate(
        _notice(f, c) | {"ground": f.get("ground")}
    ),
    changes.request_number_change, tick=False, household=False,
)  # fmt: skip
