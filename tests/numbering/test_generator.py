"""000 F1-ACQ-01, F1-ACQ-05: the generator itself refuses a change whose old number is not
the code's latest (the second check, after the national server's)."""

from __future__ import annotations

import pytest

from juki.core.errors import Conflict, NotFound
from juki.network.embedded import EmbeddedNetwork
from juki.network.server import network_app
from juki.numbering.service import NumberGenerator
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
