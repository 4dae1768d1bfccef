"""Operator accounts: creation bound to a named person, password check with lockout,
suspension, retirement and unlock. Every change is written to the node's audit log in the
same transaction (the monthly privileged-activity report reads it back, 000 ACL-04).

Who may act is checked here, not only at a screen: creation, a new enrolment code,
suspension, resumption, retirement, unlock and the pledge (and, in `second_factor`, a TOTP
grant or its revocation) need the acting operator's account-administration right (update)
at this node (the session is the node's own database: each node keeps its own operators
and rights), and nobody acts on their own ID (000 ACL-02/03; 001a USE-2-5, 001b C-09).
Only creation also accepts `SETUP`, the installer, for the accounts a node starts with.
A person's own authenticator is registered by that person at their first log-in, with
the one-time code an administrator issued them (`second_factor.verify_registration`)."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import secrets
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import VerificationError, VerifyMismatchError
from sqlalchemy import select, update
from sqlalchemy.orm import Session, object_session
from sqlalchemy.orm.attributes import set_committed_value

from juki.core.audit import log as audit
from juki.core.clock import as_utc, japan_today
from juki.core.errors import Conflict, InvalidInput, NotFound, Refused
from juki.duties.operators import console_sessions
from juki.duties.operators.duties import covers
from juki.duties.operators.tables import EnrolmentCode, Operator, OperatorRight

_hasher = PasswordHasher()
ADMIN_DUTY = "account_admin"  # 利用者・権限の管理 (privileged, every node)

# Role or shared names are not personal accounts (000 AUTH-01: 共用IDの禁止).
GENERIC_LOGINS = frozenset(
    [
        "admin",
        "administrator",
        "root",
        "shared",
        "guest",
        "user",
        "users",
        "test",
        "operator",
        "operators",
        "clerk",
        "clerks",
        "supervisor",
        "staff",
        "system",
        "common",
        "kakari",
        "kanri",
        "madoguchi",
        "kyoyu",
        "kyotsu",
        "tanto",
    ]
)
LOGIN_PATTERN = re.compile(r"[a-z][a-z0-9._-]{2,39}")
APPLICATION_REF_ROLES = frozenset({"prefecture", "national", "card"})
EMPLOYEE_NO_PATTERN = re.compile(r"[A-Za-z0-9-]{1,20}")


@dataclass(frozen=True)
class Policy:
    """Log-in rules, configurable per deployment (environment variables of the node)."""

    max_failures: int = 5  # consecutive failures before the account locks
    lock_minutes: int = 30
    # Failed log-in steps from one client address, whatever the login, before it must wait.
    client_failures: int = 30
    client_minutes: int = 15
    min_password: int = 12
    enrolment_hours: int = 24
    # 001a EDU-1 (option): no right is approved for someone without a passed training on
    # record in the last `training_valid_days` (0 turns the gate off).
    training_valid_days: int = 365
    # Node roles where a right is requested only with the written application's reference
    # (`OperatorRight.application_ref`). The prefecture (002 REQ-AUTH-03: 照合ID付与申請書)
    # and J-LIS, at the national server and the card system (000 ACL-02: 申請に基づき承認),
    # always; JUKI_APPLICATION_REF_ROLES adds others (e.g. `registry,cs` where the ward's
    # rules ask for a 利用者登録申請書).
    application_ref_roles: frozenset[str] = APPLICATION_REF_ROLES

    @classmethod
    def from_env(cls) -> Policy:
        extra = os.environ.get("JUKI_APPLICATION_REF_ROLES", "").split(",")
        return cls(
            max_failures=int(os.environ.get("JUKI_LOGIN_MAX_FAILURES", cls.max_failures)),
            lock_minutes=int(os.environ.get("JUKI_LOGIN_LOCK_MINUTES", cls.lock_minutes)),
            client_failures=int(os.environ.get("JUKI_LOGIN_CLIENT_FAILURES", cls.client_failures)),
            client_minutes=int(os.environ.get("JUKI_LOGIN_CLIENT_MINUTES", cls.client_minutes)),
            training_valid_days=int(
                os.environ.get("JUKI_TRAINING_VALID_DAYS", cls.training_valid_days)
            ),
            application_ref_roles=APPLICATION_REF_ROLES | {r.strip() for r in extra if r.strip()},
        )


@dataclass(frozen=True)
class Actor:
    """Who performs an administrative action, and from which terminal."""

    login: str
    terminal: str = "console"


# The installer: the system actor for the accounts a node starts with, before any
# administrator exists — `juki operator bootstrap` (the first administrator, refused once
# the node has any operator) and `juki up`'s seed accounts. No operator can be it (its
# login fails LOGIN_PATTERN), so no screen or API can act as it; only code holding the
# node's database names it, and every account it creates says so (`created_by`).
SETUP = Actor("(初期設定)", "setup")


class AuthRefused(Refused):
    """A log-in step failed. The message is the same for an unknown login and a wrong
    password, so that the screen does not tell which logins exist."""

    code = "auth_refused"
    status = 401


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def admin_access(actor: Actor, function: str, login: str, result: str = "ok") -> audit.Access:
    return audit.Access(
        operator=actor.login[:40], terminal=actor.terminal[:40], function=function,
        targets=(f"operator={login[:40]}",), purpose="利用者管理", result=result,
    )  # fmt: skip


def log_admin(
    session: Session, actor: Actor, function: str, login: str, at: dt.datetime | None = None
) -> None:
    audit.record(session, admin_access(actor, function, login), at=at)


def has_right(session: Session, operator_id: int, duty: str, access: str = "read") -> bool:
    rows = session.scalars(
        select(OperatorRight.access).where(
            OperatorRight.operator_id == operator_id,
            OperatorRight.duty == duty,
            OperatorRight.status == "granted",
        )
    )
    return any(covers(granted, access) for granted in rows)


class NotAdministrator(Refused):
    """The actor may not administer this account. Raised before anything is changed, with
    the refusal (`access`) already written to the audit log in the caller's session; a
    caller that rolls that session back writes `access` again in its own transaction."""

    code = "not_admin"

    def __init__(self, message: str, access: audit.Access, *, field: str, code: str = "not_admin"):
        super().__init__(message, field=field, code=code)
        self.access = access


def administrator(session: Session, actor: Actor, function: str, login: str) -> Operator:
    """The acting operator, if active with the account-administration right (update) at
    this node and not acting on their own ID; otherwise the attempt goes to the audit log
    (result `refused`) and is refused naming the field at fault."""
    operator = by_login(session, actor.login)
    entitled = (
        operator is not None
        and operator.status == "active"
        and has_right(session, operator.id, ADMIN_DUTY, "update")
    )
    access = admin_access(actor, function, login, result="refused")
    if operator is None or not entitled:
        message, field, code = "利用者・権限の管理の権限がありません", "actor", "not_admin"
    elif operator.login == login.strip().lower():
        message, field, code = "自分自身のIDは操作できません", "login", "self"
    else:
        return operator
    audit.record(session, access)
    raise NotAdministrator(message, access, field=field, code=code)


def create_operator(
    session: Session,
    actor: Actor,
    *,
    login: str,
    person_name: str,
    employee_no: str,
    password: str,
    section: str = "",
    contractor: Contractor | None = None,
    policy: Policy = Policy(),
    at: dt.datetime | None = None,
) -> tuple[Operator, str]:
    """A personal account for one named person, created by an administrator (or by `SETUP`
    for a node's first accounts); returns it with a one-time enrolment code (to be handed
    to the person) for registering their authenticator. A contractor's staff member's
    account is `pending` until their pledge is on file (001a USE-3-3)."""
    at = at or now()
    if actor != SETUP:  # checked first: a refused actor learns nothing of taken logins
        administrator(session, actor, "operators.create", login)
    login = login.strip().lower()
    if not LOGIN_PATTERN.fullmatch(login):
        raise InvalidInput(
            "ログインIDは英小文字で始まる3〜40文字（英数字 . _ -）で入力してください", field="login"
        )
    if login in GENERIC_LOGINS or login.rstrip("0123456789") in GENERIC_LOGINS:
        raise InvalidInput(
            "共用・役割名のログインIDは作れません（個人ごとのIDにしてください）", field="login"
        )
    if not person_name.strip():
        raise InvalidInput("利用者の氏名を入力してください", field="person_name")
    if not EMPLOYEE_NO_PATTERN.fullmatch(employee_no):
        raise InvalidInput("職員番号は英数字20文字以内で入力してください", field="employee_no")
    if len(password) < policy.min_password:
        raise InvalidInput(
            f"パスワードは{policy.min_password}文字以上にしてください", field="password"
        )
    if session.scalars(select(Operator).where(Operator.login == login)).first():
        raise Conflict("このログインIDは使われています", field="login", code="login_taken")
    if session.scalars(select(Operator).where(Operator.employee_no == employee_no)).first():
        # One person, one ID: a second account for the same employee is refused.
        raise Conflict("この職員には既にIDがあります", field="employee_no", code="person_has_id")
    if len(section) > 60:
        raise InvalidInput("所属は60文字以内で入力してください", field="section")
    if contractor is not None and not contractor.name.strip():
        raise InvalidInput("委託先事業者名を入力してください", field="contractor_name")
    pledged = contractor is not None and contractor.pledge_on is not None
    operator = Operator(
        login=login, person_name=person_name.strip(), employee_no=employee_no,
        password_hash=_hasher.hash(password),
        status="pending" if contractor is not None and not pledged else "active",
        failed_logins=0, session_epoch=0, created_at=at, created_by=actor.login[:40],
        section=section.strip(), affiliation="contractor" if contractor else "staff",
        contractor_name=contractor.name.strip()[:100] if contractor else None,
        pledge_on=contractor.pledge_on if contractor else None,
    )  # fmt: skip
    session.add(operator)
    session.flush()
    code = _enrolment_code(session, actor, operator, policy, at)
    log_admin(session, actor, "operators.create", login, at)
    return operator, code


@dataclass(frozen=True)
class Contractor:
    """The contractor a person works for, and the day their written pledge (誓約書) was
    received, if it has been."""

    name: str
    pledge_on: dt.date | None = None


def record_pledge(session: Session, actor: Actor, login: str, received_on: dt.date) -> Operator:
    """誓約書の受領: a contractor's account becomes usable only now (001a USE-3-3)."""
    operator = _other(session, actor, login, "operators.pledge")
    if operator.affiliation != "contractor":
        raise Conflict("委託先の利用者ではありません", field="login", code="not_contractor")
    if received_on > japan_today():  # Japan's today, not UTC's (a receipt dated today)
        raise InvalidInput("受領日が未来の日付です", field="received_on")
    operator.pledge_on = received_on
    if operator.status == "pending":
        operator.status = "active"
    log_admin(session, actor, "operators.pledge", operator.login)
    return operator


def issue_enrolment(
    session: Session,
    actor: Actor,
    login: str,
    *,
    policy: Policy = Policy(),
    at: dt.datetime | None = None,
) -> str:
    """A new one-time enrolment code for another person's account (their first code went
    with the account): with it, that person registers an authenticator of their own. An
    administrator's act, never on their own account — a code issued to oneself would add
    an authenticator on nobody else's word."""
    operator = _other(session, actor, login, "operators.enrolment")
    at = at or now()
    code = _enrolment_code(session, actor, operator, policy, at)
    log_admin(session, actor, "operators.enrolment", operator.login, at)
    return code


def _enrolment_code(
    session: Session, actor: Actor, operator: Operator, policy: Policy, at: dt.datetime
) -> str:
    code = "-".join(secrets.token_hex(2).upper() for _ in range(4))
    session.add(
        EnrolmentCode(
            operator_id=operator.id, code_hash=_digest(code), issued_by=actor.login[:40],
            issued_at=at, expires_at=at + dt.timedelta(hours=policy.enrolment_hours),
        )
    )  # fmt: skip
    return code


def _digest(code: str) -> str:
    return hashlib.sha256(code.strip().upper().encode()).hexdigest()


def check_enrolment(
    session: Session, operator: Operator, code: str, at: dt.datetime | None = None
) -> int:
    """The id of the operator's unused, unexpired enrolment code `code`; refused otherwise."""
    at = at or now()
    row = session.scalars(
        select(EnrolmentCode).where(
            EnrolmentCode.operator_id == operator.id,
            EnrolmentCode.code_hash == _digest(code),
            EnrolmentCode.used_at.is_(None),
        )
    ).first()
    if row is None or as_utc(row.expires_at) < at:
        raise AuthRefused(
            "登録コードが正しくないか、有効期限が切れています", field="enrolment_code"
        )
    return row.id


def usable_enrolment(
    session: Session, operator: Operator, code_id: int, at: dt.datetime | None = None
) -> EnrolmentCode:
    """The operator's unused, unexpired enrolment code `code_id`; refused otherwise."""
    at = at or now()
    row = session.get(EnrolmentCode, code_id)
    if (
        row is None
        or row.operator_id != operator.id
        or row.used_at is not None
        or as_utc(row.expires_at) < at
    ):
        raise AuthRefused(
            "登録コードが正しくないか、有効期限が切れています", field="enrolment_code"
        )
    return row


def spend_enrolment(
    session: Session, operator: Operator, code_id: int, at: dt.datetime | None = None
) -> None:
    """Use the code once, when an authenticator is registered with it."""
    at = at or now()
    usable_enrolment(session, operator, code_id, at).used_at = at


def by_login(session: Session, login: str) -> Operator | None:
    return session.scalars(select(Operator).where(Operator.login == login.strip().lower())).first()


def require(session: Session, login: str, field: str = "login") -> Operator:
    operator = by_login(session, login)
    if operator is None:
        raise NotFound("その利用者は登録されていません", field=field)
    return operator


# One answer for an unknown login, a wrong password and a locked account, given after the
# same work (a hash verified), so that the answer tells nobody which logins exist (issue
# #14; OWASP ASVS 2.2.1). Who was refused, and why, is in the audit log.
NOT_LOGGED_IN = "ログインIDまたはパスワードが違います（続けて失敗したIDはしばらくロックされます）"
LOCKED = "続けて失敗したためロックされています。時間をおくか管理者に解除を依頼してください"


def check_password(
    session: Session, login: str, password: str, policy: Policy, at: dt.datetime | None = None
) -> Operator:
    """The first step of log-in. A wrong password counts towards the lockout; the caller
    commits either way (the count must stick even though the log-in fails)."""
    at = at or now()
    operator = by_login(session, login)
    if operator is None:
        _hasher.hash(password)  # same cost whether or not the login exists
        raise AuthRefused(NOT_LOGGED_IN, field="password", code="unknown_login")
    try:
        _hasher.verify(operator.password_hash, password)
    except (VerifyMismatchError, VerificationError):
        if not is_locked(operator, at):  # a locked account's count has done its work
            count_failure(operator, policy, at)
        raise AuthRefused(NOT_LOGGED_IN, field="password", code="bad_password") from None
    if is_locked(operator, at):  # even the right password, while locked
        raise AuthRefused(NOT_LOGGED_IN, field="password", code="locked")
    if operator.status == "pending":
        raise AuthRefused(
            "委託先の誓約書が未登録のため、このIDはまだ使えません", field="login", code="pending"
        )
    if operator.status != "active":
        raise AuthRefused("このIDは利用停止または失効しています", field="login", code="suspended")
    if _hasher.check_needs_rehash(operator.password_hash):
        # Hashed under older parameters (a cheaper cost, an older argon2 version): hashed
        # again now, while the clear password is at hand (issue #14).
        operator.password_hash = _hasher.hash(password)
    return operator


def is_locked(operator: Operator, at: dt.datetime) -> bool:
    return operator.locked_until is not None and as_utc(operator.locked_until) > at


def refuse_if_locked(operator: Operator, field: str, at: dt.datetime | None = None) -> None:
    """Before any second factor is verified (issue #14): a locked account gets no answer
    to a code, right or wrong, and a right one does not lift the lock."""
    if is_locked(operator, at or now()):
        raise AuthRefused(LOCKED, field=field, code="locked")


def count_failure(operator: Operator, policy: Policy, at: dt.datetime) -> None:
    """A wrong password."""
    if _add_one(operator, "failed_logins") >= policy.max_failures:
        _lock(operator, policy, at)


def count_second_factor_failure(operator: Operator, policy: Policy, at: dt.datetime) -> None:
    """A wrong one-time code or authenticator answer, at log-in or as a witness: counted
    apart from passwords, towards the same lock."""
    if _add_one(operator, "failed_second_factors") >= policy.max_failures:
        _lock(operator, policy, at)


def _add_one(operator: Operator, counter: str) -> int:
    """Count in the database (`SET n = n + 1 … RETURNING n`), not in Python: wrong answers
    sent at the same moment each read the count before the others wrote it, so a count
    kept in Python lost all but one of them, and guessing in parallel was never locked
    out (issue #14). The row's write lock orders them; each sees the count it made."""
    column = getattr(Operator, counter)
    session = object_session(operator)
    assert session is not None
    counted = session.execute(
        update(Operator).where(Operator.id == operator.id).values({column: column + 1})
        .returning(column).execution_options(synchronize_session=False)
    ).scalar_one()  # fmt: skip
    set_committed_value(operator, counter, counted)
    return int(counted)


def _lock(operator: Operator, policy: Policy, at: dt.datetime) -> None:
    operator.locked_until = at + dt.timedelta(minutes=policy.lock_minutes)
    operator.failed_logins = operator.failed_second_factors = 0


def logged_in(operator: Operator, at: dt.datetime | None = None) -> None:
    """Both factors passed."""
    operator.failed_logins = operator.failed_second_factors = 0
    operator.locked_until = None
    operator.last_login_at = at or now()


def still_valid(session: Session, login: str, epoch: int) -> Operator | None:
    """For every request of a session: the account is active and the session is not older
    than its last suspension or password change."""
    operator = by_login(session, login)
    if operator is None or operator.status != "active" or operator.session_epoch != epoch:
        return None
    return operator


def suspend(session: Session, actor: Actor, login: str, reason: str) -> Operator:
    """利用停止: refused at once, every session ended; rights are kept for a later resume."""
    operator = _other(session, actor, login, "operators.suspend")
    _reason(reason)
    operator.status = "suspended"
    operator.session_epoch += 1
    console_sessions.end_all_of(session, operator.login)  # the rows go, not only the epoch
    log_admin(session, actor, "operators.suspend", operator.login)
    return operator


def resume(session: Session, actor: Actor, login: str) -> Operator:
    """停止解除: back to active, or, for a contractor's staff member whose pledge is not on
    file yet, back to waiting for it (001a USE-3-3: a suspension must not skip the pledge)."""
    operator = _other(session, actor, login, "operators.resume")
    if operator.status != "suspended":
        raise Conflict("利用停止中のIDではありません", field="login", code="wrong_state")
    unpledged = operator.affiliation == "contractor" and operator.pledge_on is None
    operator.status = "pending" if unpledged else "active"
    log_admin(session, actor, "operators.resume", operator.login)
    return operator


def retire(session: Session, actor: Actor, login: str, reason: str) -> Operator:
    """失効 on transfer or retirement (000 ACL-03): the ID is invalidated for good and every
    right it held is revoked."""
    operator = _other(session, actor, login, "operators.retire")
    _reason(reason)
    operator.status = "retired"
    operator.session_epoch += 1
    console_sessions.end_all_of(session, operator.login)
    at = now()
    for right in session.scalars(
        select(OperatorRight).where(
            OperatorRight.operator_id == operator.id,
            OperatorRight.status.in_(("granted", "requested")),
        )
    ):
        right.status = "revoked"
        right.revoked_by, right.revoked_at, right.revoke_reason = actor.login[:40], at, reason
    log_admin(session, actor, "operators.retire", operator.login)
    return operator


def unlock(session: Session, actor: Actor, login: str) -> Operator:
    operator = _other(session, actor, login, "operators.unlock")
    operator.locked_until = None
    operator.failed_logins = operator.failed_second_factors = 0
    log_admin(session, actor, "operators.unlock", operator.login)
    return operator


def change_password(
    session: Session, operator: Operator, old: str, new: str, policy: Policy = Policy()
) -> None:
    try:
        _hasher.verify(operator.password_hash, old)
    except (VerifyMismatchError, VerificationError):
        raise AuthRefused("現在のパスワードが違います", field="old_password") from None
    if len(new) < policy.min_password:
        raise InvalidInput(
            f"パスワードは{policy.min_password}文字以上にしてください", field="new_password"
        )
    operator.password_hash = _hasher.hash(new)
    operator.session_epoch += 1  # other sessions of this person end
    log_admin(session, Actor(operator.login), "operators.password", operator.login)


def _other(session: Session, actor: Actor, login: str, function: str) -> Operator:
    """The account `login`, once `actor` is found entitled to administer it (checked first,
    so a refused actor learns nothing about which logins exist)."""
    administrator(session, actor, function, login)
    operator = require(session, login)
    if operator.status == "retired":
        raise Conflict("失効したIDです", field="login", code="retired")
    return operator


def _reason(reason: str) -> None:
    if not reason.strip():
        raise InvalidInput("理由を入力してください", field="reason")
