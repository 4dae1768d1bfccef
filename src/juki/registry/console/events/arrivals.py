"""転入 of a household and 出生: the forms that bring new people into the register."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from juki.core.messaging.node import UnitOfWork
from juki.registry.console import forms
from juki.registry.console.events.common import (
    Taken,
    codes,
    notice_of,
    show_form,
    submit_form,
    to_person,
)
from juki.registry.console.forms import Field, FormPage, Group
from juki.registry.console.notice_checks import next_page, take
from juki.registry.console.render import base_of
from juki.registry.console.session import Clerk, Form
from juki.registry.households import service as households
from juki.registry.notices import arrivals, schemas
from juki.web.app import RecordId, UoW
from juki.web.rights import needs

router = APIRouter()


# --- 転入 (a household) ------------------------------------------------------------------------


def _move_in_form(request: Request) -> FormPage:
    # Longer than a function should be: a form is declared field by field, in the order the
    # clerk sees it, so that it reads against the paper form.
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
    return show_form(request, clerk, _move_in_form(request))


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
    ) | codes(fields)

    def record(uow: UnitOfWork) -> Taken:
        notice = schemas.HouseholdMoveInNotice.model_validate(
            notice_of(fields, clerk) | forms.intake_of(fields) | common | {"members": members}
        )
        return take(uow, clerk, arrivals.record_household_move_in, notice)

    return submit_form(
        request,
        clerk,
        _move_in_form(request),
        fields,
        record,
        lambda taken: next_page(request, taken, lambda events: to_person(request, events[0])),
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
    return show_form(request, clerk, form)


@router.post("/households/{household_id}/birth")
@needs("resident_records", "update")
def birth(request: Request, household_id: RecordId, clerk: Clerk, fields: Form) -> Response:
    person = forms.blank_to_none(
        fields, ["name_kanji", "name_kana", "sex", "relationship", "name_roman"]
    )

    def record(uow: UnitOfWork) -> Taken:
        notice = schemas.BirthNotice.model_validate(
            dict(
                **notice_of(fields, clerk),
                **person,
                household_id=household_id,
                birth_date=fields.get("change_date") or None,
                address=fields.get("address", ""),
            )
        )
        return take(uow, clerk, arrivals.record_birth, notice)

    form = _birth_form(request, household_id, fields.get("address", ""))
    return submit_form(
        request,
        clerk,
        form,
        fields,
        record,
        lambda taken: next_page(request, taken, lambda event: to_person(request, event)),
        {"birth_date": "change_date"},
    )
