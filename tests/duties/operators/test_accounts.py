"""Operator accounts and rights as the PIAs require them (000 AUTH-01/02, ACL-01..05), on
every backend: personal IDs only, lockout, suspension and retirement, two-person approval
of rights, the TOTP fallback's reason, expiry and single use, and the two reports."""

from __future__ import annotations

import base64
import datetime as dt
from collections.abc import Iterator

import pyotp
import pytest
from cryptography.exceptions import InvalidTag
from sqlalchemy.orm import Session

from juki.core.audit import log as audit
from juki.core.clock import japan_today
from juki.core.crypto import FieldKeys
from juki.core.errors import Conflict, InvalidInput, Refused
from juki.core.messaging.node import Node
from juki.duties.ledgers import service as ledgers
from juki.duties.operators import accounts, reports, rights, second_factor
from juki.duties.operators.accounts import Actor, AuthRefused, Policy
from juki.duties.operators.tables import OperatorRight
from juki.network.embedded import EmbeddedNetwork
from tests.staff import CLERK, READER, SUPERVISOR, Staff, add_staff, trained

ADMIN2 = Staff("ueda.goro", "上田　五郎", "T2002", (("account_admin", "update"),))
# Sees the operator list but may not decide: account_admin read-only.
ADMIN_READER = Staff("mori.rokuro", "森　六郎", "T2003", (("account_admin", "read"),))


@pytest.fixture
def node(network: EmbeddedNetwork) -> Node:
    return network.node("prefecture:13")  # operators are the same on every node


@pytest.fixture
def db(node: Node) -> Iterator[Session]:
    """One transaction, rolled back at the end."""
    with node.db.session() as session:
        add_staff(session, node, (CLERK, READER, SUPERVISOR, ADMIN2))
        yield session
        session.rollback()


def new(session: Session, login: str, employee_no: str = "E9001") -> accounts.Operator:
    operator, _code = accounts.create_operator(
        session, Actor(SUPERVISOR.login), login=login, person_name="山田　太郎",
        employee_no=employee_no, password="a-long-password-1",
    )  # fmt: skip
    return operator


@pytest.mark.parametrize("login", ["admin", "kakari", "kanri2", "shared", "guest"])
def test_no_shared_or_role_logins(db: Session, login: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        new(db, login)
    assert refused.value.field == "login"


def test_one_person_one_id(db: Session) -> None:
    new(db, "yamada.taro", "E9001")
    with pytest.raises(Conflict) as second:
        new(db, "yamada.t", "E9001")  # the same employee again
    assert second.value.field == "employee_no"
    with pytest.raises(Conflict):
        new(db, "yamada.taro", "E9002")


def test_lockout_after_the_configured_failures(db: Session) -> None:
    policy = Policy(max_failures=3, lock_minutes=10)
    at = dt.datetime(2026, 11, 24, 1, 0, tzinfo=dt.UTC)
    for _ in range(3):
        with pytest.raises(AuthRefused):
            accounts.check_password(db, CLERK.login, "wrong-password", policy, at)
    with pytest.raises(AuthRefused) as locked:  # even the right password, while locked
        accounts.check_password(db, CLERK.login, CLERK.password, policy, at)
    assert locked.value.code == "locked"
    later = at + dt.timedelta(minutes=11)
    assert accounts.check_password(db, CLERK.login, CLERK.password, policy, later).login == (
        CLERK.login
    )


def test_an_administrator_unlocks(db: Session) -> None:
    policy = Policy(max_failures=2)
    for _ in range(2):
        with pytest.raises(AuthRefused):
            accounts.check_password(db, CLERK.login, "wrong-password", policy)
    # Locked first (issue #14: the test passed without the lock ever being there): even
    # the right password is refused while the lock stands.
    with pytest.raises(AuthRefused) as locked:
        accounts.check_password(db, CLERK.login, CLERK.password, policy)
    assert locked.value.code == "locked"
    assert accounts.require(db, CLERK.login).locked_until is not None
    accounts.unlock(db, Actor(SUPERVISOR.login), CLERK.login)
    operator = accounts.require(db, CLERK.login)
    assert (operator.locked_until, operator.failed_logins) == (None, 0)
    assert accounts.check_password(db, CLERK.login, CLERK.password, policy).login == CLERK.login


def test_suspension_ends_sessions_and_retirement_revokes_rights(db: Session) -> None:
    operator = accounts.require(db, CLERK.login)
    epoch = operator.session_epoch
    assert accounts.still_valid(db, CLERK.login, epoch) is not None
    with pytest.raises(InvalidInput):
        accounts.suspend(db, Actor(SUPERVISOR.login), CLERK.login, " ")  # a reason is needed
    accounts.suspend(db, Actor(SUPERVISOR.login), CLERK.login, "長期休暇")
    assert accounts.still_valid(db, CLERK.login, epoch) is None  # the session is over
    with pytest.raises(AuthRefused) as refused:
        accounts.check_password(db, CLERK.login, CLERK.password, Policy())
    assert refused.value.code == "suspended"
    accounts.resume(db, Actor(SUPERVISOR.login), CLERK.login)
    assert rights.has_right(db, operator.id, "resident_records", "update")  # kept
    accounts.retire(db, Actor(SUPERVISOR.login), CLERK.login, "人事異動（転出）")
    assert rights.rights_of(db, operator.id) == {}
    with pytest.raises(Conflict):
        accounts.resume(db, Actor(SUPERVISOR.login), CLERK.login)


def test_nobody_suspends_themself(db: Session) -> None:
    with pytest.raises(Refused):
        accounts.suspend(db, Actor(SUPERVISOR.login), SUPERVISOR.login, "試験")


def test_a_right_needs_a_second_person_to_approve(db: Session, node: Node) -> None:
    reader = accounts.require(db, READER.login)
    assert not rights.has_right(db, reader.id, "identity_inquiry", "read")
    request = rights.request_right(
        db, Actor(SUPERVISOR.login), node.role, login=READER.login,
        duty="identity_inquiry", access="read", reason="4情報照会の担当",
        application_ref="照合-2026-0001",
    )  # fmt: skip
    with pytest.raises(Refused, match="申請した人"):
        rights.decide(db, Actor(SUPERVISOR.login), node.role, request.id, approve=True)
    with pytest.raises(Refused):  # no account-administration right
        rights.decide(db, Actor(CLERK.login), node.role, request.id, approve=True)
    assert not rights.has_right(db, reader.id, "identity_inquiry", "read")
    rights.decide(db, Actor(ADMIN2.login), node.role, request.id, approve=True)
    assert rights.has_right(db, reader.id, "identity_inquiry", "read")
    assert not rights.has_right(db, reader.id, "identity_inquiry", "update")  # read-only
    assert (request.requested_by, request.decided_by) == (SUPERVISOR.login, ADMIN2.login)
    rights.revoke(db, Actor(ADMIN2.login), request.id, "担当替え")
    assert not rights.has_right(db, reader.id, "identity_inquiry", "read")


def test_no_right_without_a_recent_passed_training(db: Session, node: Node) -> None:
    """001a EDU-1 (option): the training register gates the account's rights."""
    newcomer = new(db, "yamada.taro")
    request = rights.request_right(
        db, Actor(SUPERVISOR.login), node.role, login=newcomer.login,
        duty="identity_inquiry", access="read", reason="4情報照会の担当",
        application_ref="照合-2026-0002",
    )  # fmt: skip
    with pytest.raises(Conflict) as untrained:
        rights.decide(db, Actor(ADMIN2.login), node.role, request.id, approve=True)
    assert (untrained.value.field, untrained.value.code) == ("login", "untrained")
    old = (japan_today() - dt.timedelta(days=400)).isoformat()
    for attended_on, passed in ((japan_today().isoformat(), False), (old, True)):
        ledgers.add(
            db, "training",
            {"login": newcomer.login, "course": "初任者研修", "attended_on": attended_on,
             "passed": passed},
            actor=SUPERVISOR.login, terminal="t",
        )  # fmt: skip
        with pytest.raises(Conflict):  # failed, or too long ago
            rights.decide(db, Actor(ADMIN2.login), node.role, request.id, approve=True)
    trained(db, newcomer.login)
    rights.decide(db, Actor(ADMIN2.login), node.role, request.id, approve=True)
    assert rights.has_right(db, newcomer.id, "identity_inquiry", "read")


def test_nobody_approves_their_own_right(db: Session, node: Node) -> None:
    request = rights.request_right(
        db, Actor(SUPERVISOR.login), node.role, login=ADMIN2.login,
        duty="audit_review", access="read", reason="監査担当", application_ref="照合-2026-0003",
    )  # fmt: skip
    with pytest.raises(Refused, match="自分の権限"):
        rights.decide(db, Actor(ADMIN2.login), node.role, request.id, approve=True)


@pytest.mark.parametrize(
    ("duty", "access", "field"),
    [("resident_records", "update", "duty"), ("no_such_duty", "read", "duty"),
     ("identity_inquiry", "delete", "access")],
)  # fmt: skip
def test_rights_are_only_the_nodes_duties(
    db: Session, node: Node, duty: str, access: str, field: str
) -> None:
    """resident_records is a municipality's duty: a prefecture cannot grant it."""
    with pytest.raises(InvalidInput) as refused:
        rights.request_right(
            db, Actor(SUPERVISOR.login), node.role, login=READER.login, duty=duty,
            access=access, reason="x",
        )  # fmt: skip
    assert refused.value.field == field


def test_totp_only_where_granted_once_per_code_and_until_expiry(db: Session, node: Node) -> None:
    reader = accounts.require(db, READER.login)
    # add_staff granted everyone TOTP; take READER's away and grant it properly.
    second_factor.revoke_totp(db, Actor(SUPERVISOR.login), READER.login)
    with pytest.raises(AuthRefused, match="許可されていません"):
        second_factor.verify_totp(db, node.keys, reader, "123456")
    with pytest.raises(InvalidInput) as no_reason:
        second_factor.grant_totp(
            db, node.keys, Actor(SUPERVISOR.login), login=READER.login, reason="", days=30
        )
    assert no_reason.value.field == "reason"
    with pytest.raises(accounts.NotAdministrator):  # a clerk cannot grant
        second_factor.grant_totp(
            db, node.keys, Actor(CLERK.login), login=READER.login, reason="指紋が読めない", days=30
        )
    grant, uri = second_factor.grant_totp(
        db, node.keys, Actor(SUPERVISOR.login), login=READER.login,
        reason="指紋が読み取れないため", days=7,
    )  # fmt: skip
    assert (grant.reason, grant.granted_by) == ("指紋が読み取れないため", SUPERVISOR.login)
    totp = pyotp.TOTP(pyotp.parse_uri(uri).secret)
    at = dt.datetime.now(dt.UTC)
    second_factor.verify_totp(db, node.keys, reader, totp.at(at), at)
    with pytest.raises(AuthRefused):  # the same code again
        second_factor.verify_totp(db, node.keys, reader, totp.at(at), at)
    later = at + dt.timedelta(days=8)
    with pytest.raises(AuthRefused, match="許可されていません"):  # expired
        second_factor.verify_totp(db, node.keys, reader, totp.at(later), later)


def test_totp_secret_is_not_stored_in_clear(db: Session, node: Node) -> None:
    second_factor.revoke_totp(db, Actor(SUPERVISOR.login), ADMIN2.login)  # the setup one
    _grant, uri = second_factor.grant_totp(
        db, node.keys, Actor(SUPERVISOR.login), login=ADMIN2.login, reason="試験", days=1
    )
    secret = pyotp.parse_uri(uri).secret
    stored = db.execute(
        second_factor.TotpGrant.__table__.select()  # type: ignore[attr-defined]
    ).all()
    assert all(secret.encode() not in bytes(row.secret) for row in stored)
    # Not merely absent as a substring (issue #14): sealed with the node's field key under
    # the grant's label — it opens with that key and no other, and in no other encoding.
    newest = max(stored, key=lambda row: row.id)
    assert node.keys.decrypt(bytes(newest.secret), column=second_factor.TOTP_COLUMN) == secret
    with pytest.raises(InvalidTag):
        FieldKeys.generate().decrypt(bytes(newest.secret), column=second_factor.TOTP_COLUMN)
    raw = bytes(newest.secret)
    assert base64.b32decode(secret) not in raw  # nor the secret's bytes
    assert secret.lower().encode() not in raw.lower()


def test_the_installers_totp_grant_serves_only_its_own_fresh_accounts(
    db: Session, node: Node
) -> None:
    """000 AUTH-02: the installer's exemption (`grant_at_setup`) cannot stand in for an
    administrator's: not for an account an administrator created, not twice, not once the
    person has logged in; what it grants is in the audit log as the installer's act."""
    created, _code = accounts.create_operator(
        db, Actor(SUPERVISOR.login), login="mori.kenta", person_name="森　健太",
        employee_no="T3001", password="correct horse battery", policy=Policy(),
    )  # fmt: skip
    with pytest.raises(Refused, match="初期設定"):
        second_factor.grant_at_setup(db, node.keys, created, "抜け道", 30)
    fresh, _code = accounts.create_operator(
        db, accounts.SETUP, login="sato.mika", person_name="佐藤　美香", employee_no="T3002",
        password="correct horse battery", policy=Policy(),
    )  # fmt: skip
    with pytest.raises(InvalidInput, match="有効期間"):
        second_factor.grant_at_setup(db, node.keys, fresh, "初期設定", 91)
    second_factor.grant_at_setup(db, node.keys, fresh, "初期設定", 30)
    assert audit.entries(db, 1)[0].function == "operators.totp_grant"
    with pytest.raises(Conflict, match="一度だけ"):
        second_factor.grant_at_setup(db, node.keys, fresh, "初期設定", 30)
    used = accounts.require(db, READER.login)  # created at setup, then logged in
    used.last_login_at = accounts.now()
    with pytest.raises(Refused, match="初期設定"):
        second_factor.grant_at_setup(db, node.keys, used, "初期設定", 30)


def test_user_list_and_privileged_activity_reports(db: Session, node: Node) -> None:
    csv_text = reports.user_list_csv(db)
    assert "上田　五郎" in csv_text
    assert "利用者・権限の管理" in csv_text
    for person in (CLERK, READER, SUPERVISOR, ADMIN2):
        assert person.login in csv_text
    request = rights.request_right(
        db, Actor(SUPERVISOR.login, "admin-01"), node.role, login=READER.login,
        duty="audit_review", access="read", reason="監査担当", application_ref="照合-2026-0004",
    )  # fmt: skip
    rights.decide(db, Actor(ADMIN2.login, "admin-02"), node.role, request.id, approve=True)
    audit.record(db, audit.Access(SUPERVISOR.login, "admin-01", "POST /search"))
    audit.record(db, audit.Access(CLERK.login, "counter-01", "POST /search"))
    lines = reports.privileged_activity(db, japan_today())
    seen = {(line.operator, line.function) for line in lines}
    assert (SUPERVISOR.login, "rights.request") in seen
    assert (ADMIN2.login, "rights.approve") in seen
    assert (SUPERVISOR.login, "POST /search") in seen  # a privileged holder's action
    assert (CLERK.login, "POST /search") not in seen  # a clerk's ordinary work


def contractor(session: Session, login: str, pledge_on: dt.date | None = None) -> accounts.Operator:
    operator, _code = accounts.create_operator(
        session, Actor(SUPERVISOR.login), login=login, person_name="委託　次郎",
        employee_no="C-" + login.replace(".", "")[:12], password="a-long-password-1",
        section="住民課",
        contractor=accounts.Contractor("株式会社墨田情報サービス", pledge_on),
    )  # fmt: skip
    return operator


def test_a_contractor_works_only_once_the_pledge_is_on_file(db: Session) -> None:
    """001a USE-3-3: a contractor's account is enabled only with their written pledge."""
    person = contractor(db, "itaku.jiro")
    assert person.status == "pending"
    with pytest.raises(AuthRefused) as refused:
        accounts.check_password(db, "itaku.jiro", "a-long-password-1", Policy())
    assert refused.value.code == "pending"
    with pytest.raises(Conflict):  # not for the ward's own staff
        accounts.record_pledge(db, Actor(SUPERVISOR.login), READER.login, dt.date(2026, 4, 1))
    with pytest.raises(InvalidInput) as future:
        accounts.record_pledge(db, Actor(SUPERVISOR.login), "itaku.jiro", dt.date(2999, 1, 1))
    assert future.value.field == "received_on"
    accounts.record_pledge(db, Actor(SUPERVISOR.login), "itaku.jiro", dt.date(2026, 4, 1))
    assert accounts.check_password(db, "itaku.jiro", "a-long-password-1", Policy()) is person
    line = next(row for row in reports.user_list_csv(db).splitlines() if "itaku.jiro" in row)
    assert "委託先 株式会社墨田情報サービス（誓約書 2026-04-01）" in line
    with pytest.raises(InvalidInput) as nameless:
        accounts.create_operator(
            db, Actor(SUPERVISOR.login), login="itaku.saburo", person_name="委託　三郎",
            employee_no="C-3", password="a-long-password-1",
            contractor=accounts.Contractor(" "),
        )  # fmt: skip
    assert nameless.value.field == "contractor_name"


def test_a_suspension_does_not_skip_a_contractor_s_pledge(db: Session) -> None:
    """001a USE-3-3: suspended and resumed before the pledge is on file, the account waits
    for it again (a resumption once made it usable without one)."""
    contractor(db, "itaku.goro")
    accounts.suspend(db, Actor(SUPERVISOR.login), "itaku.goro", "確認のため")
    assert accounts.resume(db, Actor(SUPERVISOR.login), "itaku.goro").status == "pending"
    pledged = contractor(db, "itaku.rokuro", pledge_on=dt.date(2026, 4, 1))
    accounts.suspend(db, Actor(SUPERVISOR.login), pledged.login, "確認のため")
    assert accounts.resume(db, Actor(SUPERVISOR.login), pledged.login).status == "active"


@pytest.mark.parametrize(
    ("role", "duty", "allowed"),
    [("registry", "resident_records", True),  # the contracted counter work (001a OUT-2)
     ("registry", "certificates", True),
     ("registry", "data_export", False),  # never export or copy out (001a OUT-4)
     ("registry", "account_admin", False),
     ("registry", "audit_review", False),
     ("prefecture", "identity_inquiry", False),  # the consignee reads no file (002 REQ-CON-02)
     ("prefecture", "bulk_output", False),
     ("prefecture", "consistency_check", False),
     ("national", "disclosure", False)],
)  # fmt: skip
def test_a_contractor_gets_only_the_contracted_work(
    db: Session, role: str, duty: str, allowed: bool
) -> None:
    contractor(db, "itaku.shiro", pledge_on=dt.date(2026, 4, 1))
    ask = {"login": "itaku.shiro", "duty": duty, "access": "update", "reason": "委託業務"}
    if allowed:
        assert rights.request_right(db, Actor(SUPERVISOR.login), role, **ask).status == "requested"
        return
    with pytest.raises(Refused) as refused:
        rights.request_right(db, Actor(SUPERVISOR.login), role, **ask)
    assert refused.value.field == "duty"
    assert refused.value.code == "contractor"


@pytest.fixture
def cs_db(network: EmbeddedNetwork) -> Iterator[tuple[Session, Node]]:
    """墨田区's CS (001a USE-2-5): the same staff, one transaction rolled back at the end."""
    cs = network.node("cs:131075")
    with cs.db.session() as session:
        add_staff(session, cs, (CLERK, READER, SUPERVISOR, ADMIN2, ADMIN_READER))
        yield session, cs
        session.rollback()


def granted_at_the_cs(session: Session, cs: Node) -> OperatorRight:
    request = rights.request_right(
        session, Actor(SUPERVISOR.login), cs.role, login=READER.login,
        duty="identity_inquiry", access="read", reason="CSでの本人確認情報の照会",
    )  # fmt: skip
    return rights.decide(session, Actor(ADMIN2.login), cs.role, request.id, approve=True)


def test_at_the_cs_a_right_needs_a_second_account_admin_to_approve(
    cs_db: tuple[Session, Node],
) -> None:
    """001a USE-2-5, 001b C-09 at the CS: a right is requested by one account_admin holder
    and granted only when another (the manager or deputy) approves; the operator list
    shows the approver."""
    db, cs = cs_db
    assert cs.role == "cs"
    reader = accounts.require(db, READER.login)
    request = rights.request_right(
        db, Actor(SUPERVISOR.login), cs.role, login=READER.login,
        duty="identity_inquiry", access="read", reason="CSでの本人確認情報の照会",
    )  # fmt: skip
    with pytest.raises(Refused, match="申請した人") as own:
        rights.decide(db, Actor(SUPERVISOR.login), cs.role, request.id, approve=True)
    assert own.value.field == "decided_by"
    for nobody in (CLERK, ADMIN_READER):  # no account_admin, or read-only
        with pytest.raises(Refused) as refused:
            rights.decide(db, Actor(nobody.login), cs.role, request.id, approve=True)
        assert refused.value.field == "decided_by"
    assert not rights.has_right(db, reader.id, "identity_inquiry", "read")
    assert request.status == "requested"
    assert [right.id for right, _who in rights.pending(db)] == [request.id]
    rights.decide(db, Actor(ADMIN2.login), cs.role, request.id, approve=True)
    assert rights.has_right(db, reader.id, "identity_inquiry", "read")
    assert (request.requested_by, request.decided_by) == (SUPERVISOR.login, ADMIN2.login)
    line = next(
        row for row in reports.user_list_csv(db).splitlines()
        if row.startswith(READER.login) and "本人確認情報の照会・提供" in row
    )  # fmt: skip
    assert f",照会のみ,{ADMIN2.login}," in line
    with pytest.raises(InvalidInput) as not_here:  # a municipality's registry duty
        rights.request_right(
            db, Actor(SUPERVISOR.login), cs.role, login=READER.login,
            duty="resident_records", access="update", reason="x",
        )  # fmt: skip
    assert not_here.value.field == "duty"


def test_at_the_cs_only_an_account_admin_revokes_a_right(cs_db: tuple[Session, Node]) -> None:
    """001a USE-2-5, 001b C-09: a revocation by someone without account_admin (update) is
    refused naming the field, and the right stays, unrevoked and not in the audit log."""
    db, cs = cs_db
    right = granted_at_the_cs(db, cs)
    reader = accounts.require(db, READER.login)
    for nobody in (CLERK, ADMIN_READER, READER):  # a clerk, a read-only admin, the holder
        with pytest.raises(Refused) as refused:
            rights.revoke(db, Actor(nobody.login), right.id, "担当替え")
        assert refused.value.field == "revoked_by"
    assert rights.has_right(db, reader.id, "identity_inquiry", "read")
    assert (right.status, right.revoked_by, right.revoked_at) == ("granted", None, None)
    logged = {(entry.operator, entry.function) for entry in audit.entries(db)}
    assert not any(function == "rights.revoke" for _op, function in logged)
    rights.revoke(db, Actor(ADMIN2.login), right.id, "担当替え")
    assert not rights.has_right(db, reader.id, "identity_inquiry", "read")
    assert (right.status, right.revoked_by, right.revoke_reason) == (
        "revoked", ADMIN2.login, "担当替え",
    )  # fmt: skip
    assert (ADMIN2.login, "rights.revoke") in {
        (entry.operator, entry.function) for entry in audit.entries(db)
    }
