"""本人確認情報の照会 in a tier's console (prefecture, national server): one search per
request, by 住民票コード or by the 4情報, over the node's own file (`IdentityFile`) with the
search its API's `POST /search` uses (duties/search.py: at least two items besides sex,
清音化 kana, at most MAX_RESULTS rows, more refused) — so that the console can never list
more than the API may (001a §3.6: the file is not to be assembled into a database).

Every search is in the audit log (operator, terminal, the 住民票コード found, the console's
purpose) and in the node's provision record with the purpose the operator typed, both in
the page's own transaction; a refused one (bad input, too many matches) is in the audit
log and stores nothing else. Keys are posted, never put in a URL. The screen shows the
個人番号 masked, as the CS console does: whether one is on file, never its digits (the
API's callers are systems with their own rules for it; a screen is seen by anyone near it).
"""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from pydantic import ValidationError

from juki.core import ids
from juki.core.audit import log as audit
from juki.core.errors import InvalidInput, JukiError
from juki.duties.search import MAX_RESULTS, IdentitySearch, IdentityView, logged_search
from juki.web.app import IdentityFile
from juki.web.console import access_of
from juki.web.console.render import page
from juki.web.console.session import Form
from juki.web.console.site import SiteClerk
from juki.web.rights import POSTED_KEYS, needs

router = APIRouter()
TITLE = "本人確認情報の照会"
FOUR_ITEMS = ("name_kanji", "name_kana", "birth_date", "address")
TEXT_LIMITS = {"name_kanji": ("氏名", 100), "name_kana": ("ふりがな", 100),
               "address": ("住所", 200), "purpose": ("利用目的", 200)}  # fmt: skip
FIELDS = ("resident_code", *FOUR_ITEMS, "sex", "include_removed", "purpose")


def query_of(fields: dict[str, str]) -> IdentitySearch:
    """The posted form as a search, every item checked with a message naming its field
    (InvalidInput): one kind of key, the 4情報 with at least two items besides sex."""
    values = {name: fields.get(name, "").strip() for name in FIELDS}
    for name, (label, limit) in TEXT_LIMITS.items():
        if len(values[name]) > limit:
            raise InvalidInput(f"{label}は{limit}文字以内で入力してください", field=name)
    if not values["purpose"]:
        raise InvalidInput("利用目的（照会の理由）を入力してください", field="purpose")
    if values["sex"] not in ("", "1", "2"):
        raise InvalidInput("性別は男・女・指定なしから選んでください", field="sex")
    birth_date = _date(values["birth_date"])
    four = [values["name_kanji"] or values["name_kana"], birth_date, values["address"]]
    if values["resident_code"]:
        if any(values[name] for name in (*FOUR_ITEMS, "sex")):
            raise InvalidInput("住民票コードと4情報は同時に指定できません", field="resident_code")
        ids.validate_resident_code(values["resident_code"])
    elif sum(1 for item in four if item) < 2:
        raise InvalidInput(
            "住民票コード、または4情報を性別以外に2項目以上指定してください", field="four_items"
        )
    try:
        return IdentitySearch(
            resident_code=values["resident_code"] or None,
            name_kanji=values["name_kanji"] or None,
            name_kana=values["name_kana"] or None,
            birth_date=birth_date,
            sex="1" if values["sex"] == "1" else "2" if values["sex"] == "2" else None,
            address=values["address"] or None,
            include_removed=values["include_removed"] == "1",
            purpose=values["purpose"],
        )
    except ValidationError as exc:  # what the checks above missed: still the field named
        where = next((str(e["loc"][0]) for e in exc.errors() if e["loc"]), "four_items")
        raise InvalidInput("入力内容を確認してください", field=where) from None


def _date(text: str) -> dt.date | None:
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(
            "生年月日は YYYY-MM-DD（例 1990-04-01）で入力してください", field="birth_date"
        ) from None


def _shown(view: IdentityView) -> dict[str, object]:
    """What the screen shows of one match: the 本人確認情報 without the 個人番号's digits."""
    shown = view.model_dump(exclude={"individual_number"})
    return shown | {"number": ids.mask_individual_number(view.individual_number)}


@router.get("/identity", response_class=HTMLResponse)
@needs("identity_inquiry", "read")  # 000 §5.3, 002 §6.5: reading the file
def identity_form(request: Request, clerk: SiteClerk) -> HTMLResponse:
    return page(request, "identity_search.html", TITLE, clerk, values={}, cap=MAX_RESULTS)


@router.post("/identity", response_class=HTMLResponse)
@needs("identity_inquiry", "read", read_by_post=POSTED_KEYS)
def identity_search(
    request: Request, clerk: SiteClerk, fields: Form, file: IdentityFile
) -> HTMLResponse:
    node = request.app.state.node
    values = {name: fields.get(name, "")[:200] for name in FIELDS}
    try:
        query = query_of(fields)
        with node.unit_of_work() as uow:
            requester = f"{clerk.login}@console"[:64]
            # Decrypted to be masked on the screen (`_shown`): the digits never leave.
            found = logged_search(uow.session, file, node.keys, query, requester, with_number=True)
            codes = tuple(f"code={view.resident_code}" for view in found)
            result = "ok" if found else "not_found"
            audit.record(uow.session, access_of(request, codes, result=result))
    except JukiError as refused:  # nothing typed is logged: it may be anything
        with node.unit_of_work() as uow:
            audit.record(uow.session, access_of(request, result="refused"))
        field = "four_items" if refused.field in (None, "query") else refused.field
        return page(
            request, "identity_search.html", TITLE, clerk, refused.status,
            errors={field: refused.message}, values=values, cap=MAX_RESULTS,
        )  # fmt: skip
    return page(
        request, "identity_search.html", TITLE, clerk, values=values, cap=MAX_RESULTS,
        found=[_shown(view) for view in found], searched=True,
    )  # fmt: skip
