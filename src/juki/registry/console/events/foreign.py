"""外国人住民: 転入 (法30条の46), the 法務大臣's notices, 通称 and 帰化."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from juki.core.messaging.node import UnitOfWork
from juki.registry.console import forms
from juki.registry.console.events.common import (
    Taken,
    changed_items,
    codes,
    notice_of,
    person_event,
    show_form,
    submit_form,
    to_person,
)
from juki.registry.console.forms import Field, FormPage, Group
from juki.registry.console.notice_checks import next_page, take
from juki.registry.console.render import base_of
from juki.registry.console.session import Clerk, Form
from juki.registry.foreign import schemas as foreign_schemas
from juki.registry.foreign import service as foreign
from juki.web.rights import needs

router = APIRouter()


person_event(
    router, "immigration-notice", "法務大臣からの通知（在留期間更新等）",
    lambda p: [
        Field("residence_card_no", "在留カード番号", value=p.residence_card_no or ""),
        Field("residence_status", "在留資格", value=p.residence_status or ""),
        Field("period_of_stay", "在留期間", value=p.period_of_stay or ""),
        Field("stay_expires_on", "在留期間の満了日", "date",
              value=str(p.stay_expires_on or "")),
    ],
    lambda f, c, uow: foreign_schemas.ImmigrationNoticeEntry.model_validate(
        notice_of(f, c) | changed_items(f, uow, ["residence_card_no", "residence_status",
                                          "period_of_stay", "stay_expires_on"])
    ),
    foreign.enter_immigration_notice, tick=False, household=False,
)  # fmt: skip


person_event(
    router, "alias", "通称の記載・削除",
    lambda p: [Field("alias", "通称（空欄で削除）", value=p.alias or ""),
               Field("alias_kana", "通称のふりがな", value=p.alias_kana or "")],
    lambda f, c, uow: foreign_schemas.AliasNotice.model_validate(
        notice_of(f, c) | forms.blank_to_none(f, ["alias", "alias_kana"])
    ),
    foreign.record_alias, tick=False, household=False,
)  # fmt: skip


person_event(
    router, "naturalization", "帰化",
    lambda p: [Field("name_kanji", "帰化後の氏名"), Field("name_kana", "帰化後のふりがな"),
               Field("domicile", "本籍", required=True),
               Field("family_head_name", "筆頭者", required=True)],
    lambda f, c, uow: foreign_schemas.NaturalizationNotice.model_validate(
        notice_of(f, c) | forms.blank_to_none(
            f, ["name_kanji", "name_kana", "domicile", "family_head_name"]
        )
    ),
    foreign.naturalize, tick=False, household=False,
)  # fmt: skip


# --- 外国人住民の転入 / 職権記載 (new people) ---------------------------------------------------


def _foreign_form(request: Request) -> FormPage:
    # Longer than a function should be: a form is declared field by field, in the order the
    # clerk sees it, so that it reads against the paper form.
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
    return show_form(request, clerk, _foreign_form(request))


@router.post("/foreign-move-in")
@needs("resident_records", "update")
def foreign_move_in(request: Request, clerk: Clerk, fields: Form) -> Response:
    person = ["name_kanji", "name_kana", "birth_date", "sex", "address", "alias", "alias_kana",
              "household_id", "relationship"]  # fmt: skip

    def action(uow: UnitOfWork) -> Taken:
        notice = foreign_schemas.ForeignMoveInNotice.model_validate(
            notice_of(fields, clerk) | forms.intake_of(fields) | codes(fields)
            | forms.blank_to_none(fields, person)
            | {"residence": forms.blank_to_none(fields, RESIDENCE)}
        )  # fmt: skip
        return take(uow, clerk, foreign.record_move_in, notice)

    names = {f"residence.{k}": k for k in RESIDENCE}
    return submit_form(
        request, clerk, _foreign_form(request), fields, action,
        lambda taken: next_page(request, taken, lambda event: to_person(request, event)), names,
    )  # fmt: skip
