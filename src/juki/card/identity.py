"""File 3's index of a person's 4情報, so that the call centre can confirm who is calling
and find their card (000 P3.2 3, P3.3 "matching against the person's 4 items") without
opening every sealed record: a keyed digest (HMAC, the node's blind-index key) of all four
items together, never of fewer. A caller who gets one item wrong matches nothing — a
record linked to the wrong person by matching fewer than all four is a known failure of
real systems.

Each item is compared as written, after NFKC and with every space removed (a caller's
「墨田 花子」 and the register's 「墨田　花子」 are one name); nothing else is folded.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import Any

from juki.core.crypto import FieldKeys

COLUMN = "card_four_items"
_SPACES = re.compile(r"\s+")


def _plain(text: str) -> str:
    return _SPACES.sub("", unicodedata.normalize("NFKC", text))


def four_items_index(
    keys: FieldKeys, name_kanji: str, birth_date: dt.date | str, sex: str, address: str
) -> str:
    birth = birth_date.isoformat() if isinstance(birth_date, dt.date) else birth_date
    joined = "\x1f".join((_plain(name_kanji), birth, sex, _plain(address)))
    return keys.blind_index(joined, column=COLUMN)


def of_record(keys: FieldKeys, record: dict[str, Any]) -> str:
    """The index of a File 3 record (送付先情報 as registered, kept current by the relay).
    Its 住所 may carry the 方書 after a full-width space (registry destination_info); the
    住所 of the 住民票 is what is matched."""
    address = str(record["address"]).split("\u3000", 1)[0]
    return four_items_index(
        keys, str(record["name_kanji"]), str(record["birth_date"]), str(record["sex"]), address
    )
