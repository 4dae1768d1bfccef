"""File 1 and the ledger of generated numbers cannot be erased (000 §4.1)."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, update
from sqlalchemy.exc import DatabaseError

from juki.network.embedded import EmbeddedNetwork
from juki.numbering.models import GeneratedNumber, IndividualNumberEntry
from tests.conftest import born


@pytest.mark.parametrize(
    "statement",
    [
        delete(GeneratedNumber),
        update(GeneratedNumber).values(individual_number_index="x"),
        delete(IndividualNumberEntry),
    ],
)
def test_generator_file_and_ledger_refuse_erasure(
    network: EmbeddedNetwork, statement: object
) -> None:
    born(network)
    with pytest.raises(DatabaseError), network.node("numbering").db.session() as session:
        session.execute(statement)  # type: ignore[call-overload]
    with network.node("numbering").db.session() as session:
        assert session.query(GeneratedNumber).count() == 1
        assert session.query(IndividualNumberEntry).count() == 1
