"""Municipality to municipality, always through the CS (001a §3.3; 001b I-07, I-09, I-10):

- 特例転入 (住基法 第24条の2): the new municipality asks the former one for the
  転出証明書情報 of a person who moved out with their My Number card (3-②), the former
  registry answers from its 除票 (3-③), and the 転入 is recorded from it (3-④).
- 転入通知 (1-⑦, 3-⑤): after any 転入 from another municipality the new one tells the
  former one, which fills the 転出確定地 of its 除票 (items 41–45).
"""

from __future__ import annotations

import datetime as dt
import json
import uuid

from sqlalchemy import select

from juki.core.clock import as_utc, japan_today
from juki.core.crypto import sealed_label
from juki.core.errors import Conflict, InvalidInput, NotFound
from juki.core.messages import MessageType, MoveInNotice, MoveOutCertReply, MoveOutCertRequest
from juki.core.messaging.node import UnitOfWork
from juki.registry.notices import arrivals, intake, moves, schemas
from juki.registry.notices.models import IdentityConfirmation
from juki.registry.notices.schemas import IdDocument, NotifierType
from juki.registry.residents import service as residents
from juki.registry.residents.models import Resident
from juki.registry.residents.pool import cs_of, lg_code, now
from juki.registry.residents.schemas import Notice
from juki.registry.transfers.models import MoveOutCertRequestRecord
from juki.registry.transfers.schemas import SpecialMoveInNotice

CERT_COLUMN = sealed_label("move_out_certificate")
# A card 本人確認 justifies a 特例転入 request during the person's visit to the counter.
CONFIRMATION_VALID = dt.timedelta(hours=8)
MOVE_IN_NOTICE_RECEIVED = "move_in_notice"  # 転入通知受理


# --- the new municipality ---------------------------------------------------------------------


def request_certificate(uow: UnitOfWork, confirmation_id: str, clerk: str) -> str:
    """3-①/②: the person presented their My Number card, and the 住民票コード read from it
    was confirmed at the national server (本人確認 with the card, §3.5); ask the
    municipality the national server names for that code, through our CS, for the
    転出証明書情報. Nothing typed by hand chooses whose certificate is asked for: 住基法
    第24条の2 grants the 特例 to card holders only."""
    confirmed, former_lg_code = _moved_out_card_holder(uow, confirmation_id)
    code = confirmed.resident_code
    if former_lg_code == lg_code(uow):
        raise InvalidInput("同一市町村内の異動は転居です", field="identity_confirmation_id")
    request = MoveOutCertRequest(
        request_id=str(uuid.uuid4()),
        requesting_lg_code=lg_code(uow),
        former_lg_code=former_lg_code,
        resident_code=code,
    )
    uow.session.add(
        MoveOutCertRequestRecord(
            request_id=request.request_id,
            former_lg_code=former_lg_code,
            resident_code=code,
            requested_by=clerk,
            requested_at=now(),
            status="waiting",
        )
    )
    confirmed.used_by = request.request_id  # one card read, one request
    uow.send(cs_of(uow), MessageType.MOVE_OUT_CERT_REQUEST, request.model_dump(mode="json"))
    return request.request_id


def _moved_out_card_holder(
    uow: UnitOfWork, confirmation_id: str
) -> tuple[IdentityConfirmation, str]:
    """The 本人確認 of the card read at this counter and the municipality its holder moved
    out of, from the national server's answer — or why the 特例 does not apply. A
    confirmation serves one request, made while the person is at the counter (attack
    review: one read had fetched the 転出証明書情報 any number of times, days later)."""
    field = "identity_confirmation_id"
    confirmed = uow.session.get(IdentityConfirmation, confirmation_id, with_for_update=True)
    if confirmed is None:
        raise NotFound("カードによる本人確認の照会が見つかりません", field=field)
    if confirmed.used_by is not None:
        raise Conflict(
            "この本人確認は既に転出証明書情報の請求に使われています。カードを読み取り直してください",
            field=field, code="confirmation_used",
        )  # fmt: skip
    if now() - as_utc(confirmed.requested_at) > CONFIRMATION_VALID:
        raise Conflict(
            "この本人確認は古くなっています。カードを読み取り直してください",
            field=field, code="confirmation_expired",
        )  # fmt: skip
    if confirmed.status == "waiting" or confirmed.card_status == "waiting":
        raise Conflict("カードによる本人確認の回答を待っています", field=field, code="unanswered")
    if confirmed.card_status != "in_use":  # no card number read, or a card not in use
        raise Conflict(
            "利用中の個人番号カードが確認できません（カード発行番号を読み取ってください）",
            field=field, code="card_not_in_use",
        )  # fmt: skip
    if confirmed.status != "removed" or not confirmed.answer:
        # current: no 転出 on record (the person has not moved out); unknown_code: no such
        # person — either way there is no 転出証明書情報 to ask for
        raise Conflict(
            "このカードの住民票コードには転出の記録がありません（特例転入はできません）",
            field=field, code="not_moved_out",
        )  # fmt: skip
    answer = json.loads(confirmed.answer)
    return confirmed, str(answer["holder_lg_code"])


def receive_certificate(uow: UnitOfWork, reply: MoveOutCertReply) -> None:
    """3-③: keep the certificate (encrypted) until the clerk records the 転入."""
    record = _request(uow, reply.request_id)
    if record is None or record.status != "waiting":
        return
    if reply.former_lg_code != record.former_lg_code:
        return  # an answer from a municipality we did not ask
    record.answered_at = now()
    if reply.certificate is None:
        record.status, record.error_code = "refused", reply.error_code
        return
    record.status = "received"
    record.certificate_cipher = uow.node.keys.encrypt(
        json.dumps(reply.certificate), column=CERT_COLUMN
    )


def request_status(uow: UnitOfWork, request_id: str) -> MoveOutCertRequestRecord:
    record = _request(uow, request_id)
    if record is None:
        raise NotFound("転出証明書情報の依頼が見つかりません", field="request_id")
    return record


def certificate_of(uow: UnitOfWork, request_id: str) -> schemas.MoveOutCertificate:
    record = request_status(uow, request_id)
    if record.status != "received" or record.certificate_cipher is None:
        raise Conflict(
            "転出証明書情報を受信していません", field="request_id", code=f"cert_{record.status}"
        )
    clear = uow.node.keys.decrypt(record.certificate_cipher, column=CERT_COLUMN)
    return schemas.MoveOutCertificate.model_validate_json(clear)


def record_special_move_in(uow: UnitOfWork, notice: SpecialMoveInNotice) -> residents.EventRecord:
    """3-④: the 転入 from the received certificate; the request is then used up. The 特例
    is made with the card: presented by its holder or a member of their household (住基法
    第24条の2; 番号法 第17条第2項), never by an agent."""
    shown = notice.intake.id_document == IdDocument.MY_NUMBER_CARD
    if not shown or notice.intake.notifier == NotifierType.AGENT:
        raise InvalidInput(
            "特例転入は個人番号カードを提示した本人または世帯員の届出に限ります",
            field="intake.id_document" if not shown else "intake.notifier",
        )
    certificate = certificate_of(uow, notice.request_id)
    record = request_status(uow, notice.request_id)
    record.status = "used"
    move_in = schemas.MoveInNotice(
        **notice.model_dump(exclude={"request_id"}),
        name_kanji=certificate.name_kanji,
        name_kana=certificate.name_kana,
        birth_date=certificate.birth_date,
        sex=certificate.sex,
        origin="municipality",
        resident_code=certificate.resident_code,
        individual_number=certificate.individual_number,
        previous_lg_code=certificate.lg_code,
        previous_address=certificate.address,
    )
    intake.carry(notice, move_in)  # the intake taken when it was entered for its check
    # The number came from the former register through 住基ネット, not from paper.
    return arrivals.record_move_in(uow, move_in, kind="転入届（特例転入）", number_verified=True)


def _request(uow: UnitOfWork, request_id: str) -> MoveOutCertRequestRecord | None:
    # FOR UPDATE: two clerks recording the same 転入 at once must not both use it
    return uow.session.scalars(
        select(MoveOutCertRequestRecord)
        .where(MoveOutCertRequestRecord.request_id == request_id)
        .with_for_update()
    ).first()


# --- the former municipality -----------------------------------------------------------------


def answer_certificate_request(uow: UnitOfWork, request: MoveOutCertRequest) -> None:
    """3-③ at the former municipality: the 転出証明書情報 from the 除票, if the person moved
    out of here and has not already moved in elsewhere."""
    removed = _moved_out(uow, request.resident_code)
    certificate = None
    error: str | None = "not_moved_out"
    if removed is not None and removed.confirmed_lg_code:
        error = "already_moved_in"
    elif removed is not None:
        certificate = moves.move_out_certificate(uow, removed).model_dump(mode="json")
        error = None
    reply = MoveOutCertReply(
        request_id=request.request_id,
        requesting_lg_code=request.requesting_lg_code,
        former_lg_code=request.former_lg_code,
        certificate=certificate,
        error_code=error,
    )
    uow.send(cs_of(uow), MessageType.MOVE_OUT_CERT, reply.model_dump(mode="json"))


def receive_move_in_notice(uow: UnitOfWork, notice: MoveInNotice) -> bool:
    """1-⑦ at the former municipality: the 転出確定地 of the 除票 (items 41–45), recorded
    as a history row. False when no 除票 of that code moved out of here."""
    removed = _moved_out(uow, notice.resident_code)
    if removed is None:
        return False
    removed.confirmed_lg_code = notice.new_lg_code
    removed.confirmed_address = notice.address
    removed.confirmed_postal_code = notice.postal_code or None
    removed.confirmed_head_name = notice.head_name or None
    residents.write_history(
        uow,
        removed,
        MOVE_IN_NOTICE_RECEIVED,
        Notice(
            change_date=notice.moved_in_on,
            notified_on=japan_today(),
            operator_id="CS",
            terminal_id=f"cs:{notice.new_lg_code}",
        ),
    )
    return True


def _moved_out(uow: UnitOfWork, resident_code: str) -> Resident | None:
    return uow.session.scalars(
        select(Resident)
        .where(
            Resident.resident_code == resident_code,
            Resident.status == "removed",
            Resident.removal_kind == "move_out",
        )
        .order_by(Resident.id.desc())
    ).first()
