"""Japanese text normalisation used for search keys.

清音化 (seion-ka): the search form of a kana name used by 住基ネット files (000 §4.2 item 13,
001a §4.2.3 item 5, 002 §5.2 item 13): katakana, full width, voicing marks removed, small
kana made large, spaces dropped, so that ジョウ, じよう and ｼﾞｮｳ all match.
"""

from __future__ import annotations

import re
import unicodedata

import jaconv

_VOICING_MARKS = {"\u3099", "\u309a"}  # combining dakuten / handakuten
_SMALL_TO_LARGE = str.maketrans("ァィゥェォッャュョヮヵヶ", "アイウエオツヤユヨワカケ")


_HIRAGANA_TO_KATAKANA = {code: code + 0x60 for code in range(0x3041, 0x3097)}
_HALF_WIDTH_KANA = re.compile("[\uff61-\uff9f]")
_KANA_NAME = re.compile("[\u3041-\u3096\u309b-\u30ff\uff61-\uff9f \u3000]+")


def to_katakana(text: str) -> str:
    """Full-width katakana: half-width kana folded by jaconv (only when present, it is the
    slow step), hiragana shifted to katakana by code point."""
    if _HALF_WIDTH_KANA.search(text):
        text = jaconv.h2z(text, kana=True, ascii=False, digit=False)
    return text.translate(_HIRAGANA_TO_KATAKANA)


def seion(text: str) -> str:
    """The 清音化かな form of a kana string, for matching only (never shown)."""
    decomposed = unicodedata.normalize("NFD", to_katakana(text))
    plain = "".join(ch for ch in decomposed if ch not in _VOICING_MARKS)
    plain = unicodedata.normalize("NFC", plain).translate(_SMALL_TO_LARGE)
    return "".join(plain.split()).replace("\u3000", "")


def is_kana_name(text: str) -> bool:
    """True when the text is katakana/hiragana with spaces (a ふりがな field)."""
    return bool(text.strip()) and _KANA_NAME.fullmatch(text) is not None


def gaiji_count(text: str) -> int:
    """Count characters outside JIS X 0208 as 外字 (000 §4.2 items 3, 8).

    住基ネット uses its own 住基統一文字; we approximate the standard set by what Shift_JIS
    (JIS X 0208) can encode. A record with a positive count gets 外字フラグ set.
    """
    try:
        text.encode("shift_jis")
    except UnicodeEncodeError:
        pass
    else:
        return 0  # the common case: no 外字 at all
    count = 0
    for ch in text:
        try:
            ch.encode("shift_jis")
        except UnicodeEncodeError:
            count += 1
    return count
