"""委託先従事者名簿: the contractors' staff allowed to use the card system (000 OUT-02, OUT-03).

Each contractor's system is an API client; each request names its end operator (the JWT's
`op`, 000 AUTH-03). J-LIS lists, per client and per duty (`card_print`,
`card_applications`, `card_call_centre`), the named persons who may act: OUT-02 asks for
rights per terminal operator, OUT-03 for the staff who handle specific personal
information to be limited, and for what they handled to be recorded (the exchange record
names the operator of every exchange). A call by anyone not on the roster is refused
(403, field `operator`) and the refusal is recorded by the exchange it was for.

Who added and who removed each person, and when, is kept: a removed row stays, stamped.
(The issuance contractor's system is a node on J-LIS's line, not an API client: its
results name their operator and terminal, items 76–77, `issuance.py`.)
"""

from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import select
from sqlalchemy.orm import Session

from juki.card.models import ContractorStaff
from juki.card.schemas import StaffCreate
from juki.core.errors import Conflict, InvalidInput, NotFound, Refused
from juki.duties.operators import clients
from juki.duties.operators.accounts import Actor
from juki.duties.operators.clients import Caller
from juki.duties.operators.tables import ApiClient


def require(session: Session, caller: Caller, duty: str) -> None:
    """Refuse a contractor's call unless its end operator is on the client's roster for
    the duty (000 OUT-02/03)."""
    if _active(session, caller.client_id, caller.operator, duty) is None:
        raise Refused(
            "この操作者は委託先従事者名簿に登録されていません", field="operator",
            code="not_on_roster",
        )  # fmt: skip


def add(session: Session, added_by: str, body: StaffCreate) -> ContractorStaff:
    """Put a named person on a contractor's roster for one duty the client holds."""
    client = session.scalar(select(ApiClient).where(ApiClient.client_id == body.client_id))
    if client is None or client.status != "active":
        raise NotFound("委託先のクライアントが登録されていません", field="client_id")
    if body.duty not in json.loads(client.rights):
        raise InvalidInput("この委託先にはその事務の権限がありません", field="duty")
    if _active(session, body.client_id, body.operator, body.duty) is not None:
        raise Conflict("この操作者は名簿に登録済みです", field="operator", code="already_listed")
    person = ContractorStaff(
        client_id=body.client_id, operator=body.operator, person_name=body.person_name,
        duty=body.duty, added_by=added_by[:40], added_at=dt.datetime.now(dt.UTC),
    )  # fmt: skip
    session.add(person)
    if client.operator_source == "listed":  # on the roster: one the client's tokens may name
        clients.add_operator(session, Actor(added_by), body.client_id, body.operator)
    session.flush()
    return person


def remove(session: Session, removed_by: str, staff_id: int) -> ContractorStaff:
    """Take a person off the roster; the row stays, stamped with who and when."""
    person = session.get(ContractorStaff, staff_id)
    if person is None:
        raise NotFound("名簿にない番号です", field="staff_id")
    if person.removed_at is not None:
        raise Conflict("名簿から削除済みです", field="staff_id", code="already_removed")
    person.removed_by, person.removed_at = removed_by[:40], dt.datetime.now(dt.UTC)
    return person


def remove_all(session: Session, removed_by: str, client_id: str) -> int:
    """Contract end (000 OUT-06): everyone still on the client's roster is removed."""
    listed = session.scalars(
        select(ContractorStaff).where(
            ContractorStaff.client_id == client_id, ContractorStaff.removed_at.is_(None)
        )
    ).all()
    for person in listed:
        remove(session, removed_by, person.id)
    return len(listed)


def roster(session: Session, client_id: str) -> list[ContractorStaff]:
    """A client's roster, removed persons included (with when and by whom)."""
    return list(
        session.scalars(
            select(ContractorStaff)
            .where(ContractorStaff.client_id == client_id)
            .order_by(ContractorStaff.id)
        )
    )


def _active(session: Session, client_id: str, operator: str, duty: str) -> int | None:
    return session.scalar(
        select(ContractorStaff.id).where(
            ContractorStaff.client_id == client_id,
            ContractorStaff.operator == operator,
            ContractorStaff.duty == duty,
            ContractorStaff.removed_at.is_(None),
        )
    )
