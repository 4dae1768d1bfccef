"""情報提供用個人識別符号 (符号): the pseudonym under which one institution holds a person
on the information-provision network (番号法 第2条第14項 and 第21条の2; 000 §6.3, 001a §2.4
"符号の取得"). The network derives it from the person's latest 住民票コード, which J-LIS
gives it (never the 個人番号, 000 P2.3), and the institution's identity.

How the real network derives 符号 is not public. juki's choice, in two stages as the
2013 design had it (anchors §5.6): a 連携用符号 (link code) = HMAC-SHA256 under the
network's secret key over a domain tag and the 住民票コード, kept by the network in place
of the code; then each institution's 符号 = HMAC-SHA256 over another domain tag, the
institution and the link code. Never an unkeyed hash: 住民票コード is an 11-digit
space anyone can enumerate (issue #16).
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

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from juki.core import ids
from juki.core.errors import InvalidInput

DOMAIN = b"juki/joho-teikyo-fugo/1"
LINK_DOMAIN = b"juki/renkei-fugo/1"
MIN_KEY_BYTES = 32
INSTITUTION = re.compile(r"^[0-9A-Za-z][0-9A-Za-z:._-]{0,63}$")
LENGTH = 32  # characters of RFC 4648 base32 (160 bits)


def network_key(node_secret: bytes) -> bytes:
    """The 符号 key, derived from the network node's secret (HKDF, RFC 5869) so that no
    other use of the secret can yield it."""
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"juki/fugo-key").derive(
        node_secret
    )


def link_code(key: bytes, resident_code: str) -> str:
    """連携用符号: the network's own handle for a person, from the 住民票コード (anchors
    §5.6, the two-stage scheme). The network keeps this, never the 住民票コード, and
    derives each institution's 符号 from it."""
    _check_key(key)
    code = ids.validate_resident_code(resident_code, field="resident_code")
    return _mac(key, LINK_DOMAIN + b"\x00" + code.encode())


def fugo(key: bytes, institution: str, link: str) -> str:
    """The 符号 of the person with 連携用符号 `link` at `institution`."""
    _check_key(key)
    if not INSTITUTION.match(institution):
        raise InvalidInput("機関の識別子が正しくありません", field="institution")
    return _mac(key, DOMAIN + b"\x00" + institution.encode() + b"\x00" + link.encode())


def derive(key: bytes, institution: str, resident_code: str) -> str:
    """The 符号 of the person with `resident_code` at `institution`."""
    return fugo(key, institution, link_code(key, resident_code))


def _check_key(key: bytes) -> None:
    if len(key) < MIN_KEY_BYTES:
        raise InvalidInput("符号の鍵が短すぎます（32バイト以上）", field="key")


def _mac(key: bytes, message: bytes) -> str:
    digest = hmac.new(key, message, hashlib.sha256).digest()[:20]
    return base64.b32encode(digest).decode("ascii")
