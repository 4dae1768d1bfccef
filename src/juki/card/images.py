"""File 3's images of a 交付申請 (000 §4.3 items 69 顔写真 and 70 申請書イメージ) and the
braille name (73–74): checked as they come from the application-receipt contractor, and
kept sealed under the node's field key — the face photo is biometric, the form carries the
person's handwriting — not only as a digest.

A face photo must be a JPEG whose SHA-256 is the `photo_sha256` given with it (the digest
the contractor computed on its side: a photo changed on the way is refused); the form's
image a JPEG, PNG or PDF. Each is checked by its first bytes, not by what the sender says
it is. A braille name comes only with braille (点字有無), in katakana; without one, the
card is brailled from the name's kana in the 送付先情報 (item 43).
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import re

from sqlalchemy.orm import Session

from juki.card.models import CardApplicationImage, CardFileEntry
from juki.card.schemas import ApplicationCreate
from juki.core.errors import InvalidInput

JPEG, PNG, PDF = b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"%PDF-"
KATAKANA = re.compile(r"^[\u30a1-\u30f6\u30fc\u3000 ]+$")


def check(form: ApplicationCreate) -> None:
    """Everything about the images and the braille name, before anything is stored."""
    if form.face_photo is not None:
        photo = _decoded(form.face_photo, "face_photo", "顔写真")
        if not photo.startswith(JPEG):
            raise InvalidInput("顔写真はJPEG形式で送ってください", field="face_photo")
        if hashlib.sha256(photo).hexdigest() != form.photo_sha256:
            raise InvalidInput("顔写真がphoto_sha256のハッシュ値と一致しません", field="face_photo")
    if form.form_image is not None:
        image = _decoded(form.form_image, "form_image", "申請書イメージ")
        if not image.startswith((JPEG, PNG, PDF)):
            raise InvalidInput(
                "申請書イメージはJPEG・PNG・PDFのいずれかで送ってください", field="form_image"
            )
    if form.braille_kana is not None:
        if not form.braille:
            raise InvalidInput("点字を希望しない申請にカナ氏名は不要です", field="braille_kana")
        if not KATAKANA.match(form.braille_kana):
            raise InvalidInput("点字用の氏名はカタカナで入力してください", field="braille_kana")


def _decoded(value: str, field: str, label: str) -> bytes:
    try:
        data = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise InvalidInput(f"{label}はbase64で送ってください", field=field) from None
    if not data:
        raise InvalidInput(f"{label}が空です", field=field)
    return data


def store(session: Session, entry: CardFileEntry, form: ApplicationCreate) -> None:
    """The images, sealed, beside the entry (erased with it: F3-STO-03)."""
    if form.face_photo is None and form.form_image is None:
        return
    session.add(
        CardApplicationImage(
            entry_id=entry.id, face_photo=form.face_photo, form_image=form.form_image,
            stored_at=dt.datetime.now(dt.UTC),
        )
    )  # fmt: skip
