"""The card's lifecycle as one explicit state machine (issue #15; 000 §3.3, File 3 items
96–102) and the expiry dates the public rules fix.

- Any sequence of requested states: each listed transition is taken (with its date,
  reason and history row), each other one is refused naming `status` and changes nothing.
- A suspension and an abolition need a reason; the ledger's dates follow the state.
- The card's expiry: the 10th birthday after issue from 18 on, the 5th before; the
  certificates' the 5th; 29 February handled; the issuance contractor's date checked.
- Through the API: the existing steps (registration, application, issue) go through it.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterator

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import create_engine, event, select
from sqlalchemy.orm import Session

from juki.card import lifecycle
from juki.card.lifecycle import TRANSITIONS, CardState, card_expiry
from juki.card.models import Base, CardEvent, CardFileEntry
from juki.core import birthdays
from juki.core.birthdays import certificate_expiry
from juki.core.errors import InvalidInput
from juki.network.embedded import EmbeddedNetwork
from tests.card.helpers import (
    CARD,
    application,
    contractor,
    held_person,
    made_answers,
    made_record,
    run_line,
    send_from_contractor,
)

AT = dt.datetime(2026, 12, 7, 1, 0, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def engine() -> Iterator[object]:
    made = create_engine("sqlite://")
    event.listen(made, "connect", lambda conn, _r: conn.execute("PRAGMA foreign_keys=ON"))
    Base.metadata.create_all(made, tables=[CardFileEntry.__table__, CardEvent.__table__])  # type: ignore[list-item]
    yield made
    made.dispose()


def an_entry(session: Session, status: CardState) -> CardFileEntry:
    entry = CardFileEntry(
        destination_id="d" * 36, lg_code="131075", resident_code="00000000000",
        individual_number_index="x", record_cipher=b"", digest="", status=status.value,
        application_id="1" * 23, received_at=AT,
    )  # fmt: skip
    session.add(entry)
    session.flush()
    return entry


states = st.sampled_from(list(CardState))


@given(start=states, wanted=st.lists(states, max_size=12))
def test_only_listed_transitions_are_taken(
    engine: object, start: CardState, wanted: list[CardState]
) -> None:
    with Session(engine) as session:  # type: ignore[call-overload]
        entry = an_entry(session, start)
        taken = 0
        for to in wanted:
            before = CardState(entry.status)
            if to in TRANSITIONS[before]:
                lifecycle.move(session, entry, to, at=AT, actor="kensa", reason="試験")
                taken += 1
                assert entry.status == to.value
            else:
                with pytest.raises(lifecycle.TransitionRefused) as refused:
                    lifecycle.move(session, entry, to, at=AT, actor="kensa", reason="試験")
                assert refused.value.field == "status"
                assert entry.status == before.value  # nothing changed
        session.flush()
        history = session.scalars(
            select(CardEvent).where(CardEvent.entry_id == entry.id).order_by(CardEvent.id)
        ).all()
        assert len(history) == taken
        for earlier, later in itertools.pairwise(history):
            assert earlier.to_state == later.from_state  # one unbroken line of states
        session.rollback()


def test_the_ledger_dates_and_reasons_follow_the_state(engine: object) -> None:
    with Session(engine) as session:  # type: ignore[call-overload]
        entry = an_entry(session, CardState.ACTIVE)
        with pytest.raises(InvalidInput) as no_reason:
            lifecycle.move(session, entry, CardState.SUSPENDED, at=AT, actor="call-centre")
        assert no_reason.value.field == "reason"
        assert entry.status == "active"
        lifecycle.move(session, entry, CardState.SUSPENDED, at=AT, actor="cc", reason="紛失")
        assert (entry.suspended_on, entry.suspension_reason) == (AT.date(), "紛失")
        later = AT + dt.timedelta(days=3)
        lifecycle.move(session, entry, CardState.ACTIVE, at=later, actor="counter")  # 解除
        assert (entry.suspended_on, entry.suspension_reason) == (None, None)
        lifecycle.move(session, entry, CardState.ABOLISHED, at=later, actor="c", reason="死亡")
        lifecycle.move(session, entry, CardState.COLLECTED, at=later, actor="counter")
        assert (entry.abolished_on, entry.abolition_reason, entry.collected_on) == (
            later.date(), "死亡", later.date(),
        )  # fmt: skip
        with pytest.raises(lifecycle.TransitionRefused):  # the end: nothing revives it
            lifecycle.move(session, entry, CardState.ACTIVE, at=later, actor="counter")
        session.rollback()


@pytest.mark.parametrize(
    ("birth", "issued", "card", "certificates"),
    [
        ("1990-04-01", "2026-12-07", "2036-04-01", "2031-04-01"),  # an adult
        ("1990-12-07", "2026-12-07", "2036-12-07", "2031-12-07"),  # issued on the birthday
        ("2010-01-01", "2026-12-07", "2031-01-01", "2031-01-01"),  # 16 on issue: 5 birthdays
        ("2008-12-07", "2026-12-07", "2036-12-07", "2031-12-07"),  # 18 that very day
        ("2008-12-08", "2026-12-07", "2030-12-08", "2030-12-08"),  # 18 the next day
        ("2000-02-29", "2026-12-07", "2036-02-29", "2031-02-28"),  # 29 February
    ],
)
def test_expiry_dates_follow_the_public_rules(
    birth: str, issued: str, card: str, certificates: str
) -> None:
    born, on = dt.date.fromisoformat(birth), dt.date.fromisoformat(issued)
    assert card_expiry(born, on).isoformat() == card
    assert certificate_expiry(born, on).isoformat() == certificates


@given(
    birth=st.dates(dt.date(1900, 1, 1), dt.date(2030, 12, 31)),
    gap=st.integers(0, 120 * 366),
)
def test_an_expiry_is_the_nth_birthday_after_issue(birth: dt.date, gap: int) -> None:
    issued = birth + dt.timedelta(days=gap)
    expiry = card_expiry(birth, issued)
    n = 10 if birthdays.age_on(birth, issued) >= 18 else 5
    passed = [
        birthdays.birthday_in(year, birth)
        for year in range(issued.year, expiry.year + 1)
        if issued < birthdays.birthday_in(year, birth) <= expiry
    ]
    assert len(passed) == n
    assert passed[-1] == expiry


def test_the_api_steps_go_through_the_state_machine(network: EmbeddedNetwork) -> None:
    _rid, entry = held_person(network)
    answer = contractor(network).post("/card/applications", json=application(entry.application_id))
    assert answer.status_code == 201, answer.text
    with network.node(CARD).db.session() as session:
        commissioned = session.get(CardFileEntry, entry.id)
        assert commissioned is not None
    send_from_contractor(network, [made_record(commissioned, expires_on="2036-01-01")])
    assert made_answers(network)[-1]["refused_code"] == "invalid_input"  # not the rules' date
    run_line(network)
    with network.node(CARD).db.session() as session:
        history = session.scalars(
            select(CardEvent).where(CardEvent.entry_id == entry.id).order_by(CardEvent.id)
        ).all()
        stored = session.get(CardFileEntry, entry.id)
        assert stored is not None
        assert stored.expires_on == card_expiry(dt.date(2026, 11, 1), stored.issued_at.date())
    assert [(e.from_state, e.to_state) for e in history] == [
        ("registered", "application_received"), ("application_received", "issued"),
    ]  # fmt: skip
    assert all(e.actor for e in history)
