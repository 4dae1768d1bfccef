"""委託先従事者名簿 (000 OUT-02, OUT-03): a contractor's system acts only for the named
operators J-LIS listed for the duty; anyone else is refused (403, field `operator`) with
nothing changed and the refusal in the exchange record; J-LIS adds and removes people,
and who did it and when is kept."""

from __future__ import annotations

from sqlalchemy import select

from juki.card.models import ContractorStaff
from juki.network.embedded import EmbeddedNetwork
from tests.card.helpers import (
    CARD,
    application,
    as_operator,
    client_id_of,
    contractor,
    entries,
    exchanges,
    jlis,
)
from tests.card.test_applications import registered

STAFF = "/card/contractor-staff"


def test_an_operator_not_on_the_roster_is_refused_and_nothing_changes(
    network: EmbeddedNetwork,
) -> None:
    entry = registered(network)
    unlisted = as_operator(network, contractor(network), "receipt-op-99")
    answer = unlisted.post("/card/applications", json=application(entry.application_id))
    assert answer.status_code == 403
    assert (answer.json()["field"], answer.json()["code"]) == ("operator", "not_on_roster")
    [stored] = [e for e in entries(network) if e.id == entry.id]
    assert (stored.status, stored.application_received_at) == ("registered", None)
    [logged] = [x for x in exchanges(network) if x.kind == "application"]
    assert (logged.key, logged.operator, logged.result) == (
        entry.application_id, "receipt-op-99", "refused:not_on_roster",
    )  # fmt: skip


def test_jlis_keeps_the_roster_with_who_and_when(network: EmbeddedNetwork) -> None:
    entry = registered(network)
    receipt = contractor(network)  # receipt-op-01 is listed by the helper
    client_id = client_id_of(receipt)
    office = jlis(network)
    newcomer = {
        "client_id": client_id, "operator": "receipt-op-02", "person_name": "受付\u3000次郎",
        "duty": "card_applications",
    }  # fmt: skip
    second = as_operator(network, receipt, "receipt-op-02")
    form = application(entry.application_id)
    assert second.post("/card/applications", json=form).status_code == 403

    added = office.post(STAFF, json=newcomer)
    assert added.status_code == 201, added.text
    assert (added.json()["added_by"], added.json()["removed_at"]) == (
        f"jlis-op-01@{client_id_of(office)}", None,
    )  # fmt: skip
    assert second.post("/card/applications", json=form).status_code == 201

    for body, status, field in (
        (newcomer, 409, "operator"),  # already listed
        (newcomer | {"duty": "card_print"}, 422, "duty"),  # a duty the client lacks
        (newcomer | {"duty": "statistics"}, 422, "duty"),  # not a contractor duty
        (newcomer | {"client_id": "system:nobody"}, 404, "client_id"),
        (newcomer | {"operator": " "}, 422, "operator"),
        (newcomer | {"person_name": ""}, 422, "person_name"),
    ):
        answer = office.post(STAFF, json=body)
        assert answer.status_code == status, (body, answer.text)
        assert field in answer.text
    assert receipt.post(STAFF, json=newcomer).status_code == 403  # not the contractor's to do

    removed = office.delete(f"{STAFF}/{added.json()['id']}")
    assert removed.status_code == 200, removed.text
    assert removed.json()["removed_at"] is not None
    assert office.delete(f"{STAFF}/{added.json()['id']}").status_code == 409
    assert office.delete(f"{STAFF}/999999").status_code == 404
    again = second.post("/card/applications", json=application(registered(network).application_id))
    assert (again.status_code, again.json()["field"]) == (403, "operator")

    roster = office.get(STAFF, params={"client_id": client_id}).json()
    assert [(p["operator"], p["removed_at"] is not None) for p in roster] == [
        ("receipt-op-01", False), ("receipt-op-02", True),
    ]  # fmt: skip
    with network.node(CARD).db.session() as session:  # the removed row stays, stamped
        kept = session.scalars(
            select(ContractorStaff).where(ContractorStaff.client_id == client_id)
        )
        assert [p.removed_by for p in kept] == [None, f"jlis-op-01@{client_id_of(office)}"]
