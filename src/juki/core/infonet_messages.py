"""Records of 符号 acquisition on the information-provision network (001b flow 5; 000 P2.3,
C10–C12; `docs/infonet.md`).

An institution (a municipality, later 日本年金機構 …) holds each person under its own
情報提供用個人識別符号 (符号). To get one (001b 5-①…④):

1. the register tells its institution's 団体内統合宛名システム (`atena`) of each person:
   宛名番号, 個人番号, whether a resident (`AtenaUpdate`, 1-④);
2. the 統合宛名 asks its 中間サーバー (`intermediate`) for a 処理通番 for the person's
   団体内統合宛名番号 (`FugoAcquire` → `FugoSerial`); the 中間サーバー never sees the
   個人番号 [juki's choice: 001b 5-① pairs the 処理通番 with the 個人番号 at the 中間サーバー;
   pairing it with the 統合宛名番号 gives the same binding without the number];
3. the 統合宛名 sends 処理通番 + 個人番号 to the register, which relays it to its CS, which
   relays it to J-LIS (`FugoRequest`, C10);
4. J-LIS finds the person's latest 住民票コード and sends only that, with the 処理通番, to
   the 情報提供ネットワークシステム (`FugoResidentCode`, C11; 000 F2-NW-07);
5. the network derives the institution's 符号 and sends it to that institution's
   中間サーバー against the 処理通番 (`FugoIssued`).

A change of 住民票コード reaches the network as old and new code (`FugoCodeChange`, C12,
P2.3b); every institution's 符号 follows (`FugoRekey`).

A record that must not carry a value has no field for it (design §3): no 個人番号 after
J-LIS, no 住民票コード beyond the network, no 符号 outside network and 中間サーバー.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator

from juki.core import ids
from juki.core.messages import Strict, _wrap

ATENA_ID = r"^[1-9][0-9]{15}$"  # 団体内統合宛名番号: 16 digits, never a 12-digit 個人番号
SERIAL = r"^[0-9a-f]{32}$"  # 処理通番: 128 random bits
FUGO = r"^[A-Z2-7]{32}$"  # 符号: 160 bits, RFC 4648 base32 (infonet/codes.py)
INSTITUTION = r"^[0-9A-Za-z][0-9A-Za-z:._-]{0,63}$"  # as infonet/codes.INSTITUTION
AtenaStatus = Literal["resident", "removed"]  # 住民 / 消除者 (the 副本 keeps both: 001a §3.13)


class AtenaUpdate(Strict):
    """Register → its 団体内統合宛名システム (1-④, 001b I-03): one person's 宛名番号 in the
    register, 個人番号, and whether they are a resident or removed. Sent on every change."""

    addressee_id: int = Field(ge=1)  # the register's 宛名番号
    individual_number: str
    status: AtenaStatus

    @field_validator("individual_number")
    @classmethod
    def _individual_number(cls, value: str) -> str:
        return _wrap(ids.validate_individual_number, value, "individual_number")


class FugoAcquire(Strict):
    """統合宛名 → 中間サーバー: this 統合宛名番号 has no 符号 yet; give a 処理通番."""

    atena_id: str = Field(pattern=ATENA_ID)


class FugoSerial(Strict):
    """中間サーバー → 統合宛名: the 処理通番 it will accept a 符号 against (001b 5-①)."""

    atena_id: str = Field(pattern=ATENA_ID)
    serial: str = Field(pattern=SERIAL)


class FugoRequest(Strict):
    """統合宛名 → 既存住基 → CS → J-LIS (C10): the institution asks J-LIS to give the network
    the 住民票コード of the person with this 個人番号, against the 処理通番."""

    serial: str = Field(pattern=SERIAL)
    institution: str = Field(pattern=INSTITUTION)
    individual_number: str

    @field_validator("individual_number")
    @classmethod
    def _individual_number(cls, value: str) -> str:
        return _wrap(ids.validate_individual_number, value, "individual_number")


class FugoResidentCode(Strict):
    """J-LIS → the network (C11): the latest 住民票コード for the institution's 処理通番."""

    serial: str = Field(pattern=SERIAL)
    institution: str = Field(pattern=INSTITUTION)
    resident_code: str

    @field_validator("resident_code")
    @classmethod
    def _resident_code(cls, value: str) -> str:
        return _wrap(ids.validate_resident_code, value, "resident_code")


class FugoIssued(Strict):
    """The network → the institution's 中間サーバー (5-④): the 符号 for the 処理通番."""

    serial: str = Field(pattern=SERIAL)
    fugo: str = Field(pattern=FUGO)


class FugoCodeChange(Strict):
    """J-LIS → the network (C12, P2.3b): a person's 住民票コード changed."""

    old_resident_code: str
    new_resident_code: str

    @field_validator("old_resident_code", "new_resident_code")
    @classmethod
    def _resident_code(cls, value: str) -> str:
        return _wrap(ids.validate_resident_code, value, "resident_code")


class FugoRekey(Strict):
    """The network → a 中間サーバー: the person it held under `old_fugo` is `new_fugo` now."""

    old_fugo: str = Field(pattern=FUGO)
    new_fugo: str = Field(pattern=FUGO)
