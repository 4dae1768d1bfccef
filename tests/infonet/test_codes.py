"""符号 (情報提供用個人識別符号): keyed, per institution, stable for a person (issue #16)."""

from __future__ import annotations

import hashlib
import os
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from juki.core.errors import InvalidInput
from juki.core.ids import resident_code_from_body
from juki.infonet.codes import derive

KEY = bytes(range(32))
codes = st.text(alphabet="0123456789", min_size=10, max_size=10).map(resident_code_from_body)
institutions = st.from_regex(r"[0-9A-Za-z][0-9A-Za-z:._-]{0,20}", fullmatch=True)


@settings(max_examples=200)
@given(code=codes, first=institutions, second=institutions)
def test_one_person_one_code_per_institution(code: str, first: str, second: str) -> None:
    assert derive(KEY, first, code) == derive(KEY, first, code)  # stable
    assert re.fullmatch(r"[A-Z2-7]{32}", derive(KEY, first, code))
    if first != second:  # another institution's 符号 is another value
        assert derive(KEY, first, code) != derive(KEY, second, code)


@settings(max_examples=200)
@given(one=codes, other=codes)
def test_two_people_two_codes(one: str, other: str) -> None:
    if one != other:
        assert derive(KEY, "131075", one) != derive(KEY, "131075", other)


def test_the_key_is_what_makes_it_a_pseudonym() -> None:
    """An unkeyed hash of an 11-digit code can be reversed by trying every code; the 符号
    is not that hash, and another key gives another 符号."""
    code = resident_code_from_body("1234567890")
    fugo = derive(KEY, "jpn-pension", code)
    assert fugo != derive(os.urandom(32), "jpn-pension", code)
    for unkeyed in (hashlib.sha256(code.encode()), hashlib.sha256(f"jpn-pension{code}".encode())):
        assert fugo.lower() not in unkeyed.hexdigest()
    assert code not in fugo


@pytest.mark.parametrize(
    ("key", "institution", "code", "field"),
    [
        (b"short", "131075", resident_code_from_body("1234567890"), "key"),
        (KEY, "", resident_code_from_body("1234567890"), "institution"),
        (KEY, "with space", resident_code_from_body("1234567890"), "institution"),
        (KEY, "131075", "12345678901", "resident_code"),  # the check digit is wrong
        (KEY, "131075", "１２３", "resident_code"),
    ],
)
def test_bad_input_is_refused_by_field(key: bytes, institution: str, code: str, field: str) -> None:
    if field == "resident_code" and code == "12345678901":
        code = code[:10] + str((int(resident_code_from_body("1234567890")[10]) + 1) % 10)
    with pytest.raises(InvalidInput) as refused:
        derive(key, institution, code)
    assert refused.value.field == field
