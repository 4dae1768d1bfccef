"""Rendering console pages: one Jinja2 environment, the common context, the labels."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from juki.core.clock import in_japan
from juki.core.messages import CHANGE_REASON_LABELS, ChangeReason
from juki.core.messaging.paths import code_of
from juki.core.places import municipality
from juki.core.wareki import wareki
from juki.registry.console.session import ClerkSession

templates = Jinja2Templates(directory=Path(__file__).parent / "templates")
templates.env.globals["wareki"] = wareki
templates.env.globals["sex"] = {"1": "男", "2": "女"}
templates.env.globals["labels"] = {
    "name_kanji": "氏名",
    "name_kana": "ふりがな",
    "birth_date": "生年月日",
    "sex": "性別",
    "address": "住所",
}


def local_time(moment: dt.datetime) -> str:
    """処理日時 as the clerk reads it: Japan time (stored in UTC; SQLite drops the zone)."""
    return in_japan(moment).strftime("%Y-%m-%d %H:%M")


templates.env.filters["jst"] = local_time

REASON_LABELS = {str(k.value): v for k, v in CHANGE_REASON_LABELS.items()} | {
    "household_change": "世帯変更",
    "cancellation": "異動の取消し",
    "number_recorded": "個人番号の記載",
    "move_in_notice": "転入通知の受理",
    "koseki_notice": "戸籍通知",
    "immigration_notice": "法務大臣からの通知",
    "alias": "通称の記載・削除",
}
EVENT_STATES = {
    "awaiting_number": "個人番号の生成待ち",
    "sent": "CSへ送信済（結果待ち）",
    "applied": "住基ネット更新済",
    "rejected": "住基ネットで不可",
}


def reason_label(reason: str) -> str:
    try:
        return REASON_LABELS.get(reason) or CHANGE_REASON_LABELS[ChangeReason(reason)]
    except ValueError:
        return reason


templates.env.globals["reason"] = reason_label


def base_of(request: Request) -> str:
    return f"{request.scope.get('root_path', '')}/console"


def office_of(request: Request) -> str:
    place = municipality(code_of(request.app.state.node.node_id))
    return f"{place.prefecture}{place.name}"


def page(
    request: Request,
    template: str,
    title: str,
    clerk: ClerkSession | None,
    status_code: int = 200,
    **context: Any,
) -> HTMLResponse:
    return templates.TemplateResponse(
        request,
        template,
        {
            "title": title,
            "clerk": clerk,
            "base": base_of(request),
            "office": office_of(request),
            "errors": {},
            "flash": request.query_params.get("done") and FLASHES.get(request.query_params["done"]),
        }
        | context,
        status_code=status_code,
    )


FLASHES = {
    "recorded": "届出を記録しました。CSへ送信します。",
    "household": "世帯変更を記録しました。",
    "cancelled": "異動を取り消しました。",
    "resent": "再送を指示しました。",
    "not_resent": "送信済みか見つからないため、再送しませんでした。",
    "support": "支援措置を登録しました。",
    "proposed": "職権修正を申請しました。別の職員が確認し、監督者が承認すると反映されます。",
    "confirmed": "確認を記録しました。監督者の承認を待ちます。",
    "approved": "承認し、住民票に反映しました。CSへ送信します。",
}
