"""002 REQ-AUTH-03 (and REQ-AUTH-05's grant reference): a right is registered on a
written application (照合ID付与申請書, 利用者登録申請書). The request stores that
application's reference, checked; at the prefecture and at J-LIS a request without one
is refused; the semi-annual user list shows it next to each right."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from juki.core.audit import log as audit
from juki.core.errors import Conflict, InvalidInput
from juki.core.ids import individual_number_from_body
from juki.core.messaging.node import Node
from juki.duties.operators import accounts, reports, rights
from juki.duties.operators.accounts import Actor
from juki.duties.operators.tables import OperatorRight
from juki.network.embedded import EmbeddedNetwork
from tests.staff import READER, SUPERVISOR, Staff, add_staff

ADMIN2 = Staff("ueda.goro", "上田　五郎", "T2002", (("account_admin", "update"),))
NUMBER = individual_number_from_body("12345678901")  # a well-formed 個人番号
WIDE_NUMBER = NUMBER.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
NODES = {
    "prefecture": ("prefecture:13", "identity_inquiry"),
    "national": ("national", "identity_inquiry"),
    "registry": ("registry:131075", "certificates"),
    "cs": ("cs:131075", "identity_inquiry"),
}


@pytest.fixture
def at(network: EmbeddedNetwork, request: pytest.FixtureRequest) -> Iterator[tuple[Session, Node]]:
    """One node's operators (request.param: its role) in a transaction rolled back at the end."""
    node = network.node(NODES[request.param][0])
    with node.db.session() as session:
        add_staff(session, node, (READER, SUPERVISOR, ADMIN2))
        yield session, node
        session.rollback()


def ask(db: Session, node: Node, application_ref: str | None) -> OperatorRight:
    extra = {} if application_ref is None else {"application_ref": application_ref}
    return rights.request_right(
        db, Actor(SUPERVISOR.login), node.role, login=READER.login,
        duty=NODES[node.role][1], access="read", reason="担当事務のため", **extra,
    )  # fmt: skip


def nothing_stored(db: Session) -> bool:
    rows = db.scalar(select(func.count()).select_from(OperatorRight).where(
        OperatorRight.status == "requested"))  # fmt: skip
    logged = [e.function for e in audit.entries(db, 20) if e.function == "rights.request"]
    return rows == 0 and not logged


@pytest.mark.parametrize("at", ["prefecture", "national"], indirect=True)
@pytest.mark.parametrize("given", [None, "", "　 "])
def test_a_tier_refuses_a_right_without_the_written_application(
    at: tuple[Session, Node], given: str | None
) -> None:
    db, node = at
    with pytest.raises(InvalidInput, match="申請書") as refused:
        ask(db, node, given)
    assert refused.value.field == "application_ref"
    assert nothing_stored(db)


@pytest.mark.parametrize("at", ["prefecture"], indirect=True)
@pytest.mark.parametrize(
    ("given", "message"),
    [("照合-" + "1" * 40, "40文字以内"),
     ("=HYPERLINK(\"x\")", "文字・数字で始め"),  # a spreadsheet formula in the user list
     ("-2026-0001", "文字・数字で始め"),
     ("照合-2026\n0001", "文字・数字で始め"),
     ("照合;2026", "文字・数字で始め"),
     (f"照合-{NUMBER}", "個人番号"),
     (f"本人{WIDE_NUMBER}", "個人番号")],
    ids=["too_long", "formula", "leading_minus", "line_break", "semicolon", "number",
         "full_width_number"],
)  # fmt: skip
def test_a_bad_reference_is_refused_naming_the_field_and_nothing_is_stored(
    at: tuple[Session, Node], given: str, message: str
) -> None:
    db, node = at
    with pytest.raises(InvalidInput, match=message) as refused:
        ask(db, node, given)
    assert refused.value.field == "application_ref"
    assert nothing_stored(db)


@pytest.mark.parametrize("at", ["prefecture", "national"], indirect=True)
def test_the_reference_is_kept_with_the_right_and_in_the_user_list(
    at: tuple[Session, Node],
) -> None:
    """REQ-AUTH-05: the inventory shows each right's grant reference. Twelve digits that
    are no 個人番号 (a wrong check digit) are an ordinary reference."""
    db, node = at
    not_a_number = NUMBER[:11] + str((int(NUMBER[11]) + 1) % 10)
    right = ask(db, node, f"　照合ＩＤ付与申請書（第{not_a_number}号）")
    assert right.application_ref == f"照合ID付与申請書(第{not_a_number}号)"  # NFKC, trimmed
    assert [(r.id, r.application_ref) for r, _op in rights.pending(db)] == [
        (right.id, right.application_ref)
    ]
    rights.decide(db, Actor(ADMIN2.login), node.role, right.id, approve=True)
    listed = list(csv.DictReader(io.StringIO(reports.user_list_csv(db))))
    (line,) = [row for row in listed if row["事務"] == "本人確認情報の照会・提供"]
    assert (line["ログインID"], line["承認者"]) == (READER.login, ADMIN2.login)
    assert line["申請書の番号"] == right.application_ref
    assert {row["申請書の番号"] for row in listed if row is not line} == {""}  # 初期設定


@pytest.mark.parametrize("at", ["registry", "cs"], indirect=True)
def test_at_the_municipality_the_reference_is_optional_but_checked(
    at: tuple[Session, Node],
) -> None:
    """001a asks for the manager's approval, not for a form's number: optional there, and
    still refused when malformed."""
    db, node = at
    with pytest.raises(InvalidInput) as refused:
        ask(db, node, f"{NUMBER}")
    assert refused.value.field == "application_ref"
    assert nothing_stored(db)
    assert ask(db, node, None).application_ref is None


@pytest.mark.parametrize("at", ["registry"], indirect=True)
def test_a_deployment_can_require_it_at_the_municipality_too(
    at: tuple[Session, Node], monkeypatch: pytest.MonkeyPatch
) -> None:
    """JUKI_APPLICATION_REF_ROLES adds roles (a ward whose rules ask for a
    利用者登録申請書); the prefecture and J-LIS stay required whatever it says."""
    db, node = at
    monkeypatch.setenv("JUKI_APPLICATION_REF_ROLES", "registry, cs")
    assert rights.application_ref_required("prefecture")
    with pytest.raises(InvalidInput) as refused:
        ask(db, node, None)
    assert refused.value.field == "application_ref"
    assert ask(db, node, "利用者登録-0042").application_ref == "利用者登録-0042"
    monkeypatch.setenv("JUKI_APPLICATION_REF_ROLES", "")
    assert rights.application_ref_required("national")
    assert not rights.application_ref_required("registry")


def stored_request(db: Session, node: Node, application_ref: str | None) -> OperatorRight:
    """A request as a row from before `application_ref` existed (NULL), or stored with a
    reference the request step would refuse today."""
    reader = accounts.require(db, READER.login)
    right = OperatorRight(
        operator_id=reader.id, duty=NODES[node.role][1], access="read", status="requested",
        reason="担当事務のため", application_ref=application_ref,
        requested_by=SUPERVISOR.login, requested_at=accounts.now(),
    )  # fmt: skip
    db.add(right)
    db.flush()
    return right


@pytest.mark.parametrize("at", ["prefecture", "national"], indirect=True)
@pytest.mark.parametrize("stored", [None, "", '=HYPERLINK("x")', f"照合-{NUMBER}"])
def test_approval_re_checks_the_reference_of_an_older_request(
    at: tuple[Session, Node], stored: str | None
) -> None:
    """A request made before the column existed (or with a reference since refused) is
    not approved at a tier, naming the field; it can still be refused, and asked again."""
    db, node = at
    right = stored_request(db, node, stored)
    with pytest.raises(Conflict) as refused:
        rights.decide(db, Actor(ADMIN2.login), node.role, right.id, approve=True)
    assert refused.value.field == "application_ref"
    assert refused.value.code == "application_ref_missing"
    assert NUMBER not in refused.value.message
    reader = accounts.require(db, READER.login)
    assert (right.status, rights.has_right(db, reader.id, NODES[node.role][1])) == (
        "requested", False,
    )  # fmt: skip
    rights.decide(db, Actor(ADMIN2.login), node.role, right.id, approve=False)
    assert right.status == "refused"
    again = ask(db, node, "照合-2026-0042")
    rights.decide(db, Actor(ADMIN2.login), node.role, again.id, approve=True)
    assert rights.has_right(db, reader.id, NODES[node.role][1])


@pytest.mark.parametrize("at", ["registry"], indirect=True)
def test_at_the_municipality_an_older_request_without_a_reference_is_approved(
    at: tuple[Session, Node],
) -> None:
    db, node = at
    right = stored_request(db, node, None)
    assert rights.decide(db, Actor(ADMIN2.login), node.role, right.id, approve=True).status == (
        "granted"
    )
