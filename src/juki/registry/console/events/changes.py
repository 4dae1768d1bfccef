"""世帯変更, 住民票コードの変更請求 (住基法 30条の4) and 個人番号の変更 (番号法 7条2項)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from juki.core.messaging.node import UnitOfWork
from juki.registry.console import forms
from juki.registry.console.events.common import Taken, effects, notice_of, person_event, show_form
from juki.registry.console.forms import Field, FormPage, Group
from juki.registry.console.notice_checks import next_page, take
from juki.registry.console.render import base_of
from juki.registry.console.session import Clerk, Form
from juki.registry.console.views import perform, redirect
from juki.registry.households import service as households
from juki.registry.notices import changes, schemas
from juki.web.app import RecordId, UoW
from juki.web.rights import needs

router = APIRouter()


# --- 世帯変更 ----------------------------------------------------------------------------------


def _household_change_form(request: Request, uow: UnitOfWork, household_id: int) -> FormPage:
    # Longer than a function should be: a form is declared field by field, in the order the
    # clerk sees it, so that it reads against the paper form.
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
    return show_form(request, clerk, _household_change_form(request, uow, household_id))


@router.post("/households/{household_id}/change")
@needs("resident_records", "update")
def household_change(
    request: Request, household_id: RecordId, clerk: Clerk, fields: Form
) -> Response:
    def action(uow: UnitOfWork) -> Taken:
        notice = schemas.HouseholdChangeNotice.model_validate(
            notice_of(fields, clerk) | forms.intake_of(fields) | effects(fields, uow)
            | forms.blank_to_none(fields, ["kind", "from_household_id"])
        )  # fmt: skip
        return take(uow, clerk, changes.change_household, notice, household_id)

    taken, errors = perform(request, action)
    if errors:
        with request.app.state.node.unit_of_work() as uow:
            form = _household_change_form(request, uow, household_id)
            return show_form(request, clerk, form, fields, errors)
    return next_page(
        request, taken, lambda _ids: redirect(request, f"/households/{household_id}", "household")
    )


# --- 住民票コード・個人番号 -------------------------------------------------------------------

person_event(
    router, "resident-code-change", "住民票コードの変更請求（住基法 第30条の4）",
    lambda p: [],
    lambda f, c, uow: schemas.ResidentCodeChangeNotice.model_validate(notice_of(f, c)),
    changes.change_resident_code, tick=False, household=False,
)  # fmt: skip


person_event(
    router, "number-change", "個人番号の変更（番号法 第7条第2項）",
    lambda p: [Field("ground", "変更の理由", "select",
                     [("request", "本人の請求（漏えいして不正に用いられるおそれ）"),
                      ("ex_officio", "職権（漏えいして不正に用いられるおそれ）")],
                     required=True, value="request")],
    lambda f, c, uow: schemas.NumberChangeNotice.model_validate(
        notice_of(f, c) | {"ground": f.get("ground")}
    ),
    changes.request_number_change, tick=False, household=False,
)  # fmt: skip
