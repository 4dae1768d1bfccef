"""情報提供用個人識別符号 (符号): the pseudonym under which one institution holds a person
on the information-provision network (番号法 第2条第14項 and 第21条の2; 000 §6.3, 001a §2.4
"符号の取得"). The network derives it from the person's latest 住民票コード, which J-LIS
gives it (never the 個人番号, 000 P2.3), and the institution's identity.

How the real network derives 符号 is not public. juki's choice: HMAC-SHA256 under the
network's secret key over a domain tag, the institution and the 住民票コード — never an
unkeyed hash, since 住民票コード is an 11-digit space anyone can enumerate (issue #16).
Without the key one institution's 符号 says nothing about another's, and a 符号 cannot be
traced back to the code; the same person at the same institution always gets the same
符号, so it survives everything but a change of 住民票コード (then the network sends the
new one, 000 P2.3b).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re

from juki.core import ids
from juki.core.errors import InvalidInput

DOMAIN = b"juki/joho-teikyo-fugo/1"
MIN_KEY_BYTES = 32
INSTITUTION = re.compile(r"^[0-9A-Za-z][0-9A-Za-z:._-]{0,63}$")
LENGTH = 32  # characters of RFC 4648 base32 (160 bits)


def derive(key: bytes, institution: str, resident_code: str) -> str:
    """The 符号 of the person with `resident_code` at `institution`."""
    if len(key) < MIN_KEY_BYTES:
        raise InvalidInput("符号の鍵が短すぎます（32バイト以上）", field="key")
    if not INSTITUTION.match(institution):
        raise InvalidInput("機関の識別子が正しくありません", field="institution")
    code = ids.validate_resident_code(resident_code, field="resident_code")
    message = DOMAIN + b"\x00" + institution.encode() + b"\x00" + code.encode()
    digest = hmac.new(key, message, hashlib.sha256).digest()[:20]
    return base64.b32encode(digest).decode("ascii")
