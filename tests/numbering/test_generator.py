"""000 F1-ACQ-01, F1-ACQ-05: the generator itself refuses a change whose old number is not
the code's latest, whether superseded or another code's (the second check, after the
national server's)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from juki.core.crypto import keyed_digits
from juki.core.errors import Conflict, NotFound
from juki.core.ids import new_resident_code_body, resident_code_from_body
from juki.network.embedded import EmbeddedNetwork
from juki.network.server import network_app
from juki.numbering import service
from juki.numbering.models import GeneratedNumber, IndividualNumberEntry
from juki.numbering.service import COLUMN, NumberGenerator
from tests.national.helpers import number_of, numbered_person
from tests.routes import mounted, route_table


def test_generator_refuses_a_change_whose_old_number_is_not_the_latest(
    network: EmbeddedNetwork,
) -> None:
    rid, code = numbered_person(network)
    first = number_of(network, rid)
    node = network.node("numbering")
    with node.unit_of_work() as uow:
        second, _ = NumberGenerator(uow.session, node.keys, node.secret).change(code, first)
    assert second != first

    with pytest.raises(Conflict) as refused, node.unit_of_work() as uow:
        NumberGenerator(uow.session, node.keys, node.secret).change(code, first)
    assert (refused.value.code, refused.value.field) == ("number_mismatch", "old_individual_number")
    with node.db.session() as session:
        latest = NumberGenerator(session, node.keys, node.secret).latest(code)
        assert latest is not None
        assert node.keys.decrypt(latest.individual_number_cipher, column="individual_number") == (
            second
        )


def test_generator_refuses_a_change_naming_another_code_s_number(
    network: EmbeddedNetwork,
) -> None:
    """The old number must be this code's: another person's latest number is refused, and
    neither person's File 1 rows change."""
    rid, code = numbered_person(network)
    other_rid, other_code = numbered_person(network)
    mine, theirs = number_of(network, rid), number_of(network, other_rid)
    assert mine != theirs
    node = network.node("numbering")
    with pytest.raises(Conflict) as refused, node.unit_of_work() as uow:
        NumberGenerator(uow.session, node.keys, node.secret).change(code, theirs)
    assert (refused.value.code, refused.value.field) == ("number_mismatch", "old_individual_number")
    with node.db.session() as session:
        generator = NumberGenerator(session, node.keys, node.secret)
        for person, number in ((code, mine), (other_code, theirs)):
            rows = session.scalars(
                select(IndividualNumberEntry).where(IndividualNumberEntry.resident_code == person)
            ).all()
            assert len(rows) == 1
            latest = generator.latest(person)
            assert latest is not None
            assert node.keys.decrypt(latest.individual_number_cipher, column=COLUMN) == number


def test_generator_refuses_a_change_for_a_code_without_a_number(
    network: EmbeddedNetwork,
) -> None:
    rid, code = numbered_person(network)
    node = network.node("numbering")
    with pytest.raises(NotFound) as refused, node.unit_of_work() as uow:
        NumberGenerator(uow.session, node.keys, node.secret).change(
            code[:-1] + str((int(code[-1]) + 1) % 10), number_of(network, rid)
        )
    assert refused.value.field == "resident_code"


def test_the_generator_serves_no_route_that_reads_its_file(
    sqlite_network: EmbeddedNetwork,
) -> None:
    """000 F1-PRV-03 (the software's share): nothing reaches File 1 but signed envelopes
    from the national server; there is no API, console or export route on the generator."""
    app = mounted(network_app(sqlite_network), "/numbering")
    paths = {path for _method, path in route_table(app)}
    assert "/messages" in paths  # the table is read (this test can fail)
    assert paths - {"/messages", "/health"} <= {
        "/docs",
        "/docs/oauth2-redirect",
        "/openapi.json",
        "/redoc",
    }


def test_a_number_drawn_equal_to_an_invalidated_one_is_never_issued(
    network: EmbeddedNetwork, monkeypatch: pytest.MonkeyPatch
) -> None:
    """000 F1-ACQ-06: the keyed derivation is forced to draw a number changed away from
    (invalidated, kept only in the ledger and as File 1 history), for a first generation
    and for a change; the ledger turns both to the next tweak, so it is never issued."""
    rid, code = numbered_person(network)
    invalidated = number_of(network, rid)
    node = network.node("numbering")
    with node.unit_of_work() as uow:
        NumberGenerator(uow.session, node.keys, node.secret).change(code, invalidated)
    newcomer = resident_code_from_body(new_resident_code_body())
    forced = {f"{newcomer}:0", f"{code}:2"}  # the first draw of each
    drawn: list[str] = []

    def colliding(key: bytes, message: str, digits: int) -> str:
        drawn.append(message)
        return invalidated[:11] if message in forced else keyed_digits(key, message, digits)

    monkeypatch.setattr(service, "keyed_digits", colliding)
    with node.unit_of_work() as uow:
        generator = NumberGenerator(uow.session, node.keys, node.secret)
        latest = generator.latest(code)
        assert latest is not None
        current = node.keys.decrypt(latest.individual_number_cipher, column=COLUMN)
        first, _ = generator.generate(newcomer)
        changed, _ = generator.change(code, current)
    assert forced <= set(drawn)  # the collision was drawn (this test can fail)
    assert invalidated not in (first, changed)
    assert {f"{newcomer}:1", f"{code}:3"} <= set(drawn)  # each took the next tweak
    index = node.keys.blind_index(invalidated, column=COLUMN)
    with node.db.session() as session:
        holders = session.scalars(
            select(IndividualNumberEntry.resident_code).where(
                IndividualNumberEntry.individual_number_index == index
            )
        ).all()
        assert session.get(GeneratedNumber, index) is not None
    assert holders == [code]  # only its own history row: issued once, never again
