"""The card's PINs (暗証番号) as J-LIS publishes them (the seeds are silent; `docs/jpki.md`):
the 署名用 PIN is 6–16 capital letters and digits, both present, and locks after 5 wrong
tries; the 利用者証明用, 券面事項入力補助用 and 住基用 PINs are 4 digits and lock after 3. A
locked PIN is reset only at the municipality's counter."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from juki.core.errors import InvalidInput

PinKind = Literal["sign", "auth", "text", "juki"]


@dataclass(frozen=True)
class PinRule:
    pattern: re.Pattern[str]
    tries: int
    described: str


RULES: dict[str, PinRule] = {
    "sign": PinRule(
        re.compile(r"(?=.*[A-Z])(?=.*[0-9])[A-Z0-9]{6,16}"),
        5,
        "英大文字と数字を組み合わせた6〜16文字",
    ),
    "auth": PinRule(re.compile(r"[0-9]{4}"), 3, "数字4桁"),
    "text": PinRule(re.compile(r"[0-9]{4}"), 3, "数字4桁"),
    "juki": PinRule(re.compile(r"[0-9]{4}"), 3, "数字4桁"),
}
LABELS = {
    "sign": "署名用電子証明書の暗証番号",
    "auth": "利用者証明用電子証明書の暗証番号",
    "text": "券面事項入力補助用の暗証番号",
    "juki": "住民基本台帳用の暗証番号",
}


def check_format(kind: str, pin: str) -> None:
    """A PIN that does not follow its rule is refused before anything is tried."""
    rule = RULES[kind]
    if not rule.pattern.fullmatch(pin):
        raise InvalidInput(f"{LABELS[kind]}は{rule.described}です", field=f"{kind}_pin")
