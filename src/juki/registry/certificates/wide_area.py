"""住民票の写しの広域交付 (住基法 第12条の4): a person (or a member of their household) asks
at any municipality's counter; that municipality asks the home municipality through both
CSs, and issues the copy from the answer. The copy never shows 本籍・筆頭者 (第12条の4
第1項), and here neither 個人番号 nor 住民票コード. The home municipality refuses a
supported person's record to anyone but themself asking for their own record alone
(支援措置), and records the refusal."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from typing import Any

from sqlalchemy import select

from juki.core.audit import outputs
from juki.core.clock import japan_today
from juki.core.crypto import sealed_label
from juki.core.errors import Conflict, InvalidInput, NotFound
from juki.core.messages import MessageType, WideAreaCopy, WideAreaRequest
from juki.core.messaging.node import UnitOfWork
from juki.core.places import municipality
from juki.core.wareki import wareki
from juki.registry.certificates import service as certificates
from juki.registry.certificates.documents import TITLES, Certificate, PersonEntry, render
from juki.registry.certificates.models import CertificateIssue, WideAreaRequestRecord
from juki.registry.certificates.schemas import WideAreaAsk
from juki.registry.households import service as households
from juki.registry.residents.models import Resident
from juki.registry.residents.pool import cs_of, lg_code, now
from juki.registry.support.models import IssueRefusal
from juki.registry.support.service import active_measures

COPY_COLUMN = sealed_label("wide_area_copy")


# --- where the person asks ---------------------------------------------------------------------


def ask(uow: UnitOfWork, body: WideAreaAsk) -> str:
    municipality(body.home_lg_code, field="home_lg_code")
    if body.home_lg_code == lg_code(uow):
        raise InvalidInput("住所地の市町村では通常の交付を行います", field="home_lg_code")
    request = WideAreaRequest(
        request_id=str(uuid.uuid4()),
        requesting_lg_code=lg_code(uow),
        home_lg_code=body.home_lg_code,
        resident_code=body.resident_code,
        scope=body.scope,
        requester_kind=body.requester_kind,
    )
    uow.session.add(
        WideAreaRequestRecord(
            request_id=request.request_id, home_lg_code=body.home_lg_code,
            resident_code=body.resident_code, scope=body.scope,
            requester_kind=body.requester_kind, requested_by=body.clerk_login,
            requested_at=now(), status="waiting",
        )
    )  # fmt: skip
    uow.send(cs_of(uow), MessageType.WIDE_AREA_REQUEST, request.model_dump(mode="json"))
    return request.request_id


def receive(uow: UnitOfWork, answer: WideAreaCopy) -> None:
    record = _record(uow, answer.request_id)
    if record is None or record.status != "waiting" or answer.home_lg_code != record.home_lg_code:
        return  # unknown, already answered, or from a municipality we did not ask
    record.answered_at = now()
    if answer.copy_items is None:
        record.status, record.error_code = "refused", answer.error_code
        return
    record.status = "received"
    record.copy_cipher = uow.node.keys.encrypt(json.dumps(answer.copy_items), column=COPY_COLUMN)


def status(uow: UnitOfWork, request_id: str) -> WideAreaRequestRecord:
    record = _record(uow, request_id)
    if record is None:
        raise NotFound("広域交付の請求が見つかりません", field="request_id")
    return record


def issue(uow: UnitOfWork, request_id: str, clerk_login: str, terminal: str) -> certificates.Issued:
    record = status(uow, request_id)
    if record.status != "received" or record.copy_cipher is None:
        raise Conflict("住所地からの情報を受信していません", field="request_id",
                       code=f"wide_area_{record.status}")  # fmt: skip
    items: dict[str, Any] = json.loads(
        uow.node.keys.decrypt(record.copy_cipher, column=COPY_COLUMN)
    )
    today = japan_today()
    issued = CertificateIssue(
        issue_no="pending", kind="wide_area", household_id=None, resident_ids="[]",
        options=json.dumps({"home_lg_code": record.home_lg_code, "scope": record.scope}),
        requester_kind=record.requester_kind, purpose="広域交付", clerk_login=clerk_login,
        terminal_id=terminal, issued_at=now(), pdf_sha256="", pdf=b"",
    )  # fmt: skip
    uow.session.add(issued)
    uow.session.flush()
    issued.issue_no = f"{today:%Y%m%d}-{issued.id:06d}"
    here = municipality(lg_code(uow))
    people = [
        PersonEntry(
            p["name_kanji"], p["name_kana"], dt.date.fromisoformat(p["birth_date"]), p["sex"],
            [(label, value) for label, value in p["lines"]],
        )
        for p in items["people"]
    ]  # fmt: skip
    pdf = render(
        Certificate(
            kind="wide_area", issue_no=issued.issue_no, issued_on=today,
            mayor=f"{here.prefecture}{here.name}長", address=items["address"],
            head_name=items["head_name"], people=people,
        )
    )  # fmt: skip
    issued.pdf, issued.pdf_sha256 = pdf, hashlib.sha256(pdf).hexdigest()
    record.status = "issued"
    outputs.record_output(
        uow.session, operator=clerk_login, terminal=terminal, form=TITLES["wide_area"],
        targets=(f"wide_area={record.id}",), purpose="広域交付",
    )  # fmt: skip
    return certificates.Issued(issued.issue_no, pdf)


def _record(uow: UnitOfWork, request_id: str) -> WideAreaRequestRecord | None:
    return uow.session.scalars(
        select(WideAreaRequestRecord).where(WideAreaRequestRecord.request_id == request_id)
    ).first()


# --- the home municipality ---------------------------------------------------------------------


def answer(uow: UnitOfWork, request: WideAreaRequest) -> None:
    person = uow.session.scalars(
        select(Resident).where(
            Resident.resident_code == request.resident_code, Resident.status == "resident"
        )
    ).first()
    copy_items: dict[str, Any] | None = None
    error: str | None = "not_resident"
    if person is not None:
        people = households.members(uow, person.household_id)
        if request.scope == "person":
            people = [person]
        supported = active_measures(uow, [p.id for p in people], japan_today())
        # Only the supported person, asking for their own record alone, is served.
        if supported and (request.requester_kind != "self" or request.scope != "person"):
            error = "support_measure"
            uow.session.add(
                IssueRefusal(
                    resident_id=min(supported), action="wide_area",
                    requester_kind=request.requester_kind, reason="support_measure",
                    clerk_login=f"cs:{request.requesting_lg_code}", terminal_id="",
                    refused_at=now(),
                )
            )  # fmt: skip
        else:
            copy_items, error = _copy_items(uow, person, people), None
    reply = WideAreaCopy(
        request_id=request.request_id, requesting_lg_code=request.requesting_lg_code,
        home_lg_code=request.home_lg_code, copy_items=copy_items, error_code=error,
    )  # fmt: skip
    uow.send(cs_of(uow), MessageType.WIDE_AREA_COPY, reply.model_dump(mode="json"))


def _copy_items(uow: UnitOfWork, person: Resident, people: list[Resident]) -> dict[str, Any]:
    head = households.head_of(uow, person.household_id)
    return {
        "address": person.address,
        "head_name": head.name_kanji if head else "",
        "people": [
            {
                "name_kanji": p.name_kanji, "name_kana": p.name_kana,
                "birth_date": p.birth_date.isoformat(), "sex": p.sex,
                "lines": [("続柄", p.relationship),
                          ("住民となった年月日", wareki(p.became_resident_on))]
                + ([("前住所", p.previous_address)] if p.previous_address else []),
            }
            for p in people
        ],
    }  # fmt: skip
