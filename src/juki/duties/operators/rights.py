"""Rights per duty (事務) and access: requested by one person, approved or refused by a
different one with the account-administration right, revoked with a reason; every step
stored with who and when (000 ACL-01..03) and written to the audit log."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

from sqlalchemy import select
from sqlalchemy.orm import Session

from juki.core.clock import japan_today
from juki.core.errors import Conflict, InvalidInput, NotFound, Refused
from juki.core.ids import holds_individual_number
from juki.duties.ledgers import service as ledgers
from juki.duties.operators.accounts import (
    ADMIN_DUTY,
    Actor,
    Policy,
    has_right,
    log_admin,
    now,
    require,
)
from juki.duties.operators.duties import DUTIES
from juki.duties.operators.tables import Operator, OperatorRight


def rights_of(session: Session, operator_id: int) -> dict[str, str]:
    """The operator's granted rights as {duty: strongest access}."""
    held: dict[str, str] = {}
    for right in session.scalars(
        select(OperatorRight).where(
            OperatorRight.operator_id == operator_id, OperatorRight.status == "granted"
        )
    ):
        if held.get(right.duty) != "update":
            held[right.duty] = right.access
    return held


# A reference such as 「照合-2026-0042」 or 「総務第123号」: letters and digits first, then
# those and - / . # ( ) ・ and spaces (after NFKC, so full-width forms are accepted). Nothing
# a spreadsheet reads as a formula (the user list is opened in one), no line breaks.
APPLICATION_REF_MAX = 40
APPLICATION_REF_PATTERN = re.compile(r"\w[\w\-/.#() ・]*")


def application_ref_required(role: str, policy: Policy | None = None) -> bool:
    return role in (policy or Policy.from_env()).application_ref_roles


def request_right(
    session: Session,
    actor: Actor,
    role: str,
    *,
    login: str,
    duty: str,
    access: str,
    reason: str,
    application_ref: str = "",
) -> OperatorRight:
    """申請: the operation manager asks for only what the duty needs (ACL-02), on the
    user section's written application where the node requires one (002 REQ-AUTH-03)."""
    requester = _administrator(session, actor, "read", "requested_by")
    target = require(session, login)
    if target.status != "active":
        raise Conflict("利用できないIDには権限を申請できません", field="login", code="inactive")
    if duty not in DUTIES or role not in DUTIES[duty].roles:
        raise InvalidInput("このノードにない事務です", field="duty")
    if access not in ("update", "read"):
        raise InvalidInput("権限は「更新」か「照会のみ」です", field="access")
    refuse_contractor(target, duty, role)
    if not reason.strip():
        raise InvalidInput("申請理由を入力してください", field="reason")
    ref = _application_ref(application_ref, application_ref_required(role))
    if has_right(session, target.id, duty, access):
        raise Conflict("既にその権限があります", field="duty", code="already_granted")
    right = OperatorRight(
        operator_id=target.id, duty=duty, access=access, status="requested",
        reason=reason.strip(), application_ref=ref, requested_by=requester.login,
        requested_at=now(),
    )  # fmt: skip
    session.add(right)
    session.flush()
    log_admin(session, actor, "rights.request", target.login)
    return right


def _application_ref(text: str, required: bool) -> str | None:
    """The written application's reference, checked; None when none is given and the node
    does not require one."""
    ref = unicodedata.normalize("NFKC", text).strip()
    field = "application_ref"
    if not ref:
        if required:
            raise InvalidInput(
                "権限付与の申請書（照合ID付与申請書等）の番号を入力してください", field=field
            )
        return None
    if len(ref) > APPLICATION_REF_MAX:
        raise InvalidInput(
            f"申請書の番号は{APPLICATION_REF_MAX}文字以内で入力してください", field=field
        )
    if not APPLICATION_REF_PATTERN.fullmatch(ref):
        raise InvalidInput(
            "申請書の番号は文字・数字で始め、文字・数字と - / . # ( ) ・ 空白で入力してください",
            field=field,
        )
    if holds_individual_number(ref):
        raise InvalidInput("申請書の番号に個人番号を記録しないでください", field=field)
    return ref


def decide(
    session: Session, actor: Actor, role: str, right_id: int, *, approve: bool
) -> OperatorRight:
    """承認 or 却下 by the responsible person, who is neither the requester nor the
    operator who would hold the right. Where this node (`role`) requires the written
    application's reference, approval re-checks the one stored with the request: a
    request made before the reference was asked for, or stored malformed, is not approved
    (refusing it stays possible; the application is made again with its reference)."""
    approver = _administrator(session, actor, "update", "decided_by")
    right = session.get(OperatorRight, right_id)
    if right is None:
        raise NotFound("権限の申請が見つかりません", field="right_id")
    if right.status != "requested":
        raise Conflict("この申請は既に処理されています", field="right_id", code="wrong_state")
    if approver.login == right.requested_by:
        raise Refused("申請した人は承認できません（別の人が承認します）", field="decided_by")
    if approver.id == right.operator_id:
        raise Refused("自分の権限は承認できません", field="decided_by")
    holder = session.get(Operator, right.operator_id)
    assert holder is not None
    if approve and application_ref_required(role):
        _recheck_application_ref(right)
    if approve:
        _require_training(session, holder)
    right.status = "granted" if approve else "refused"
    right.decided_by, right.decided_at = approver.login, now()
    log_admin(session, actor, "rights.approve" if approve else "rights.refuse", holder.login)
    return right


def _recheck_application_ref(right: OperatorRight) -> None:
    """002 REQ-AUTH-03: no right at a tier without its written application on record."""
    stored = right.application_ref or ""
    try:
        valid = _application_ref(stored, required=True) == stored
    except InvalidInput:
        valid = False
    if not valid:
        raise Conflict(
            "申請書（照合ID付与申請書等）の番号がないか正しくない申請は承認できません。"
            "却下して、申請書の番号を付けて申請し直してください",
            field="application_ref", code="application_ref_missing",
        )  # fmt: skip


def _require_training(session: Session, holder: Operator) -> None:
    """001a EDU-1 (option): the training register gates rights, and so the account's use."""
    valid_days = Policy.from_env().training_valid_days
    if valid_days and not ledgers.trained(session, holder.login, japan_today(), valid_days):
        raise Conflict(
            "研修の受講記録がありません（研修受講記録に記録してから承認します）",
            field="login",
            code="untrained",
        )


def revoke(session: Session, actor: Actor, right_id: int, reason: str) -> OperatorRight:
    _administrator(session, actor, "update", "revoked_by")
    right = session.get(OperatorRight, right_id)
    if right is None:
        raise NotFound("権限が見つかりません", field="right_id")
    if right.status != "granted":
        raise Conflict("付与中の権限ではありません", field="right_id", code="wrong_state")
    if not reason.strip():
        raise InvalidInput("理由を入力してください", field="reason")
    right.status = "revoked"
    right.revoked_by, right.revoked_at, right.revoke_reason = actor.login[:40], now(), reason
    holder = session.get(Operator, right.operator_id)
    assert holder is not None
    log_admin(session, actor, "rights.revoke", holder.login)
    return right


def refuse_contractor(operator: Operator, duty: str, role: str) -> None:
    """A contractor's staff member gets only the contracted work (001a OUT-2, OUT-4;
    002 REQ-CON-02)."""
    if operator.affiliation == "contractor" and role not in DUTIES[duty].contractor_roles:
        raise Refused("委託先の利用者には付与できない権限です", field="duty", code="contractor")


def grant_at_setup(
    session: Session, operator: Operator, duty: str, access: str, at: dt.datetime | None = None
) -> OperatorRight:
    """The installer's grants to the first accounts, before any administrator exists;
    recorded as requested and approved by (初期設定) so that the report shows them."""
    at = at or now()
    right = OperatorRight(
        operator_id=operator.id, duty=duty, access=access, status="granted",
        reason="初期設定", requested_by="(初期設定)", requested_at=at,
        decided_by="(初期設定)", decided_at=at,
    )  # fmt: skip
    session.add(right)
    return right


def pending(session: Session) -> list[tuple[OperatorRight, Operator]]:
    rows = session.execute(
        select(OperatorRight, Operator)
        .join(Operator, Operator.id == OperatorRight.operator_id)
        .where(OperatorRight.status == "requested")
        .order_by(OperatorRight.id)
    )
    return [(right, operator) for right, operator in rows]


def _administrator(session: Session, actor: Actor, access: str, field: str) -> Operator:
    operator = require(session, actor.login, field)
    if operator.status != "active" or not has_right(session, operator.id, ADMIN_DUTY, access):
        raise Refused("利用者・権限の管理の権限がありません", field=field)
    return operator
