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

import base64
import datetime as dt
import hashlib
import json
from typing import Annotated, Final, Literal

from cryptography.hazmat.primitives import hpke
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from pydantic import Field, field_validator, model_validator

from juki.core import ids
from juki.core.messages import Strict, _wrap

ATENA_ID = r"^[1-9][0-9]{15}$"  # 団体内統合宛名番号: 16 digits, never a 12-digit 個人番号
SERIAL = r"^[0-9a-f]{32}$"  # 処理通番: 128 random bits
FUGO = r"^[A-Z2-7]{32}$"  # 符号: 160 bits, RFC 4648 base32 (infonet/codes.py)
INSTITUTION = r"^[0-9A-Za-z][0-9A-Za-z:._-]{0,63}$"  # as infonet/codes.INSTITUTION
AtenaStatus = Literal["resident", "removed"]  # 住民 / 消除者 (the 副本 keeps both: 001a §3.13)
RESIDENT_RECORD: Final = "住民票関係情報"


class ResidentRecordCopy(Strict):
    """住民票関係情報 as the 副本 holds it (住基法 第7条 4号の事項 …「であって命令第N条で定める
    もの」: the 命令's item list is not in the seeds, so these items are juki's choice —
    the 4情報 with ふりがな, when the person became a resident, status and the last
    change)."""

    name_kanji: str = Field(min_length=1, max_length=100)
    name_kana: str = Field(min_length=1, max_length=100)
    birth_date: dt.date
    sex: Literal["1", "2"]
    address: str = Field(min_length=1, max_length=200)
    became_resident_on: dt.date | None = None
    status: AtenaStatus
    change_reason: str = Field(min_length=1, max_length=40)
    change_date: dt.date


def copy_digest(data: dict[str, object], removed: bool, hold: bool) -> str:
    """A 副本's digest (SHA-256 of its items, 消除 and 自動応答不可, as canonical JSON): the
    register computes it from its original, the 中間サーバー from its 副本 (NWS-7-3)."""
    body = {"data": data, "removed": removed, "hold": hold}
    canonical = json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


class AtenaUpdate(Strict):
    """Register → its 団体内統合宛名システム (1-④, 001b I-03): one person's 宛名番号 in the
    register, 個人番号, whether they are a resident or removed, the 住民票関係情報 for the
    中間サーバー's 副本, and whether a 支援措置 holds (then nothing about the person is
    answered automatically: 001a NWS-5-3, 001b C-13). Sent on every change."""

    addressee_id: int = Field(ge=1)  # the register's 宛名番号
    individual_number: str
    status: AtenaStatus
    record_copy: ResidentRecordCopy | None = None
    support_measure: bool = False

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


class FugoSamePerson(Strict):
    """中間サーバー → 統合宛名: the 符号 issued for `atena_id` is the one `same_as` holds, so
    the two are one person (the 符号 follows the 住民票コード, which a person keeps): e.g.
    someone who left with one 個人番号 and came back with another. The 統合宛名 merges
    them into `same_as` (名寄せ)."""

    atena_id: str = Field(pattern=ATENA_ID)
    same_as: str = Field(pattern=ATENA_ID)


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


# --- queries (情報照会・情報提供, 001a §2.4 ②③⑤⑥⑧; 000 §6.3) ---------------------------------

QUERY_ID = r"^[0-9a-f]{32}$"
PERMIT_ID = r"^[0-9a-f]{32}$"
X25519_KEY_B64 = r"^[A-Za-z0-9_-]{43}=$"  # 32 bytes, URL-safe base64
Row = Annotated[int, Field(ge=1, le=9999)]  # 項番
Task = Annotated[str, Field(min_length=1, max_length=2000)]  # 事務, as the table words it
Item = Annotated[str, Field(min_length=1, max_length=100)]  # 特定個人情報, as the table names it
Items = Annotated[tuple[Item, ...], Field(min_length=1, max_length=30)]
Signature = Annotated[str, Field(min_length=80, max_length=100)]  # Ed25519, base64
CertificatePem = Annotated[str, Field(min_length=100, max_length=4000)]
# The provider's answer: provided (sealed inside); not_held (it holds nothing of the
# person for those items); held (自動応答不可: staff must review it first, nothing is
# sent — an interim answer, the permit stays open for REVIEW_PERIOD); withheld (staff
# reviewed it and decided not to provide, or the review period ended); refused (not on
# its own list, expired, or not from the requester it names).
Outcome = Literal["provided", "not_held", "held", "withheld", "refused"]
# How long the provider's staff have to review a held answer (001a NWS-5-3) before the
# network ends the permit as withheld [juki's choice: the seeds give no time].
REVIEW_PERIOD = dt.timedelta(days=7)
# What the requester is told: not_provided covers not_held and withheld alike, so an answer
# never says where a person is known or that a 支援措置 protects them (a DV victim's new
# municipality must not be found by asking each in turn). The detail stays in the
# network's and the provider's 情報提供等記録.
Result = Literal["provided", "not_provided", "refused"]
# Why a query was refused (by the network or the provider), or an answer not given.
Reason = Literal[
    "unregistered_institution", "unregistered_key", "bad_request_signature", "no_such_row",
    "not_the_rows_requester", "wrong_task", "not_the_rows_provider", "item_not_in_row",
    "unknown_fugo", "provider_holds_no_fugo", "not_on_permit_list", "permit_expired",
    "unusable_key", "no_copy", "no_automatic_answer", "withheld_on_review", "review_expired",
]  # fmt: skip
ANSWER_SUITE = hpke.Suite(hpke.KEM.X25519, hpke.KDF.HKDF_SHA256, hpke.AEAD.AES_256_GCM)


CHECK_ID = r"^[0-9a-f]{32}$"
DIGEST = r"^[0-9a-f]{64}$"


class FukuhonCheck(Strict):
    """The 中間サーバー → its 統合宛名 → its register: send the originals' digests."""

    check_id: str = Field(pattern=CHECK_ID)


class FukuhonOriginal(Strict):
    """Register → 統合宛名 (by 宛名番号) → 中間サーバー (by 統合宛名番号, None if the 統合宛名
    knows no such 宛名番号): one person's original, as a digest (`copy_digest`)."""

    check_id: str = Field(pattern=CHECK_ID)
    addressee_id: int | None = Field(default=None, ge=1)
    atena_id: str | None = Field(default=None, pattern=ATENA_ID)
    digest: str = Field(pattern=DIGEST)


class FukuhonCheckDone(Strict):
    """Register → 統合宛名 → 中間サーバー: every original of the check was sent (`total`)."""

    check_id: str = Field(pattern=CHECK_ID)
    total: int = Field(ge=0)


class FukuhonRegister(Strict):
    """統合宛名 → 中間サーバー (001a §3.13): the 副本 of one person's 住民票関係情報, with
    whether they are removed and whether an answer must wait for staff (自動応答不可)."""

    atena_id: str = Field(pattern=ATENA_ID)
    kind: Literal["住民票関係情報"]
    data: ResidentRecordCopy
    removed: bool
    hold: bool


class PermitListRow(Strict):
    """The network → a 中間サーバー (照会許可用照合リスト, NWS-5-1): a row of the legal table
    under which this institution provides, so it checks each permit itself too."""

    row: Row
    requester: str = Field(min_length=1, max_length=200)
    task: Task
    items: Items


class PermitListWithdrawal(Strict):
    """The network → a 中間サーバー: a row it no longer provides under (the legal table
    changed); permits for it are refused from now on."""

    row: Row


class QueryRequest(Strict):
    """What the requester signs with its node key (Ed25519): the query without its 符号,
    and the key the answer is to be sealed to. The provider checks the signature against
    the requester's certificate from the network CA, so a network that swapped the key
    or the requester could not make the provider seal an answer to anyone else."""

    query_id: str = Field(pattern=QUERY_ID)
    requester: str = Field(pattern=INSTITUTION)
    row: Row
    task: Task
    items: Items
    provider: str = Field(pattern=INSTITUTION)
    reply_key: str = Field(pattern=X25519_KEY_B64)

    def signed_bytes(self) -> bytes:
        return json.dumps(
            self.model_dump(mode="json"), ensure_ascii=False, sort_keys=True, separators=(",", ":")
        ).encode()


class InfonetQuery(Strict):
    """The requester's 中間サーバー → the network (情報照会): the signed request, and the
    符号 it holds the person under (for the network alone: it is not in the signed part,
    which the provider sees)."""

    request: QueryRequest
    signature: Signature
    certificate: CertificatePem
    fugo: str = Field(pattern=FUGO)


class ProvisionPermit(Strict):
    """The network → the provider's 中間サーバー: 提供許可証 with its route (NWS-5-2): the
    requester's signed request, and the person under the provider's own 符号."""

    permit_id: str = Field(pattern=PERMIT_ID)
    request: QueryRequest
    signature: Signature
    certificate: CertificatePem
    fugo: str = Field(pattern=FUGO)
    expires_at: dt.datetime


class InfonetAnswer(Strict):
    """The provider's 中間サーバー → the network: the outcome, and for `provided` (and only
    then) the answer sealed to the requester (HPKE, RFC 9180, bound to the permit)."""

    permit_id: str = Field(pattern=PERMIT_ID)
    outcome: Outcome
    sealed: str | None = Field(default=None, min_length=1, max_length=100_000)
    reason: Reason | None = None

    @model_validator(mode="after")
    def _sealed_if_provided(self) -> InfonetAnswer:
        if (self.outcome == "provided") != (self.sealed is not None):
            raise ValueError("暗号化された回答は提供のときだけ付けます")
        return self


class InfonetResult(Strict):
    """The network → the requester's 中間サーバー: what came of its query."""

    query_id: str = Field(pattern=QUERY_ID)
    permit_id: str | None = Field(default=None, pattern=PERMIT_ID)
    outcome: Result
    sealed: str | None = Field(default=None, min_length=1, max_length=100_000)
    reason: Reason | None = None

    @model_validator(mode="after")
    def _sealed_if_provided(self) -> InfonetResult:
        if (self.outcome == "provided") != (self.sealed is not None and self.permit_id is not None):
            raise ValueError("暗号化された回答は提供のときだけ付けます")
        return self


class UnusableKey(ValueError):
    """A key nothing can be sealed to (not 32 bytes, or a low-order X25519 point)."""


def _answer_info(permit_id: str) -> bytes:
    return b"juki infonet answer v1\x00" + permit_id.encode()


def seal_answer(answer: bytes, reply_key: str, permit_id: str) -> str:
    try:
        key = X25519PublicKey.from_public_bytes(base64.urlsafe_b64decode(reply_key.encode()))
        sealed = ANSWER_SUITE.encrypt(answer, key, info=_answer_info(permit_id))
    except ValueError as bad:  # binascii.Error is one; so is X25519's all-zero shared secret
        raise UnusableKey(str(bad)) from None
    return base64.b64encode(sealed).decode()


def open_answer(sealed: str, private_key: X25519PrivateKey, permit_id: str) -> bytes:
    """The requester's side; raises for another key or another permit's answer."""
    return ANSWER_SUITE.decrypt(base64.b64decode(sealed), private_key, info=_answer_info(permit_id))


def usable_key(reply_key: str) -> bool:
    """Whether an answer can be sealed to this key (checked when it is registered)."""
    try:
        seal_answer(b"", reply_key, "0" * 32)
    except UnusableKey:
        return False
    return True


def public_key_text(private_key: X25519PrivateKey) -> str:
    return base64.urlsafe_b64encode(private_key.public_key().public_bytes_raw()).decode()
