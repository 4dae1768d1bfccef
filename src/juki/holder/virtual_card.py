"""The holder's virtual My Number card: one JSON file, written 0600, holding the card's
number, the two key pairs of the JPKI application (the private keys sealed under their
PINs, `sealing.py`), the certificates once issued, each PIN's retry counter, and — for a
card the issuance contractor made (`core/card_chip.py`) — the 券面事項入力補助 application
(the 個人番号 and 4情報 with J-LIS's signature) sealed under its PIN and the 住基
application (the 住民票コード) sealed under its own.

The keys are made here, on the holder's side; only the public keys leave (for the mayor's
application to JPKI, `registry/cards/certificates.py`). No PIN is written anywhere, and
no private key leaves the file except as a signature.

A wrong PIN is counted before it is tried, and the count is on disk before the answer is
given, so a crash or a killed process never gives a free try; a right PIN restores the
count. At zero the PIN is locked: nothing opens the key, whatever is presented.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from juki.core.card_chip import ChipImage
from juki.core.errors import Conflict, InvalidInput
from juki.core.files import write_private
from juki.holder import pins, sealing

FORMAT = "juki-virtual-card/1"
KINDS = ("sign", "auth")  # the JPKI application's keys
APPLICATIONS = ("text", "juki")  # 券面事項入力補助, 住基: data, not keys


class PinLocked(Conflict):
    """The PIN's tries are spent; only the municipality's counter resets it."""

    code = "pin_locked"


class PinRefused(InvalidInput):
    """A wrong PIN; `tries_left` more before it locks."""

    code = "wrong_pin"

    def __init__(self, kind: str, tries_left: int):
        super().__init__(
            f"{pins.LABELS[kind]}が違います（あと{tries_left}回で利用できなくなります）",
            field=f"{kind}_pin",
        )
        self.tries_left = tries_left


@dataclass
class VirtualCard:
    path: Path
    card_issue_number: str
    keys: dict[str, dict[str, str]]  # kind -> sealed private key (PKCS#8 DER)
    public_keys: dict[str, str]  # kind -> PEM
    tries_left: dict[str, int]
    certificates: dict[str, str] = field(default_factory=dict)  # kind -> PEM
    applications: dict[str, dict[str, str]] = field(default_factory=dict)  # kind -> sealed
    signer_certificate: str | None = None  # J-LIS's 券面事項 signer (EF 0004: not secret)

    # --- the file -------------------------------------------------------------------------

    @classmethod
    def create(
        cls,
        path: Path,
        card_issue_number: str,
        sign_pin: str,
        auth_pin: str,
        *,
        chip: ChipImage | None = None,
        text_pin: str | None = None,
        juki_pin: str | None = None,
    ) -> VirtualCard:
        """A new card with fresh RSA-2048 keys (施行規則 第2条), sealed under the PINs; with
        the contractor's `chip`, its two other applications sealed under theirs."""
        if path.exists():
            raise Conflict("そのファイルは既にあります", field="path")
        if not re.fullmatch(r"[0-9A-F]{16}", card_issue_number):
            raise InvalidInput("カード発行番号は16桁の英数字です", field="card_issue_number")
        if chip is not None and chip.card_issue_number != card_issue_number:
            raise InvalidInput("チップのカード発行番号が違います", field="card_issue_number")
        pins.check_format("sign", sign_pin)
        pins.check_format("auth", auth_pin)
        sealed_data = {} if chip is None else _sealed_applications(chip, text_pin, juki_pin)
        keys, public = {}, {}
        for kind, pin in (("sign", sign_pin), ("auth", auth_pin)):
            key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
            der = key.private_bytes(
                serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )  # fmt: skip
            keys[kind] = sealing.seal(der, pin, _context(card_issue_number, kind))
            public[kind] = (
                key.public_key()
                .public_bytes(
                    serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
                )
                .decode()
            )
        kinds = (*KINDS, *sealed_data)
        card = cls(path, card_issue_number, keys, public, {k: pins.RULES[k].tries for k in kinds})
        card.applications = sealed_data
        card.signer_certificate = None if chip is None else chip.signer_certificate
        card.save()
        return card

    @classmethod
    def load(cls, path: Path) -> VirtualCard:
        try:
            data: dict[str, Any] = json.loads(path.read_text())
        except (OSError, ValueError):
            raise InvalidInput("カードのファイルを読めません", field="path") from None
        if data.get("format") != FORMAT:
            raise InvalidInput("juki の仮想カードのファイルではありません", field="path")
        return cls(
            path, data["card_issue_number"], data["keys"], data["public_keys"],
            data["tries_left"], data.get("certificates", {}), data.get("applications", {}),
            data.get("signer_certificate"),
        )  # fmt: skip

    def save(self) -> None:
        """Replace the file whole (a counter is never half-written)."""
        data = {
            "format": FORMAT, "card_issue_number": self.card_issue_number, "keys": self.keys,
            "public_keys": self.public_keys, "tries_left": self.tries_left,
            "certificates": self.certificates, "applications": self.applications,
            "signer_certificate": self.signer_certificate,
        }  # fmt: skip
        temporary = self.path.with_name(self.path.name + ".new")
        write_private(temporary, json.dumps(data, ensure_ascii=False, indent=1).encode())
        temporary.replace(self.path)

    def add_chip(
        self, chip: ChipImage, text_pin: str, juki_pin: str, *, rewrite: bool = False
    ) -> None:
        """The contractor's chip for a card made before it was given (the keys are made at
        the 交付, the chip is given once the 交付 took effect): once only, for this card.
        `rewrite`: the contents J-LIS signed again for the counter, written over the card's
        (a 券面事項入力補助 or 住基 PIN reset, or the card face changed) under new PINs,
        their counts restored — the old data are not opened, so a locked PIN is no bar."""
        if chip.card_issue_number != self.card_issue_number:
            raise InvalidInput("チップのカード発行番号が違います", field="card_issue_number")
        sealed = _sealed_applications(chip, text_pin, juki_pin)
        with self._exclusive():
            on_disk = VirtualCard.load(self.path)
            if on_disk.applications and not rewrite:
                raise Conflict("このカードにはチップの内容が既にあります", field="chip")
            if rewrite and not on_disk.applications:
                raise Conflict("このカードにはまだチップの内容がありません", field="chip")
            self.__dict__.update(on_disk.__dict__)
            self.applications = sealed
            self.signer_certificate = chip.signer_certificate
            self.tries_left |= {kind: pins.RULES[kind].tries for kind in sealed}
            self.save()

    # --- certificates ---------------------------------------------------------------------

    def load_certificates(self, sign_pem: str | None, auth_pem: str | None) -> None:
        """JPKI's certificates, each only if it certifies this card's own key."""
        for kind, pem in (("sign", sign_pem), ("auth", auth_pem)):
            if pem is None:
                continue
            try:
                certificate = x509.load_pem_x509_certificate(pem.encode())
            except ValueError:
                raise InvalidInput("証明書を読めません", field=f"{kind}_certificate") from None
            mine = serialization.load_pem_public_key(self.public_keys[kind].encode())
            if certificate.public_key() != mine:
                raise InvalidInput(
                    "このカードの鍵の証明書ではありません", field=f"{kind}_certificate"
                )
            self.certificates[kind] = pem
        self.save()

    def certificate(self, kind: str) -> x509.Certificate | None:
        pem = self.certificates.get(kind)
        return x509.load_pem_x509_certificate(pem.encode()) if pem else None

    # --- PINs and keys --------------------------------------------------------------------

    def verify(self, kind: str, pin: str) -> rsa.RSAPrivateKey:
        """The private key of `kind`, if `pin` opens it; counted either way."""
        der = self._unseal(kind, pin)
        key = serialization.load_der_private_key(der, password=None)
        assert isinstance(key, rsa.RSAPrivateKey)
        return key

    def open_application(self, kind: str, pin: str) -> bytes:
        """The data of the 券面事項入力補助 (`text`) or 住基 (`juki`) application, if `pin`
        opens it; counted like a key's PIN."""
        if kind not in self.applications:
            raise InvalidInput("このカードにはそのアプリケーションがありません", field="kind")
        return self._unseal(kind, pin)

    def _unseal(self, kind: str, pin: str) -> bytes:
        """What `pin` seals for `kind`. The count is read again and written under an
        exclusive lock on the file, so tries made at the same moment (several processes or
        sessions) each cost one (attack review)."""
        with self._exclusive():
            on_disk = VirtualCard.load(self.path)
            self.keys, self.tries_left = on_disk.keys, on_disk.tries_left
            self.applications = on_disk.applications
            if self.tries_left[kind] <= 0:
                raise PinLocked(
                    f"{pins.LABELS[kind]}はロックされています。市区町村の窓口で再設定してください",
                    field=f"{kind}_pin",
                )
            self.tries_left[kind] -= 1
            self.save()  # counted before it is tried
        box = self.keys[kind] if kind in KINDS else self.applications[kind]
        try:
            opened = sealing.open_sealed(box, pin, _context(self.card_issue_number, kind))
        except sealing.WrongPin:
            raise PinRefused(kind, self.tries_left[kind]) from None
        with self._exclusive():
            self.tries_left = VirtualCard.load(self.path).tries_left
            self.tries_left[kind] = pins.RULES[kind].tries
            self.save()
        return opened

    @contextmanager
    def _exclusive(self) -> Iterator[None]:
        """An exclusive lock (flock) on a file beside the card, for read-count-write."""
        lock = self.path.with_name(self.path.name + ".lock")
        descriptor = os.open(lock, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX)
            yield
        finally:
            os.close(descriptor)  # closing releases the lock

    def change_pin(self, kind: str, old: str, new: str) -> None:
        pins.check_format(kind, new)
        if kind in APPLICATIONS:
            data = self.open_application(kind, old)
            context = _context(self.card_issue_number, kind)
            self.applications[kind] = sealing.seal(data, new, context)
        else:
            der = self.verify(kind, old).private_bytes(
                serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )  # fmt: skip
            self.keys[kind] = sealing.seal(der, new, _context(self.card_issue_number, kind))
        self.save()

    def reset_key(self, kind: str, new_pin: str) -> str:
        """A locked (or forgotten) PIN is not opened but replaced, as the counter does it
        after confirming who the holder is: a new key pair for `kind` under `new_pin`, its
        count restored, its certificate dropped. The key is worth nothing until the counter
        applies for a certificate with the public key this returns; JPKI then ends the old
        certificate (superseded). The old key cannot be opened without its PIN, and no one
        else holds it, so there is nothing else to reset. The 券面事項入力補助 and 住基 PINs
        seal data, not keys: theirs are reset by writing the chip's data again
        (`add_chip(rewrite=True)`, with the contents J-LIS signs again for the counter)."""
        if kind not in KINDS:
            raise InvalidInput(
                "この暗証番号はこのコマンドでは再設定できません（電子証明書の暗証番号のみ）",
                field="kind",
            )
        pins.check_format(kind, new_pin)
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        der = key.private_bytes(
            serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )  # fmt: skip
        self.keys[kind] = sealing.seal(der, new_pin, _context(self.card_issue_number, kind))
        self.public_keys[kind] = (
            key.public_key()
            .public_bytes(
                serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
            )
            .decode()
        )
        self.tries_left[kind] = pins.RULES[kind].tries
        self.certificates.pop(kind, None)
        self.save()
        return self.public_keys[kind]

    def sign(self, data: bytes, pin: str) -> bytes:
        """電子署名 with the 署名用 key (RSA PKCS#1 v1.5, SHA-256, as the card signs)."""
        return self.verify("sign", pin).sign(data, padding.PKCS1v15(), hashes.SHA256())

    def authenticate(self, challenge: bytes, pin: str) -> bytes:
        """電子利用者証明: the 利用者証明用 key signs the relying party's challenge."""
        return self.verify("auth", pin).sign(challenge, padding.PKCS1v15(), hashes.SHA256())

    def shown(self) -> dict[str, Any]:
        """What `juki card show` prints: nothing secret, no PIN needed."""
        certificates = {}
        for kind in KINDS:
            found = self.certificate(kind)
            certificates[kind] = None if found is None else {
                "serial": format(found.serial_number, "x"),
                "not_after": found.not_valid_after_utc.astimezone(dt.UTC).isoformat(),
                "issuer": found.issuer.rfc4514_string(),
            }  # fmt: skip
        return {
            "card_issue_number": self.card_issue_number,
            "tries_left": dict(self.tries_left),
            "certificates": certificates,
            "applications": sorted(self.applications),
        }


def _sealed_applications(
    chip: ChipImage, text_pin: str | None, juki_pin: str | None
) -> dict[str, dict[str, str]]:
    """The chip's 券面事項入力補助 data (with J-LIS's signature, so that a reader can check
    it) and its 住民票コード, each sealed under the PIN the holder set for it."""
    sealed = {}
    for kind, pin, data in (
        ("text", text_pin, {"text": chip.text.model_dump(mode="json"),
                            "signature": chip.text_signature}),
        ("juki", juki_pin, {"resident_code": chip.resident_code,
                            "signature": chip.resident_code_signature}),
    ):  # fmt: skip
        if pin is None:
            raise InvalidInput(f"{pins.LABELS[kind]}を設定してください", field=f"{kind}_pin")
        pins.check_format(kind, pin)
        encoded = json.dumps(data, ensure_ascii=False).encode()
        sealed[kind] = sealing.seal(encoded, pin, _context(chip.card_issue_number, kind))
    return sealed


def _context(card_issue_number: str, kind: str) -> str:
    return f"juki-virtual-card/{card_issue_number}/{kind}"
