"""職権: 回復, 消除, 失踪宣告, 戸籍通知 and 職権記載 (住基法施行令 12条)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from juki.core.messaging.node import UnitOfWork
from juki.registry.console import forms
from juki.registry.console.events.common import (
    Taken,
    codes,
    notice_of,
    person_event,
    relationships,
    show_form,
    submit_form,
    to_person,
)
from juki.registry.console.forms import Field, FormPage, Group
from juki.registry.console.notice_checks import next_page, take
from juki.registry.console.render import base_of
from juki.registry.console.session import Clerk, ClerkSession, Form
from juki.registry.console.views import redirect
from juki.registry.ex_officio import schemas as ex_officio_schemas
from juki.registry.ex_officio import service as ex_officio
from juki.registry.notices import schemas
from juki.web.app import RecordId
from juki.web.rights import needs

router = APIRouter()


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
    return show_form(request, clerk, _restore_form(request, resident_id))


@router.post("/residents/{resident_id}/restoration")
@needs("resident_records", "update")
def restore(request: Request, resident_id: RecordId, clerk: Clerk, fields: Form) -> Response:
    def action(uow: UnitOfWork) -> Taken:
        notice = ex_officio_schemas.RestoreNotice.model_validate(
            notice_of(fields, clerk)
            | forms.blank_to_none(fields, ["evidence", "household_id", "relationship"])
        )
        return take(uow, clerk, ex_officio.restore, notice, resident_id)

    return submit_form(
        request, clerk, _restore_form(request, resident_id), fields, action,
        lambda taken: next_page(
            request, taken, lambda _r: redirect(request, f"/residents/{resident_id}", "recorded")
        ),
    )  # fmt: skip


# --- 職権・戸籍通知・外国人住民 (one resident) ------------------------------------------------


def _removal(fields: dict[str, str], clerk: ClerkSession, uow: UnitOfWork) -> schemas.DeathNotice:
    return schemas.DeathNotice.model_validate(
        notice_of(fields, clerk) | {"relationships": relationships(fields, uow)}
    )


person_event(
    router, "ex-officio-removal", "職権消除", lambda p: [], _removal,
    ex_officio.record_ex_officio_removal, tick=False,
)  # fmt: skip


person_event(
    router, "disappearance", "失踪宣告", lambda p: [], _removal, ex_officio.record_disappearance,
    tick=False,
)  # fmt: skip


person_event(
    router, "koseki-notice", "戸籍通知（本籍地から）",
    lambda p: [
        Field("name_kanji", "新しい氏名（変更があるとき）"),
        Field("name_kana", "新しいふりがな"),
        Field("domicile", "本籍", value=p.domicile or ""),
        Field("family_head_name", "筆頭者", value=p.family_head_name or ""),
    ],
    lambda f, c, uow: ex_officio_schemas.KosekiNotice.model_validate(
        notice_of(f, c) | forms.blank_to_none(
            f, ["name_kanji", "name_kana", "domicile", "family_head_name"]
        )
    ),
    ex_officio.record_koseki_notice, tick=False, household=False,
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
    return show_form(request, clerk, _entry_form(request))


@router.post("/ex-officio-entry")
@needs("resident_records", "update")
def entry(request: Request, clerk: Clerk, fields: Form) -> Response:
    items = ["name_kanji", "name_kana", "birth_date", "sex", "address", "household_id",
             "relationship", "evidence"]  # fmt: skip

    def action(uow: UnitOfWork) -> Taken:
        notice = ex_officio_schemas.ExOfficioEntryNotice.model_validate(
            notice_of(fields, clerk) | codes(fields) | forms.blank_to_none(fields, items)
        )
        return take(uow, clerk, ex_officio.record_entry, notice)

    return submit_form(
        request, clerk, _entry_form(request), fields, action,
        lambda taken: next_page(request, taken, lambda event: to_person(request, event)),
    )  # fmt: skip
