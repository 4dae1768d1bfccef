"""Issuing certificates at the counter: who may get what (住基法 第12条 本人等, 第12条の2
国・地方公共団体, 第12条の3 第三者), the 支援措置 refusal, the 交付履歴.

A request the law does not allow (e.g. a third party asking for the 個人番号) is bad input
and raises, naming the field. A 支援措置 refusal is different: the attempt itself is a
record (shown to the supervisor) and must be committed, so `issue` returns `IssueRefused`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass

from sqlalchemy import select

from juki.core.audit import outputs
from juki.core.clock import japan_today
from juki.core.errors import InvalidInput, NotFound
from juki.core.identity import NUMBER_COLUMN
from juki.core.messaging.node import UnitOfWork
from juki.core.places import municipality
from juki.core.wareki import wareki
from juki.registry.certificates.documents import TITLES, Certificate, PersonEntry, render
from juki.registry.certificates.models import CertificateIssue
from juki.registry.certificates.schemas import IssueRequest
from juki.registry.households import service as households
from juki.registry.residents.models import Resident
from juki.registry.residents.pool import lg_code, now
from juki.registry.support.models import IssueRefusal
from juki.registry.support.service import active_measures

REQUESTER_LABELS = {
    "self": "本人",
    "household": "同一世帯の者",
    "agent": "代理人",
    "third": "第三者",
    "official": "国・地方公共団体（公用）",
}
KIND_LABELS = {
    "copy": "住民票の写し",
    "removed_copy": "除票の写し",
    "entries": "記載事項証明書",
    "wide_area": "住民票の写し（広域交付）",
    "move_out": "転出証明書",
}
# 個人番号 and 住民票コード appear only on copies for the person or their household
# (住基法 第12条第5項; 第12条の2第4項, 第12条の3第7項 exclude them for others).
MAY_SEE_CODES = {"self", "household"}


@dataclass
class Issued:
    issue_no: str
    pdf: bytes


@dataclass
class IssueRefused:
    refusal_id: int
    message: str


def issue(uow: UnitOfWork, request: IssueRequest) -> Issued | IssueRefused:
    people = _targets(uow, request)
    _check_permitted(request)
    today = japan_today()
    supported = active_measures(uow, [p.id for p in people], today)
    # A supported person's record goes only to that person: not to a third party, nor to
    # another member of the household (who may be the one the measure protects against).
    if supported and not (request.requester_kind == "self" and supported == {request.requester_id}):
        return _refuse(uow, request, supported)
    record = CertificateIssue(
        issue_no="pending",
        kind=request.kind,
        household_id=people[0].household_id,
        resident_ids=json.dumps([p.id for p in people]),
        options=json.dumps(request.model_dump(include=_OPTION_FIELDS)),
        requester_kind=request.requester_kind,
        purpose=request.purpose,
        clerk_login=request.clerk_login,
        terminal_id=request.terminal_id,
        issued_at=now(),
        pdf_sha256="",
        pdf=b"",
    )
    uow.session.add(record)
    uow.session.flush()
    record.issue_no = f"{today:%Y%m%d}-{record.id:06d}"
    pdf = render(_certificate(uow, request, people, record.issue_no, today))
    record.pdf, record.pdf_sha256 = pdf, hashlib.sha256(pdf).hexdigest()
    outputs.record_output(
        uow.session, operator=request.clerk_login, terminal=request.terminal_id,
        form=TITLES[request.kind], targets=tuple(f"addressee={p.id}" for p in people),
        purpose=request.purpose, number_touched=request.include_individual_number,
    )  # fmt: skip
    return Issued(record.issue_no, pdf)


def _refuse(uow: UnitOfWork, request: IssueRequest, supported: set[int]) -> IssueRefused:
    """The refusal is itself a record, shown to the supervisor (`support.refusals`)."""
    refusal = IssueRefusal(
        resident_id=min(supported),
        action="issue",
        requester_kind=request.requester_kind,
        reason="support_measure",
        clerk_login=request.clerk_login,
        terminal_id=request.terminal_id,
        refused_at=now(),
    )
    uow.session.add(refusal)
    uow.session.flush()
    return IssueRefused(refusal.id, "支援措置の対象者が含まれるため交付できません")


_OPTION_FIELDS = {
    "include_relationship",
    "include_domicile",
    "include_individual_number",
    "include_resident_code",
}


def _targets(uow: UnitOfWork, request: IssueRequest) -> list[Resident]:
    if request.resident_ids:
        people = []
        for addressee_id in dict.fromkeys(request.resident_ids):
            person = uow.session.get(Resident, addressee_id)
            if person is None:
                raise NotFound("住民が見つかりません", field="resident_ids")
            people.append(person)
    elif request.household_id is not None:
        people = households.members(uow, request.household_id)
    else:
        raise InvalidInput("世帯番号または対象者を指定してください", field="resident_ids")
    if not people:
        raise InvalidInput("世帯に現に住民である者がいません", field="household_id")
    wanted = "removed" if request.kind in ("removed_copy", "move_out") else "resident"
    if request.kind == "move_out" and any(p.removal_kind != "move_out" for p in people):
        raise InvalidInput("転出の届出をした者ではありません", field="resident_ids")
    if any(p.status != wanted for p in people):
        message = "除票ではありません" if wanted == "removed" else "除票の者が含まれています"
        raise InvalidInput(message, field="resident_ids")
    if len({p.household_id for p in people}) > 1:
        raise InvalidInput("一枚の写しには同じ世帯の者だけを記載します", field="resident_ids")
    return sorted(people, key=lambda p: (p.relationship != households.HEAD, p.id))


def _check_permitted(request: IssueRequest) -> None:
    if request.kind == "move_out" and request.requester_kind not in MAY_SEE_CODES:
        raise InvalidInput("転出証明書は本人又は同一世帯の者に交付します", field="requester_kind")
    if request.requester_kind not in MAY_SEE_CODES:
        if request.include_individual_number:
            raise InvalidInput(
                "個人番号は本人または同一世帯の者の請求に限り記載できます",
                field="include_individual_number",
            )
        if request.include_resident_code:
            raise InvalidInput(
                "住民票コードは本人または同一世帯の者の請求に限り記載できます",
                field="include_resident_code",
            )
        if not request.purpose.strip():
            raise InvalidInput("請求事由を記入してください", field="purpose")
    if request.requester_kind == "third" and request.include_domicile:
        raise InvalidInput("第三者の請求では本籍・筆頭者は記載しません", field="include_domicile")


def _certificate(
    uow: UnitOfWork,
    request: IssueRequest,
    people: list[Resident],
    issue_no: str,
    today: dt.date,
) -> Certificate:
    place = municipality(lg_code(uow))
    head = households.head_of(uow, people[0].household_id)
    return Certificate(
        kind=request.kind,
        issue_no=issue_no,
        issued_on=today,
        mayor=f"{place.prefecture}{place.name}長",
        address=people[0].address,
        head_name=head.name_kanji if head else "",
        people=[_entry(uow, request, person) for person in people],
    )


def _entry(uow: UnitOfWork, request: IssueRequest, person: Resident) -> PersonEntry:
    lines: list[tuple[str, str]] = []
    if request.include_relationship:
        lines.append(("続柄", person.relationship))
    if person.former_surname_kanji:
        lines.append(("旧氏", person.former_surname_kanji))
    lines.append(("住民となった年月日", wareki(person.became_resident_on)))
    if person.previous_address:
        lines.append(("前住所", person.previous_address))
    if request.include_domicile and person.domicile:
        lines.append(("本籍", person.domicile))
        lines.append(("筆頭者", person.family_head_name or ""))
    if request.include_resident_code:
        lines.append(("住民票コード", person.resident_code))
    if request.include_individual_number and person.individual_number_cipher:
        number = uow.node.keys.decrypt(person.individual_number_cipher, column=NUMBER_COLUMN)
        lines.append(("個人番号", number))
    if request.kind == "move_out":
        return _move_out_entry(uow, person)
    if person.status == "removed" and person.removed_on:
        lines.append(("消除", f"{wareki(person.removed_on)} {_removal(person)}"))
    return PersonEntry(
        name_kanji=person.name_kanji,
        name_kana=person.name_kana,
        birth_date=person.birth_date,
        sex=person.sex,
        lines=lines,
    )


def _move_out_entry(uow: UnitOfWork, person: Resident) -> PersonEntry:
    """転出証明書 (住基法施行令 第23条): what the new municipality needs for the 転入届."""
    assert person.removed_on is not None
    assert person.individual_number_cipher is not None
    number = uow.node.keys.decrypt(person.individual_number_cipher, column=NUMBER_COLUMN)
    lines = [
        ("続柄", person.relationship),
        ("転出予定年月日", wareki(person.removed_on)),
        ("転出予定地", person.destination_address or ""),
        ("住民票コード", person.resident_code),
        ("個人番号", number),
    ]
    return PersonEntry(person.name_kanji, person.name_kana, person.birth_date, person.sex, lines)


def _removal(person: Resident) -> str:
    if person.removal_kind == "move_out":
        return f"転出（{person.destination_address or ''}）"
    return {"death": "死亡"}.get(person.removal_kind or "", "職権消除")


def read_issue(uow: UnitOfWork, issue_no: str) -> CertificateIssue:
    record = uow.session.scalars(
        select(CertificateIssue).where(CertificateIssue.issue_no == issue_no)
    ).first()
    if record is None:
        raise NotFound("交付記録が見つかりません", field="issue_no")
    return record
