"""Answer a disclosure request from this tier's file, and track correction and
suspension-of-use requests. The tier's file (its identity-file class) is an argument; the
disclosure, correction and suspension tables are the shared ones (`tables.py`,
`duties/provision/tables.py`)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from juki.core.clock import JST, japan_today
from juki.core.crypto import FieldKeys
from juki.core.errors import Conflict, InvalidInput, NotFound, Refused
from juki.core.identity import NUMBER_COLUMN, IdentityRowMixin
from juki.core.ids import validate_resident_code
from juki.core.messages import CHANGE_REASON_LABELS, ChangeReason
from juki.core.messaging.paths import code_of, role_of
from juki.core.places import prefecture_name
from juki.duties.disclosure import document
from juki.duties.disclosure.tables import Disclosure, DisclosureCorrection
from juki.duties.operators.clients import Caller
from juki.duties.provision import legal_table
from juki.duties.provision.service import provisions_of
from juki.duties.provision.tables import UseSuspension

CORRECTABLE = ("name_kanji", "name_kana", "birth_date", "sex", "address")


class DisclosureRequest(BaseModel):
    """開示請求: the person's 住民票コード, their name as written on the request, and how
    their identity was confirmed at the counter (本人確認書類)."""

    model_config = ConfigDict(extra="forbid")

    resident_code: str
    requester_name: str = Field(min_length=1, max_length=100)
    identity_document: str = Field(min_length=1, max_length=40)


class CorrectionClaim(BaseModel):
    model_config = ConfigDict(extra="forbid")

    requested: dict[str, str] = Field(min_length=1)
    reason: str = Field(min_length=1, max_length=500)


def holder_of(node_id: str) -> str:
    """Who holds the file and answers the disclosure (保有者, on the decision): J-LIS at the
    national server, the governor at a prefecture's."""
    if role_of(node_id) == "national":
        return "地方公共団体情報システム機構"
    return f"{prefecture_name(code_of(node_id))}知事"


def disclose(
    session: Session,
    keys: FieldKeys,
    node_id: str,
    identity_model: type[IdentityRowMixin],
    request: DisclosureRequest,
    caller: Caller,
) -> tuple[Disclosure, bytes]:
    """The person's rows of the node's file `identity_model` and the provisions of their
    information, as a PDF; the disclosure is recorded with the PDF's digest."""
    validate_resident_code(request.resident_code)
    rows = session.scalars(
        select(identity_model)
        .where(identity_model.resident_code == request.resident_code)
        .order_by(identity_model.update_seq.desc())
    ).all()
    record = Disclosure()
    record.at, record.resident_code = dt.datetime.now(dt.UTC), request.resident_code
    record.requester_name = request.requester_name
    record.identity_document = request.identity_document
    record.operator, record.terminal = caller.audit_name, caller.terminal
    record.found = len(rows)
    record.pdf_sha256 = ""
    session.add(record)
    session.flush()
    answer = document.DisclosureAnswer(
        disclosure_no=f"{node_id.replace(':', '-')}-{record.id:06d}",
        issued_on=japan_today(), holder=holder_of(node_id),
        requester_name=request.requester_name,
        resident_code=request.resident_code,
        rows=[_disclosed(row, keys) for row in rows],
        provisions=_provisions(session, node_id, request.resident_code),
    )  # fmt: skip
    pdf = document.render(answer)
    record.pdf_sha256 = hashlib.sha256(pdf).hexdigest()
    return record, pdf


def _disclosed(row: IdentityRowMixin, keys: FieldKeys) -> document.DisclosedRow:
    return document.DisclosedRow(
        current=row.is_current, name_kanji=row.name_kanji, name_kana=row.name_kana,
        birth_date=row.birth_date, sex=row.sex, address=row.address,
        individual_number=keys.decrypt(row.individual_number_cipher, column=NUMBER_COLUMN),
        reason_label=CHANGE_REASON_LABELS[ChangeReason(row.change_reason)],
        change_date=row.change_date,
    )  # fmt: skip


def _provisions(session: Session, node_id: str, code: str) -> list[document.DisclosedProvision]:
    names = {(r.body_code, r.duty_code): r.body_name for r in legal_table.rows_for(node_id)}
    provided = [p for p in provisions_of(session, code) if p.result == "provided"]
    return [_provision(p, names) for p in provided]


def _provision(p: Any, names: dict[tuple[str, str], str]) -> document.DisclosedProvision:
    return document.DisclosedProvision(
        at=p.at if p.at.tzinfo else p.at.replace(tzinfo=dt.UTC),
        body=names.get((p.body_code or "", p.duty_code or ""), p.body_code or ""),
        legal_basis=p.legal_basis or "", items="・".join(p.items),
    )  # fmt: skip


def request_correction(
    session: Session,
    identity_model: type[IdentityRowMixin],
    disclosure_id: int,
    claim: CorrectionClaim,
    caller: Caller,
) -> DisclosureCorrection:
    """訂正請求 after a disclosure: recorded and addressed to the municipality that keeps the
    person's record (the current row's 市町村コード in the node's file `identity_model`)."""
    disclosure = session.get(Disclosure, disclosure_id)
    if disclosure is None:
        raise NotFound("開示の記録が見つかりません", field="disclosure_id")
    unknown = set(claim.requested) - set(CORRECTABLE)
    if unknown:
        raise InvalidInput("訂正を請求できる項目ではありません", field="requested")
    current = session.scalars(
        select(identity_model).where(
            identity_model.resident_code == disclosure.resident_code,
            identity_model.is_current.is_(True),
        )
    ).first()
    if current is None:
        raise Conflict("訂正の対象となる記録がありません", field="disclosure_id")
    correction = DisclosureCorrection()
    correction.disclosure_id, correction.resident_code = disclosure.id, disclosure.resident_code
    correction.requested = json.dumps(claim.requested, ensure_ascii=False)
    correction.reason, correction.lg_code = claim.reason, current.lg_code
    correction.status, correction.requested_at = "forwarded", dt.datetime.now(dt.UTC)
    correction.operator = caller.audit_name
    session.add(correction)
    session.flush()
    return correction


def track(
    session: Session, identity_model: type[IdentityRowMixin], correction_id: int
) -> DisclosureCorrection:
    """The request's state now: `corrected` as soon as the municipality's 職権修正 of this
    person has reached this tier (the node's file `identity_model`) after the request."""
    correction = session.get(DisclosureCorrection, correction_id)
    if correction is None:
        raise NotFound("訂正請求が見つかりません", field="correction_id")
    if correction.status == "forwarded":
        since = correction.requested_at
        corrected = session.scalars(
            select(identity_model)
            .where(identity_model.resident_code == correction.resident_code)
            .where(identity_model.change_reason == ChangeReason.CORRECTION.value)
            .where(identity_model.timestamp >= since)
            .order_by(identity_model.update_seq)
        ).first()
        if corrected is not None:
            correction.status, correction.resolved_at = "corrected", corrected.timestamp
            correction.resolution = f"市町村（{corrected.lg_code}）が職権修正しました"
    return correction


def close(session: Session, correction_id: int, answer: str) -> DisclosureCorrection:
    """The municipality answered that no correction is due (with its reason)."""
    correction = session.get(DisclosureCorrection, correction_id)
    if correction is None:
        raise NotFound("訂正請求が見つかりません", field="correction_id")
    if correction.status != "forwarded":
        raise Conflict("この訂正請求は既に解決しています", field="correction_id")
    if not answer.strip():
        raise InvalidInput("市町村の回答を入力してください", field="answer")
    correction.status, correction.resolved_at = "closed", dt.datetime.now(dt.UTC)
    correction.resolution = answer.strip()
    return correction


def view(correction: DisclosureCorrection) -> dict[str, Any]:
    return {
        "id": correction.id,
        "disclosure_id": correction.disclosure_id,
        "status": correction.status,
        "lg_code": correction.lg_code,
        "requested_at": correction.requested_at,
        "resolved_at": correction.resolved_at,
        "resolution": correction.resolution,
    }


# --- 利用停止請求 (個人情報保護法 第98条–第103条; 番号法 第30条; 000 DSC-02) ------------------

DECISION_DAYS = 30  # 第102条: decided within 30 days of the request
# 消去 cannot apply to this file: the law keeps 本人確認情報 for its retention period
# (住基法施行令 第30条の6 at the prefecture, 第30条の11 at J-LIS; `duties/retention/rules.toml`),
# after which the retention run erases it anyway. A decision on an erasure request says so;
# what the tier can stop is its provision (`stops`), asked for as 提供停止.
STATUTORY_RETENTION = (
    "本人確認情報は法令の定める保存期間（住基法施行令第30条の6・第30条の11）中は"
    "消去できません（提供の停止は提供停止として請求できます）"
)


class SuspensionClaim(BaseModel):
    """What the person asks to stop (利用停止, 消去 or 提供停止) and on what grounds (the
    handling they say breaks the law: 目的外利用, 不正取得, 違法な提供 …). Granted, 提供停止
    and 利用停止 withhold the person from provision (`stops`); 消去 is never granted on this
    statutory file (`STATUTORY_RETENTION`)."""

    model_config = ConfigDict(extra="forbid")

    measure: Literal["use_stop", "erasure", "provision_stop"]
    grounds: str = Field(min_length=1, max_length=1000)


class SuspensionDecision(BaseModel):
    model_config = ConfigDict(extra="forbid")

    grant: bool
    reason: str = Field(min_length=1, max_length=1000)


def request_suspension(
    session: Session, disclosure_id: int, claim: SuspensionClaim, caller: Caller
) -> UseSuspension:
    """Only what was disclosed can be the subject (第98条第1項): the request names the
    disclosure, and is recorded with its deadline."""
    disclosure = session.get(Disclosure, disclosure_id)
    if disclosure is None:
        raise NotFound("開示の記録が見つかりません", field="disclosure_id")
    if disclosure.found == 0:
        raise Conflict("記録なしと開示した請求には利用停止を請求できません", field="disclosure_id")
    if not claim.grounds.strip():
        raise InvalidInput("請求の理由を入力してください", field="grounds")
    now = dt.datetime.now(dt.UTC)
    suspension = UseSuspension()
    suspension.disclosure_id, suspension.resident_code = disclosure.id, disclosure.resident_code
    suspension.measure, suspension.grounds = claim.measure, claim.grounds.strip()
    suspension.requested_at, suspension.operator = now, caller.audit_name
    suspension.due_on = now.astimezone(JST).date() + dt.timedelta(days=DECISION_DAYS)
    suspension.status = "pending"
    session.add(suspension)
    session.flush()
    return suspension


def decide_suspension(
    session: Session, suspension_id: int, decision: SuspensionDecision, caller: Caller
) -> UseSuspension:
    """The decision, with its reason, by someone other than the operator who took the
    request (two people see every request). Granted, a 提供停止 or 利用停止 takes effect at
    once: the person is withheld from every provision (`stops.stopped`). An erasure cannot
    be granted (the file is statutory); refused, its recorded reason starts with why."""
    suspension = get_suspension(session, suspension_id)
    if suspension.status != "pending":
        raise Conflict("この利用停止請求は決定済みです", field="suspension_id", code="decided")
    if caller.audit_name == suspension.operator:
        raise Refused("請求を受け付けた者は決定できません", field="decided_by", code="own_request")
    if not decision.reason.strip():
        raise InvalidInput("決定の理由を入力してください", field="reason")
    reason = decision.reason.strip()
    if suspension.measure == "erasure":
        if decision.grant:
            raise Conflict(
                f"{STATUTORY_RETENTION}。消去の請求は理由を付して不承認とします",
                field="grant", code="statutory_retention",
            )  # fmt: skip
        reason = f"{STATUTORY_RETENTION}。{reason}"
    suspension.status = "granted" if decision.grant else "refused"
    suspension.decided_at, suspension.decided_by = dt.datetime.now(dt.UTC), caller.audit_name
    suspension.decision_reason = reason
    return suspension


def overdue_suspensions(session: Session, as_of: dt.date) -> list[UseSuspension]:
    """Requests still undecided past their deadline."""
    query = select(UseSuspension).where(
        UseSuspension.status == "pending", UseSuspension.due_on < as_of
    )
    return list(session.scalars(query.order_by(UseSuspension.due_on, UseSuspension.id)))


def get_suspension(session: Session, suspension_id: int) -> UseSuspension:
    found = session.get(UseSuspension, suspension_id)
    if found is None:
        raise NotFound("利用停止請求が見つかりません", field="suspension_id")
    return found


def suspension_view(suspension: UseSuspension) -> dict[str, Any]:
    """What the desk sees: never the grounds' text in a list (it may quote personal data)."""
    return {
        "id": suspension.id,
        "disclosure_id": suspension.disclosure_id,
        "measure": suspension.measure,
        "status": suspension.status,
        "requested_at": suspension.requested_at,
        "due_on": suspension.due_on,
        "decided_at": suspension.decided_at,
        "decided_by": suspension.decided_by,
        "decision_reason": suspension.decision_reason,
    }
