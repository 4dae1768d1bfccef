"""File 3's images and braille name of a 交付申請 (000 §4.3 items 66–67, 69–70, 73–74;
issue #15: "store the image sealed, not just a digest"): kept sealed, each checked before
anything is stored — a photo that is not the one its digest names, not a JPEG, not base64,
or a braille name not in katakana is refused naming the field, and the form stays as it
was."""

from __future__ import annotations

import base64
import hashlib

import pytest
from sqlalchemy import select, text

from juki.card.models import CardApplicationImage, CardFileEntry
from juki.network.embedded import EmbeddedNetwork
from tests.card.helpers import CARD, application, client_id_of, contractor, entries
from tests.card.test_applications import registered

URL = "/card/applications"
PHOTO = b"\xff\xd8\xff\xe0" + b"JFIF-face-photo" * 200  # a JPEG's first bytes, then pixels
FORM = b"%PDF-1.7\n" + b"scanned form" * 500


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def with_images(application_id: str, **fields: object) -> dict[str, object]:
    return application(
        application_id, photo_sha256=hashlib.sha256(PHOTO).hexdigest(), face_photo=b64(PHOTO),
        form_image=b64(FORM), linkage_number="BATCH-0042", **fields,
    )  # fmt: skip


def test_the_images_and_the_braille_name_are_kept_sealed(network: EmbeddedNetwork) -> None:
    entry = registered(network)
    receipt = contractor(network)
    body = with_images(entry.application_id, braille=True, braille_kana="スミダ　ハナコ")
    answer = receipt.post(URL, json=body)
    assert answer.status_code == 201, answer.text
    with network.node(CARD).db.session() as session:
        stored = session.get(CardApplicationImage, entry.id)
        assert stored is not None
        assert (stored.face_photo, stored.form_image) == (b64(PHOTO), b64(FORM))
        held = session.get(CardFileEntry, entry.id)
        assert held is not None
        assert (held.braille_kana, held.linkage_number) == ("スミダ　ハナコ", "BATCH-0042")
        assert held.receipt_contractor == client_id_of(receipt)
        # on disk: ciphertext only
        raw = session.execute(text("SELECT * FROM card_application_images")).one()
        kana = session.execute(text("SELECT braille_kana_cipher FROM card_file")).scalars().all()
    on_disk = b"".join(
        bytes(v) if isinstance(v, bytes | memoryview) else str(v).encode() for v in raw
    )
    assert PHOTO[:64] not in on_disk
    assert b64(PHOTO)[:64].encode() not in on_disk
    assert b"%PDF" not in on_disk
    assert all("スミダ".encode() not in bytes(k) for k in kana if k is not None)


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"face_photo": b64(b"\xff\xd8\xff\xe0 another face")}, "face_photo"),  # digest differs
        ({"face_photo": b64(b"\x89PNG\r\n\x1a\n....")}, "face_photo"),  # not a JPEG
        ({"face_photo": "not base64!"}, "face_photo"),
        ({"form_image": b64(b"GIF89a....")}, "form_image"),
        ({"form_image": ""}, "form_image"),
        ({"braille": True, "braille_kana": "すみだ　はなこ"}, "braille_kana"),  # hiragana
        ({"braille_kana": "スミダ"}, "braille_kana"),  # no braille asked for
        ({"linkage_number": "批次/1"}, "linkage_number"),
    ],
)
def test_a_bad_image_or_name_is_refused_and_nothing_stored(
    sqlite_network: EmbeddedNetwork, fields: dict[str, object], field: str
) -> None:
    network = sqlite_network
    entry = registered(network)
    answer = contractor(network).post(URL, json=with_images(entry.application_id) | fields)
    assert answer.status_code == 422, answer.text
    errors = answer.json().get("errors") or [answer.json()]
    assert [e["field"] for e in errors] == [field]
    [held] = [e for e in entries(network) if e.id == entry.id]
    assert (held.status, held.photo_sha256, held.commission_number) == ("registered", None, None)
    with network.node(CARD).db.session() as session:
        assert session.scalars(select(CardApplicationImage)).all() == []


def test_the_images_go_with_the_entry_when_file_3_erases_it(network: EmbeddedNetwork) -> None:
    entry = registered(network)
    assert contractor(network).post(URL, json=with_images(entry.application_id)).is_success
    with network.node(CARD).unit_of_work() as uow:
        held = uow.session.get(CardFileEntry, entry.id)
        uow.session.delete(held)
    with network.node(CARD).db.session() as session:
        assert session.scalars(select(CardApplicationImage)).all() == []
