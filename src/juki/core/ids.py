"""Identifiers: 個人番号 (Individual Number), 住民票コード (resident code), 地方公共団体コード.

Spec: 000 §6.1, §6.2, §6.6; anchors.md §5.1, §5.2.
"""

from __future__ import annotations

import re
import secrets
import unicodedata

from stdnum.exceptions import ValidationError
from stdnum.jp import in_ as stdnum_individual_number

from juki.core.errors import InvalidInput

# --- 個人番号 (Individual Number) --------------------------------------------------------


def validate_individual_number(value: str, *, field: str = "individual_number") -> str:
    """Return the 12-digit 個人番号 or raise InvalidInput naming `field`.

    The check digit is defined by 総務省令第85号 第5条; python-stdnum implements it
    (`stdnum.jp.in_`), so we never keep a hand-written copy. The error never echoes the value.
    """
    try:
        return str(stdnum_individual_number.validate(value))
    except ValidationError:
        raise InvalidInput(
            "個人番号の形式またはチェックディジットが正しくありません", field=field
        ) from None


TWELVE_DIGITS = re.compile(r"(?<![0-9])[0-9]{12}(?![0-9])")


def holds_individual_number(text: str) -> bool:
    """Whether free text carries a 個人番号: a run of exactly 12 digits (full-width ones
    too, read through NFKC) whose check digit is right. Registers and references are no
    place for one (番号法 第20条: collected and kept only for the duties the law lists)."""
    for candidate in TWELVE_DIGITS.findall(unicodedata.normalize("NFKC", text)):
        try:
            validate_individual_number(candidate)
        except InvalidInput:
            continue
        return True
    return False


def individual_number_from_body(body11: str) -> str:
    """Append the 総務省令第85号 第5条 check digit (via python-stdnum) to an 11-digit body."""
    if len(body11) != 11 or not body11.isdigit():
        raise ValueError("body must be 11 digits")
    return body11 + str(stdnum_individual_number.calc_check_digit(body11))


def mask_individual_number(value: str | None) -> str:
    """What may appear on a screen or in a log instead of a 個人番号: never the digits."""
    return "************" if value else ""


# --- 住民票コード (resident code) ----------------------------------------------------------

_RESIDENT_CODE_WEIGHTS = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)


def resident_code_check_digit(body10: str) -> int:
    """Check digit of a 住民票コード (10 random digits + 1 check digit, 住基法施行規則 第1条).

    UNVERIFIED FORMULA. The official rule is set by a 総務大臣 public notice that the specs
    could not reproduce (000 §6.2, anchors.md §5.2). This uses the 個人番号 rule applied to
    10 digits: weights 5 4 3 2 7 6 5 4 3 2 left to right, mod 11, remainder <= 1 gives 0.
    It agrees with the one code fixture found in public code (24727059608). Replace this one
    function when the notice is obtained; nothing else computes the digit.
    """
    if len(body10) != 10 or not body10.isdigit():
        raise ValueError("body must be 10 digits")
    remainder = sum(map(int.__mul__, map(int, body10), _RESIDENT_CODE_WEIGHTS)) % 11
    return 0 if remainder <= 1 else 11 - remainder


def validate_resident_code(value: str, *, field: str = "resident_code") -> str:
    if not isinstance(value, str) or len(value) != 11 or not value.isdigit():
        raise InvalidInput("住民票コードは11桁の数字です", field=field)
    if resident_code_check_digit(value[:10]) != int(value[10]):
        raise InvalidInput("住民票コードのチェックディジットが正しくありません", field=field)
    return value


def new_resident_code_body() -> str:
    """Ten random digits (住基法施行規則 第1条: 無作為に作成された10桁の数字)."""
    return f"{secrets.randbelow(10**10):010d}"


def resident_code_from_body(body10: str) -> str:
    return body10 + str(resident_code_check_digit(body10))


# --- 地方公共団体コード (local government code) --------------------------------------------

_LG_WEIGHTS = (6, 5, 4, 3, 2)


def lg_code_check_digit(code5: str) -> int:
    """Check digit of the 6-digit 全国地方公共団体コード (昭和43年 自治省告示; 000 §6.6).

    Weights 6 5 4 3 2 over the five digits; check = (11 - sum mod 11) mod 10, which maps a
    remainder of 0 to 1 and of 1 to 0. 13101 -> 131016, 01100 -> 011002, 27100 -> 271004.
    """
    if len(code5) != 5 or not code5.isdigit():
        raise ValueError("code must be 5 digits")
    remainder = sum(int(d) * w for d, w in zip(code5, _LG_WEIGHTS, strict=True)) % 11
    return (11 - remainder) % 10


def lg_code6(code5: str) -> str:
    return code5 + str(lg_code_check_digit(code5))


def validate_lg_code(value: str, *, field: str = "lg_code") -> str:
    """Validate a 6-digit 地方公共団体コード (format and check digit; existence is places.py)."""
    if not isinstance(value, str) or len(value) != 6 or not value.isdigit():
        raise InvalidInput("地方公共団体コードは6桁の数字です", field=field)
    if lg_code_check_digit(value[:5]) != int(value[5]):
        raise InvalidInput("地方公共団体コードのチェックディジットが正しくありません", field=field)
    return value


def prefecture_code_of(lg_code: str) -> str:
    """The two-digit 都道府県コード that opens every 地方公共団体コード."""
    return lg_code[:2]
