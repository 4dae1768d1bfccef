from __future__ import annotations

import pytest

from juki.core.errors import InvalidInput
from juki.core.places import municipality, towns


def test_sumida_is_known_with_real_towns() -> None:
    assert municipality("131075").name == "墨田区"
    assert any(town.name == "吾妻橋" for town in towns("131075"))


def test_unknown_municipality_is_refused_by_field() -> None:
    with pytest.raises(InvalidInput) as caught:
        municipality("999997", field="previous_lg_code")  # valid check digit, no such body
    assert caught.value.field == "previous_lg_code"
