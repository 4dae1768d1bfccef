"""The virtual card's answers to the commands a card reader sends a real My Number card's
JPKI application (ISO/IEC 7816-4 short APDUs), so that counter and reader software can be
tested against it.

What is public and what is not (`docs/jpki.md`): ISO/IEC 7816-4 fixes the command and
status-word shapes. The JPKI application's AID and its elementary files (EF) are not in any
document J-LIS publishes for all; they are as open-source reader software uses them
([Inference]): AID D3 92 F0 00 26 01 00 00 00 01; EF 0001 署名用証明書, 000A 利用者証明用
証明書, 0017 / 001A the 利用者証明用 / 署名用 keys, 0018 / 001B their PINs; COMPUTE DIGITAL
SIGNATURE as CLA 80 INS 2A P1 00 P2 80 over a DigestInfo. The CA certificates' EFs (0002,
000B) are not held by this card (a relying party gets them from JPKI). The 券面事項入力補助
and 住基 applications' AIDs and files are in `core/card_chip.py`, with what of them is
public and what is juki's.

Security status, as a card keeps it: a right VERIFY of a PIN opens its key for the
session; the 署名用 certificate is read, and either key used, only after its PIN; the
券面事項入力補助 application's files (but its signer's certificate) and the 住基
application's are read only after theirs; SELECT of another application ends the
session's status.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import Prehashed

from juki.core import card_chip
from juki.holder.virtual_card import PinLocked, PinRefused, VirtualCard

JPKI_AID = bytes.fromhex("D392F000260100000001")
# Status words (ISO/IEC 7816-4 §5.6)
OK = b"\x90\x00"
END_OF_FILE = b"\x62\x82"  # fewer bytes than asked: the end of the file
WRONG_LENGTH = b"\x67\x00"
SECURITY_NOT_SATISFIED = b"\x69\x82"
BLOCKED = b"\x69\x83"
NO_CURRENT_EF = b"\x69\x86"
WRONG_DATA = b"\x6a\x80"
NOT_FOUND = b"\x6a\x82"
WRONG_P1P2 = b"\x6b\x00"
INS_NOT_SUPPORTED = b"\x6d\x00"
CLA_NOT_SUPPORTED = b"\x6e\x00"

CERTIFICATE_EFS = {0x0001: "sign", 0x000A: "auth"}
KEY_EFS = {0x001A: "sign", 0x0017: "auth"}
PIN_EFS = {0x001B: "sign", 0x0018: "auth"}
# The other two applications: each one PIN, files read from its opened data
TEXT_EFS = {card_chip.NUMBER_EF, card_chip.FOUR_ITEMS_EF, card_chip.SIGNATURE_EF,
            card_chip.SIGNER_EF}  # fmt: skip
JUKI_EFS = {card_chip.RESIDENT_CODE_EF, card_chip.RESIDENT_CODE_SIGNATURE_EF}
APPLICATION_OF = {card_chip.TEXT_AID: "text", card_chip.JUKI_AID: "juki"}
# DigestInfo prefixes (RFC 8017 §9.2 note 1) for the hashes a reader may send (no SHA-1:
# a signature over a SHA-1 digest is refused, 6A80)
DIGEST_INFO = {
    bytes.fromhex("3031300d060960864801650304020105000420"): hashes.SHA256(),
    bytes.fromhex("3041300d060960864801650304020205000430"): hashes.SHA384(),
    bytes.fromhex("3051300d060960864801650304020305000440"): hashes.SHA512(),
}


@dataclass
class Command:
    cla: int
    ins: int
    p1: int
    p2: int
    data: bytes
    le: int | None


class Malformed(Exception):
    pass


def parse(apdu: bytes) -> Command:
    """A short APDU: CLA INS P1 P2 [Lc data] [Le] (ISO/IEC 7816-3 §12.1, cases 1–4)."""
    if len(apdu) < 4:
        raise Malformed
    cla, ins, p1, p2 = apdu[:4]
    body = apdu[4:]
    if not body:
        return Command(cla, ins, p1, p2, b"", None)
    if len(body) == 1:
        return Command(cla, ins, p1, p2, b"", body[0] or 256)
    size = body[0]
    if size == 0 or len(body) not in (1 + size, 2 + size):
        raise Malformed
    le = (body[1 + size] or 256) if len(body) == 2 + size else None
    return Command(cla, ins, p1, p2, body[1 : 1 + size], le)


@dataclass
class CardSession:
    """One reader's session with the card: the selected application and EF, and the keys
    its PINs opened."""

    card: VirtualCard
    application: bytes | None = None
    ef: int | None = None
    opened: dict[str, rsa.RSAPrivateKey] = field(default_factory=dict)
    data: dict[int, bytes] = field(default_factory=dict)  # an opened application's files

    def transmit(self, apdu: bytes) -> bytes:
        try:
            command = parse(apdu)
        except Malformed:
            return WRONG_LENGTH
        if command.cla not in (0x00, 0x80):
            return CLA_NOT_SUPPORTED
        handler = {0xA4: self._select, 0x20: self._verify, 0xB0: self._read_binary,
                   0x2A: self._sign}.get(command.ins)  # fmt: skip
        if handler is None:
            return INS_NOT_SUPPORTED
        return handler(command)

    def _select(self, c: Command) -> bytes:
        if c.p1 == 0x04:  # by DF name (AID)
            kind = APPLICATION_OF.get(c.data)
            if c.data != JPKI_AID and kind not in self.card.applications:
                return NOT_FOUND
            self.application, self.ef, self.opened, self.data = c.data, None, {}, {}
            return OK
        if c.p1 == 0x02:  # an EF of the current DF
            if self.application is None:
                return NOT_FOUND
            if len(c.data) != 2:
                return WRONG_LENGTH
            ef = int.from_bytes(c.data, "big")
            if ef not in self._files():
                return NOT_FOUND
            self.ef = ef
            return OK
        return WRONG_P1P2

    def _files(self) -> set[int]:
        kind = APPLICATION_OF.get(self.application or b"")
        if kind == "text":
            return TEXT_EFS | {card_chip.PIN_EF}
        if kind == "juki":
            return JUKI_EFS | {card_chip.PIN_EF}
        return {*CERTIFICATE_EFS, *KEY_EFS, *PIN_EFS}

    def _pin_kind(self) -> str | None:
        kind = APPLICATION_OF.get(self.application or b"")
        if kind is not None:
            return kind if self.ef == card_chip.PIN_EF else None
        return PIN_EFS.get(self.ef or -1)

    def _verify(self, c: Command) -> bytes:
        kind = self._pin_kind()
        if kind is None:
            return NO_CURRENT_EF
        if c.p1 != 0x00 or c.p2 != 0x80:
            return WRONG_P1P2
        tries = self.card.tries_left[kind]
        if not c.data:  # no PIN: how many tries are left
            return BLOCKED if tries == 0 else bytes([0x63, 0xC0 | tries])
        pin = c.data.decode("ascii", "replace")
        try:
            if kind in APPLICATION_OF.values():
                self.data = _files_of(kind, self.card.open_application(kind, pin))
            else:
                self.opened[kind] = self.card.verify(kind, pin)
        except PinLocked:
            return BLOCKED
        except PinRefused as wrong:
            self.opened.pop(kind, None)
            self.data = {}
            return BLOCKED if wrong.tries_left == 0 else bytes([0x63, 0xC0 | wrong.tries_left])
        return OK

    def _read_binary(self, c: Command) -> bytes:
        if c.p1 & 0x80:  # a short EF identifier in P1: not supported, select the EF first
            return WRONG_P1P2
        if self.application in APPLICATION_OF:
            return self._read_application_file(c)
        kind = CERTIFICATE_EFS.get(self.ef or -1)
        if kind is None:
            return NO_CURRENT_EF
        if kind == "sign" and "sign" not in self.opened:  # its holder's 4情報: PIN first
            return SECURITY_NOT_SATISFIED
        certificate = self.card.certificate(kind)
        if certificate is None:
            return NOT_FOUND
        return _chunk(certificate.public_bytes(serialization.Encoding.DER), c)

    def _read_application_file(self, c: Command) -> bytes:
        if self.ef is None or self.ef == card_chip.PIN_EF:
            return NO_CURRENT_EF
        in_text = APPLICATION_OF[self.application or b""] == "text"
        if in_text and self.ef == card_chip.SIGNER_EF:  # J-LIS's certificate: public
            signer = self.card.signer_certificate
            if signer is None:
                return NOT_FOUND
            der = x509.load_pem_x509_certificate(signer.encode()).public_bytes(
                serialization.Encoding.DER
            )
            return _chunk(der, c)
        if self.ef not in self.data:
            return SECURITY_NOT_SATISFIED
        return _chunk(self.data[self.ef], c)

    def _sign(self, c: Command) -> bytes:
        if self.application != JPKI_AID:
            return INS_NOT_SUPPORTED
        kind = KEY_EFS.get(self.ef or -1)
        if kind is None:
            return NO_CURRENT_EF
        if c.cla != 0x80 or c.p1 != 0x00 or c.p2 != 0x80:
            return WRONG_P1P2
        key = self.opened.get(kind)
        if key is None:
            return SECURITY_NOT_SATISFIED
        for prefix, algorithm in DIGEST_INFO.items():
            digest = c.data[len(prefix) :]
            if c.data.startswith(prefix) and len(digest) == algorithm.digest_size:
                return key.sign(digest, padding.PKCS1v15(), Prehashed(algorithm)) + OK
        return WRONG_DATA


def _chunk(der: bytes, c: Command) -> bytes:
    """READ BINARY: `le` bytes from the offset in P1-P2."""
    offset = (c.p1 << 8) | c.p2
    if offset > len(der):
        return WRONG_P1P2
    chunk = der[offset : offset + (c.le or 256)]
    return chunk + (END_OF_FILE if len(chunk) < (c.le or 256) else OK)


def _files_of(kind: str, opened: bytes) -> dict[int, bytes]:
    """An opened application's files, as a reader reads them (`core/card_chip.py`)."""
    data = json.loads(opened)
    if kind == "juki":
        return {
            card_chip.RESIDENT_CODE_EF: card_chip.resident_code_file(data["resident_code"]),
            card_chip.RESIDENT_CODE_SIGNATURE_EF: card_chip.resident_code_signature_file(
                bytes.fromhex(data["signature"])
            ),
        }
    text = card_chip.TextItems.model_validate(data["text"])
    return {
        card_chip.NUMBER_EF: card_chip.number_file(text),
        card_chip.FOUR_ITEMS_EF: card_chip.four_items_file(text),
        card_chip.SIGNATURE_EF: card_chip.signature_file(text, bytes.fromhex(data["signature"])),
    }
