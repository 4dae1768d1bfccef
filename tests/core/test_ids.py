from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from juki.core import ids
from juki.core.errors import InvalidInput

digits = st.text(alphabet="0123456789", min_size=1, max_size=1)


@pytest.mark.parametrize(
    "number",
    [
        "123456789018",
        "983205673214",
        "123456789123",
        "000000000060",
        "621498320257",
        "379474484458",
    ],
)
def test_accepts_published_individual_number_vectors(number: str) -> None:
    assert ids.validate_individual_number(number) == number


@pytest.mark.parametrize("number", ["123456789010", "123456789019", "12345678901", "abcdefghijkl"])
def test_rejects_bad_individual_numbers_without_echoing_them(number: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        ids.validate_individual_number(number, field="individual_number")
    assert caught.value.field == "individual_number"
    assert number not in str(caught.value)


@given(st.text(alphabet="0123456789", min_size=11, max_size=11))
def test_every_body_gets_a_valid_individual_number(body: str) -> None:
    assert ids.validate_individual_number(ids.individual_number_from_body(body))


def _remainder(body11: str) -> int:
    return (
        sum(int(d) * w for d, w in zip(body11, (6, 5, 4, 3, 2, 7, 6, 5, 4, 3, 2), strict=False))
        % 11
    )


@given(
    st.text(alphabet="0123456789", min_size=11, max_size=11), st.integers(0, 10), st.integers(1, 9)
)
def test_single_digit_errors_are_caught_except_where_the_rule_maps_two_remainders_to_0(
    body: str, pos: int, delta: int
) -> None:
    number = ids.individual_number_from_body(body)
    wrong_body = body[:pos] + str((int(body[pos]) + delta) % 10) + body[pos + 1 :]
    wrong = wrong_body + number[11]
    try:
        ids.validate_individual_number(wrong)
    except InvalidInput:
        return
    # Only the 省令 rule "remainder <= 1 gives 0" lets a substitution through (anchors §5.1).
    assert _remainder(body) <= 1
    assert _remainder(wrong_body) <= 1


@given(
    st.text(alphabet="0123456789", min_size=10, max_size=10), st.integers(0, 9), st.integers(1, 9)
)
def test_resident_code_round_trip_and_most_single_digit_errors_caught(
    body: str, pos: int, delta: int
) -> None:
    code = ids.resident_code_from_body(body)
    assert ids.validate_resident_code(code) == code
    wrong_body = body[:pos] + str((int(body[pos]) + delta) % 10) + body[pos + 1 :]
    if ids.resident_code_check_digit(wrong_body) != int(code[10]):
        with pytest.raises(InvalidInput) as caught:
            ids.validate_resident_code(wrong_body + code[10])
        assert caught.value.field == "resident_code"


def test_resident_code_matches_the_one_public_fixture() -> None:
    assert ids.resident_code_from_body("2472705960") == "24727059608"


@pytest.mark.parametrize(
    ("code5", "code6"),
    [("13101", "131016"), ("01100", "011002"), ("27100", "271004"), ("13107", "131075")],
)
def test_lg_code_check_digit_vectors(code5: str, code6: str) -> None:
    assert ids.lg_code6(code5) == code6


@given(st.text(alphabet="0123456789", min_size=5, max_size=5))
def test_lg_code_round_trip(code5: str) -> None:
    code6 = ids.lg_code6(code5)
    assert ids.validate_lg_code(code6) == code6
    bad = code6[:5] + str((int(code6[5]) + 1) % 10)
    with pytest.raises(InvalidInput) as caught:
        ids.validate_lg_code(bad)
    assert caught.value.field == "lg_code"
