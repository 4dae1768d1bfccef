from __future__ import annotations

import pytest

from juki.core.text import gaiji_count, is_kana_name, seion


@pytest.mark.parametrize("variant", ["ジョウジ", "じょうじ", "ｼﾞｮｳｼﾞ", "シヨウシ", "しようし"])
def test_seion_folds_voicing_small_kana_and_width(variant: str) -> None:
    assert seion(variant) == "シヨウシ"


def test_seion_drops_spaces() -> None:
    assert seion("スミダ\u3000ハナコ") == seion("すみだはなこ")


def test_kana_name_check() -> None:
    assert is_kana_name("スミダ\u3000ハナコ")
    assert not is_kana_name("墨田")


def test_gaiji_counts_characters_outside_jis_x_0208() -> None:
    assert gaiji_count("髙橋") == 1  # 髙 (はしごだか) is not in JIS X 0208
    assert gaiji_count("高橋") == 0
