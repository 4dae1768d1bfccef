"""The console's forms: each 届出 is a list of fields drawn by one template, and the posted
strings become the same pydantic notice the API takes, so the rules live in one place.

Errors come back keyed by form field name, to be shown next to the field they concern.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from juki.core.clock import japan_today
from juki.core.errors import JukiError
from juki.registry.households.schemas import Relationship
from juki.registry.notices.schemas import IdDocument, NotifierType

SEX_OPTIONS = [("1", "男"), ("2", "女")]
RELATIONSHIP_OPTIONS = [(r.value, r.value) for r in Relationship]
# Intake selects start blank: the clerk must choose (001a ACQ-2-1, mandatory fields).
CHOOSE = ("", "選択してください")
NOTIFIER_OPTIONS = [CHOOSE] + [(t.value, t.value) for t in NotifierType]
ID_DOCUMENT_OPTIONS = [CHOOSE] + [(d.value, d.value) for d in IdDocument]
MEMBER_ROWS = 5  # rows offered on the household move-in form


@dataclass
class Field:
    name: str
    label: str
    kind: str = "text"  # text | date | select | checkbox | textarea | hidden
    options: list[tuple[str, str]] = field(default_factory=list)
    required: bool = False
    hint: str = ""
    value: str = ""
    inputmode: str = ""  # numeric for codes, so a touch keyboard shows digits


@dataclass
class Group:
    legend: str
    fields: list[Field]


@dataclass
class FormPage:
    title: str
    action: str
    groups: list[Group]
    submit: str = "登録"
    note: str = ""


def today() -> str:
    return japan_today().isoformat()


def notice_fields(change_label: str = "異動日") -> list[Field]:
    return [
        Field("change_date", change_label, "date", required=True, value=today()),
        Field("notified_on", "届出日", "date", value=today()),
    ]


def intake_fields() -> list[Field]:
    """届出人と本人確認 (001a ACQ-2-1, ACQ-3-1, ACQ-3-5): named as the notice's `intake`
    items, so a message comes back beside its field."""
    return [
        Field("intake.notifier", "届出人", "select", NOTIFIER_OPTIONS, required=True),
        Field("intake.id_document", "本人確認書類", "select", ID_DOCUMENT_OPTIONS, required=True),
        Field("intake.proxy_letter_checked", "委任状を確認した（代理人のとき）", "checkbox"),
        Field("intake.slip_reference", "届書の保管番号（任意）", hint="英数字とハイフン"),
    ]


def intake_of(fields: Mapping[str, str]) -> dict[str, Any]:
    """The notice's `intake` from the form (a blank select stays blank, and is refused)."""
    items = blank_to_none(fields, ["intake.notifier", "intake.id_document"])
    return {
        "intake": {
            "notifier": items["intake.notifier"],
            "id_document": items["intake.id_document"],
            "proxy_letter_checked": fields.get("intake.proxy_letter_checked") == "on",
            "slip_reference": (fields.get("intake.slip_reference") or "").strip() or None,
        }
    }


def address_fields(prefix: str = "") -> list[Field]:
    return [
        Field(f"{prefix}address", "住所", required=True, hint="例：東京都墨田区吾妻橋一丁目1番1号"),
        Field(f"{prefix}postal_code", "郵便番号", hint="7桁、ハイフンなし", inputmode="numeric"),
        Field(f"{prefix}town_code", "町字コード"),
    ]


def person_fields(prefix: str = "", *, required: bool = True) -> list[Field]:
    return [
        Field(f"{prefix}name_kanji", "氏名", required=required),
        Field(f"{prefix}name_kana", "ふりがな", required=required, hint="ひらがな又はカタカナ"),
        Field(f"{prefix}birth_date", "生年月日", "date", required=required),
        Field(f"{prefix}sex", "性別", "select", SEX_OPTIONS, required=required),
        Field(f"{prefix}name_roman", "ローマ字氏名（希望するとき）"),
    ]


def placement_fields() -> list[Field]:
    """Which household the person joins (none: a new one, with the person as 世帯主)."""
    return [
        Field("household_id", "加わる世帯の世帯番号（新しい世帯なら空欄）", inputmode="numeric"),
        Field("relationship", "続柄", "select", RELATIONSHIP_OPTIONS, required=True,
              value="世帯主"),
    ]  # fmt: skip


def fill(groups: list[Group], values: Mapping[str, str]) -> list[Group]:
    """Put back what the clerk typed (after an error) or defaults from the record."""
    for group in groups:
        for f in group.fields:
            if f.name in values:
                f.value = values[f.name]
    return groups


def blank_to_none(fields: Mapping[str, str], names: list[str]) -> dict[str, Any]:
    return {name: (fields.get(name) or "").strip() or None for name in names}


def errors_of(exc: Exception, field_names: Mapping[str, str] | None = None) -> dict[str, str]:
    """Messages by form field. `field_names` maps a model's field path to the form's name
    (e.g. members.0.name_kana -> m0_name_kana)."""
    names = field_names or {}
    if isinstance(exc, ValidationError):
        found: dict[str, str] = {}
        for err in exc.errors():
            path = ".".join(str(p) for p in err["loc"])
            key = names.get(path, path)
            message = str(err["msg"]).removeprefix("Value error, ")
            found.setdefault(key or "_form", _japanese(message, err["type"]))
        return found
    if isinstance(exc, JukiError):
        key = exc.field or "_form"
        return {names.get(key, key): exc.message}
    raise exc


_PYDANTIC_JA = {
    "missing": "入力してください",
    "string_too_short": "入力してください",
    "date_from_datetime_parsing": "日付を正しく入力してください",
    "date_parsing": "日付を正しく入力してください",
    "date_from_datetime_inexact": "日付を正しく入力してください",
    "literal_error": "選択してください",
    "enum": "選択してください",
    "int_parsing": "数字で入力してください",
    "string_pattern_mismatch": "形式が正しくありません",
    "string_too_long": "長すぎます",
    "greater_than_equal": "正しい番号を入力してください",
    "too_short": "一人以上入力してください",
}


def _japanese(message: str, kind: str) -> str:
    return _PYDANTIC_JA.get(kind, message)
