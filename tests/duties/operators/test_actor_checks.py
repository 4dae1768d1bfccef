"""Who may create an account, issue an enrolment code, grant or revoke a TOTP exemption,
suspend, resume, retire or unlock an account, checked in the service itself (000
ACL-02/03; 001a USE-2-5, 001b C-09): whoever calls `duties/operators` — a console, a
command, another node's screen — an actor without the account-administration right
(update) at this node, or acting on their own ID, is refused, the refusal is in the audit
log, and nothing changes. Only the installer (`SETUP`) also creates accounts: the first
administrator comes from `juki operator bootstrap`. A person registers their own
authenticator only with a code an administrator issued them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from juki.cli import app
from juki.core.audit import log as audit
from juki.core.errors import Refused
from juki.core.messaging.node import Node
from juki.duties.operators import accounts, rights, second_factor
from juki.duties.operators.accounts import SETUP, Actor, AuthRefused, Policy
from juki.duties.operators.tables import EnrolmentCode
from juki.network.embedded import EmbeddedNetwork
from tests.staff import CLERK, READER, SUPERVISOR, Staff, add_staff

ADMIN2 = Staff("ueda.goro", "上田　五郎", "T2002", (("account_admin", "update"),))
ADMIN_READER = Staff("mori.rokuro", "森　六郎", "T2003", (("account_admin", "read"),))
# account_admin is a right per node: held at the CS only, it is no right at the prefecture.
AT_THE_CS_ONLY = Staff("kudo.shichiro", "工藤　七郎", "T2004", ())
SUSPENDED_ADMIN = Staff("ono.hachiro", "小野　八郎", "T2005", (("account_admin", "update"),))

Action = Callable[[Session, Actor, str], Any]
ACTIONS: dict[str, Action] = {
    "suspend": lambda db, actor, login: accounts.suspend(db, actor, login, "調査中"),
    "resume": lambda db, actor, login: accounts.resume(db, actor, login),
    "retire": lambda db, actor, login: accounts.retire(db, actor, login, "人事異動（転出）"),
    "unlock": lambda db, actor, login: accounts.unlock(db, actor, login),
    # Another person's second factor: a new enrolment code, the end of a TOTP exemption.
    "enrolment": lambda db, actor, login: accounts.issue_enrolment(db, actor, login),
    "totp_revoke": lambda db, actor, login: second_factor.revoke_totp(db, actor, login),
}


@pytest.fixture
def nodes(network: EmbeddedNetwork) -> tuple[Node, Node]:
    return network.node("prefecture:13"), network.node("cs:131075")


@pytest.fixture
def db(nodes: tuple[Node, Node]) -> Iterator[Session]:
    """The prefecture's operators in one transaction, rolled back at the end; the CS keeps
    its own, where AT_THE_CS_ONLY holds account_admin."""
    prefecture, cs = nodes
    with cs.db.session() as cs_session:
        add_staff(cs_session, cs, (AT_THE_CS_ONLY,))
        holder = accounts.require(cs_session, AT_THE_CS_ONLY.login)
        rights.grant_at_setup(cs_session, holder, "account_admin", "update")
        cs_session.commit()
    with prefecture.db.session() as session:
        add_staff(
            session, prefecture,
            (CLERK, READER, SUPERVISOR, ADMIN2, ADMIN_READER, AT_THE_CS_ONLY, SUSPENDED_ADMIN),
        )  # fmt: skip
        accounts.suspend(session, Actor(SUPERVISOR.login), SUSPENDED_ADMIN.login, "休職")
        yield session
        session.rollback()


def ready(db: Session, action: str, login: str = READER.login) -> None:
    """The account in the state the action applies to, so that only the actor is at fault."""
    if action == "resume":
        accounts.suspend(db, Actor(SUPERVISOR.login), login, "長期休暇")
    if action == "unlock":
        for _ in range(2):
            with pytest.raises(AuthRefused):
                accounts.check_password(db, login, "wrong-password", Policy(max_failures=2))


def state(db: Session, login: str) -> tuple[Any, ...]:
    operator = accounts.require(db, login)
    held = rights.rights_of(db, operator.id)
    grant = second_factor.active_grant(db, operator)
    codes = db.scalar(select(func.count()).where(EnrolmentCode.operator_id == operator.id))
    return (operator.status, operator.session_epoch, operator.locked_until, held,
            grant.id if grant else None, codes)  # fmt: skip


def admin_entries(db: Session, login: str) -> list[tuple[str, str, str]]:
    return [
        (entry.operator, entry.function, entry.result)
        for entry in audit.entries(db, 50)
        if entry.function.startswith("operators.") and f"operator={login}" in entry.targets
    ]


@pytest.mark.parametrize("action", list(ACTIONS))
@pytest.mark.parametrize(
    "actor",
    [CLERK, ADMIN_READER, AT_THE_CS_ONLY, SUSPENDED_ADMIN, Staff("nobody", "", "", ())],
    ids=["no_right", "read_only", "right_at_another_node", "suspended", "unknown"],
)
def test_an_actor_without_account_admin_is_refused_and_logged(
    db: Session, action: str, actor: Staff
) -> None:
    ready(db, action)
    before = state(db, READER.login)
    logged = admin_entries(db, READER.login)
    with pytest.raises(Refused) as refused:
        ACTIONS[action](db, Actor(actor.login, "t-99"), READER.login)
    assert (refused.value.field, refused.value.code) == ("actor", "not_admin")
    assert state(db, READER.login) == before  # nothing changed
    assert admin_entries(db, READER.login) == [
        (actor.login, f"operators.{action}", "refused"), *logged,
    ]  # fmt: skip
    ACTIONS[action](db, Actor(ADMIN2.login), READER.login)  # the same step, by an admin
    assert admin_entries(db, READER.login)[0] == (ADMIN2.login, f"operators.{action}", "ok")


@pytest.mark.parametrize("action", ["suspend", "retire", "unlock", "enrolment", "totp_revoke"])
def test_nobody_acts_on_their_own_id(db: Session, action: str) -> None:
    """An administrator does not lift their own lock nor retire or suspend themself, nor
    issue themself an enrolment code (an authenticator added on nobody else's word) nor
    end their own TOTP exemption: another administrator does (a suspended one cannot act
    at all, so self-resumption is the no-right case above)."""
    ready(db, action, ADMIN2.login)
    before = state(db, ADMIN2.login)
    with pytest.raises(Refused) as refused:
        ACTIONS[action](db, Actor(ADMIN2.login), ADMIN2.login)
    assert (refused.value.field, refused.value.code) == ("login", "self")
    assert state(db, ADMIN2.login) == before
    assert admin_entries(db, ADMIN2.login)[0] == (ADMIN2.login, f"operators.{action}", "refused")


def test_a_refused_actor_learns_nothing_about_logins(db: Session) -> None:
    """The right is checked before the target is looked up: an unknown login and a known
    one get the same refusal."""
    answers = set()
    for login in (READER.login, "no.such.person"):
        with pytest.raises(Refused) as refused:
            accounts.suspend(db, Actor(CLERK.login), login, "調査中")
        answers.add((type(refused.value), refused.value.field, refused.value.message))
    assert len(answers) == 1


def test_the_pledge_needs_an_administrator_too(db: Session) -> None:
    """001a USE-3-3: the pledge enables a contractor's account, so it is an administrator's
    act like the others."""
    person, _code = accounts.create_operator(
        db, Actor(SUPERVISOR.login), login="itaku.jiro", person_name="委託　次郎",
        employee_no="C-1", password="a-long-password-1",
        contractor=accounts.Contractor("株式会社墨田情報サービス"),
    )  # fmt: skip
    with pytest.raises(Refused) as refused:
        accounts.record_pledge(db, Actor(CLERK.login), "itaku.jiro", dt.date(2026, 4, 1))
    assert refused.value.field == "actor"
    assert (person.status, person.pledge_on) == ("pending", None)
    assert admin_entries(db, "itaku.jiro")[0] == (CLERK.login, "operators.pledge", "refused")


REFUSED_ACTORS = [CLERK, ADMIN_READER, AT_THE_CS_ONLY, SUSPENDED_ADMIN, Staff("nobody", "", "", ())]
REFUSED_IDS = ["no_right", "read_only", "right_at_another_node", "suspended", "unknown"]


def create(db: Session, actor: Actor, login: str, employee_no: str) -> Any:
    return accounts.create_operator(
        db, actor, login=login, person_name="新任　太郎", employee_no=employee_no,
        password="a-long-password-1",
    )  # fmt: skip


@pytest.mark.parametrize("actor", REFUSED_ACTORS, ids=REFUSED_IDS)
def test_only_an_administrator_or_the_installer_creates_an_account(
    db: Session, actor: Staff
) -> None:
    with pytest.raises(Refused) as refused:
        create(db, Actor(actor.login, "t-99"), "shinnin.taro", "N-1")
    assert (refused.value.field, refused.value.code) == ("actor", "not_admin")
    assert accounts.by_login(db, "shinnin.taro") is None
    assert admin_entries(db, "shinnin.taro") == [(actor.login, "operators.create", "refused")]
    with pytest.raises(Refused) as taken:  # a taken login tells a refused actor nothing
        create(db, Actor(actor.login, "t-99"), READER.login, "N-2")
    assert taken.value.code == "not_admin"
    operator, _code = create(db, Actor(ADMIN2.login), "shinnin.taro", "N-1")
    assert operator.created_by == ADMIN2.login
    assert admin_entries(db, "shinnin.taro")[0] == (ADMIN2.login, "operators.create", "ok")
    installed, _code = create(db, SETUP, "shinnin.jiro", "N-3")
    assert installed.created_by == SETUP.login


@pytest.mark.parametrize("actor", REFUSED_ACTORS, ids=REFUSED_IDS)
def test_only_an_administrator_grants_a_totp_exemption(
    db: Session, nodes: tuple[Node, Node], actor: Staff
) -> None:
    keys = nodes[0].keys
    second_factor.revoke_totp(db, Actor(ADMIN2.login), READER.login)
    before = state(db, READER.login)
    with pytest.raises(Refused) as refused:
        second_factor.grant_totp(db, keys, Actor(actor.login), login=READER.login,
                                 reason="指紋が読めない", days=7)  # fmt: skip
    assert (refused.value.field, refused.value.code) == ("actor", "not_admin")
    assert state(db, READER.login) == before
    assert admin_entries(db, READER.login)[0] == (actor.login, "operators.totp_grant", "refused")
    with pytest.raises(Refused) as own:
        second_factor.grant_totp(db, keys, Actor(ADMIN2.login), login=ADMIN2.login,
                                 reason="指紋が読めない", days=7)  # fmt: skip
    assert (own.value.field, own.value.code) == ("login", "self")
    second_factor.grant_totp(db, keys, Actor(ADMIN2.login), login=READER.login,
                             reason="指紋が読めない", days=7)  # fmt: skip
    assert admin_entries(db, READER.login)[0] == (ADMIN2.login, "operators.totp_grant", "ok")


def test_one_s_own_authenticator_is_registered_only_with_an_issued_code(db: Session) -> None:
    """At first log-in the person registers their own authenticator — no administrator
    acts then — so the one-time code an administrator issued them is required and spent
    by the registration itself: without it (or with someone else's) nothing is stored."""
    reader = accounts.require(db, READER.login)
    accounts.issue_enrolment(db, Actor(ADMIN2.login), ADMIN_READER.login)
    others = db.scalar(select(func.max(EnrolmentCode.id)).where(
        EnrolmentCode.operator_id == accounts.require(db, ADMIN_READER.login).id))  # fmt: skip
    assert others is not None
    for code_id in (0, others):
        with pytest.raises(AuthRefused) as refused:
            second_factor.verify_registration(
                db, reader, code_id, "{}", "Y2hhbGxlbmdl", "localhost", "https://localhost"
            )
        assert refused.value.field == "enrolment_code"
    assert second_factor.credential_ids(db, reader) == []
    assert db.get(EnrolmentCode, others).used_at is None  # type: ignore[union-attr]


def test_the_first_administrator_comes_from_the_command_line(
    sqlite_network: EmbeddedNetwork,
) -> None:
    """`juki operator bootstrap` creates a node's first administrator as the installer
    (SETUP), only while the node has no operator; that administrator then creates the
    others through the service like anyone else."""
    home = str(sqlite_network.home.root)
    args = ["operator", "bootstrap", "national", "--login", "hajime.kanri", "--name",
            "初代　管理者", "--employee-no", "J0001", "--home", home]  # fmt: skip
    done = CliRunner().invoke(app, args, input="first-password-1\nfirst-password-1\n")
    assert done.exit_code == 0, done.output
    assert "hajime.kanri: 登録コード" in done.output
    again = CliRunner().invoke(app, args, input="first-password-1\nfirst-password-1\n")
    assert again.exit_code == 1
    node = sqlite_network.node("national")
    with node.db.session() as session:
        first = accounts.require(session, "hajime.kanri")
        assert first.created_by == SETUP.login
        assert rights.rights_of(session, first.id)["account_admin"] == "update"
        second, _code = create(session, Actor("hajime.kanri"), "tsugi.taro", "J0002")
        assert second.created_by == "hajime.kanri"
        session.rollback()


def test_an_administrator_reissues_an_enrolment_code_from_the_command_line(
    sqlite_network: EmbeddedNetwork,
) -> None:
    """`juki operator enrolment` (a lost authenticator): the service's checks hold — an
    administrator issues one for another person; a clerk, or an administrator for their
    own ID, is refused, and the refusal is in the node's audit log."""
    node = sqlite_network.node("registry:131075")
    with node.db.session() as session:
        add_staff(session, node, (CLERK, SUPERVISOR))
        session.commit()
    home = str(sqlite_network.home.root)

    def enrolment(login: str, admin: str) -> Any:
        args = ["operator", "enrolment", "registry:131075", login, "--admin", admin]
        return CliRunner().invoke(app, [*args, "--home", home])

    done = enrolment(CLERK.login, SUPERVISOR.login)
    assert done.exit_code == 0, done.output
    assert f"{CLERK.login}: 登録コード" in done.output
    for login, admin in ((SUPERVISOR.login, CLERK.login), (SUPERVISOR.login, SUPERVISOR.login)):
        refused = enrolment(login, admin)
        assert refused.exit_code == 1, refused.output
    with node.db.session() as session:
        issued = session.scalars(select(EnrolmentCode.issued_by)).all()
        entries = audit.entries(session, 5)
    assert issued.count(SUPERVISOR.login) == 1  # the refused ones issued nothing
    assert any(
        e.function == "operators.enrolment" and e.operator == CLERK.login and e.result != "ok"
        for e in entries
    )
