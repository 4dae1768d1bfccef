"""The registry API as a clerk's system would call it: bad input is refused by field,
nothing is stored, and no 個人番号 is echoed."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import func, select

from juki.network.embedded import EmbeddedNetwork
from juki.registry.models import Resident, ResidentEvent
from tests.conftest import api_client
from tests.registry.helpers import INTAKE

BIRTH = {
    "name_kanji": "墨田\u3000太郎",
    "name_kana": "スミダ\u3000タロウ",
    "birth_date": "2026-11-01",
    "sex": "1",
    "address": "東京都墨田区吾妻橋一丁目1番",
    "change_date": "2026-11-01",
}


def stored(network: EmbeddedNetwork) -> tuple[int, int]:
    with network.node("registry:131075").db.session() as session:
        residents = session.scalar(select(func.count()).select_from(Resident)) or 0
        events = session.scalar(select(func.count()).select_from(ResidentEvent)) or 0
    return residents, events


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"birth_date": "2026-02-30"}, "birth_date"),
        ({"sex": "3"}, "sex"),
        ({"name_kana": "墨田"}, "name_kana"),
        ({"postal_code": "13000"}, "postal_code"),
        ({"individual_number": "123456789018"}, "individual_number"),
    ],
)
def test_bad_birth_is_refused_by_field_and_nothing_is_stored(
    sqlite_network: EmbeddedNetwork, change: dict[str, str], field: str
) -> None:
    client = api_client(sqlite_network)
    response = client.post("/registry/131075/births", json=BIRTH | change)
    assert response.status_code == 422
    assert field in [error["field"] for error in response.json()["errors"]]
    assert "123456789018" not in response.text
    assert stored(sqlite_network) == (0, 0)


def test_move_in_with_a_wrong_check_digit_names_the_field(sqlite_network: EmbeddedNetwork) -> None:
    client = api_client(sqlite_network)
    body = BIRTH | {
        "resident_code": "24727059609",
        "individual_number": "123456789019",
        "previous_lg_code": "131016",
        "intake": INTAKE.model_dump(mode="json"),
    }
    response = client.post("/registry/131075/move-ins", json=body)
    assert response.status_code == 422
    fields = {error["field"] for error in response.json()["errors"]}
    assert {"resident_code", "individual_number"} <= fields
    assert "123456789019" not in response.text
    assert stored(sqlite_network) == (0, 0)


def test_unknown_municipality_is_refused(sqlite_network: EmbeddedNetwork) -> None:
    client = api_client(sqlite_network)
    body = BIRTH | {
        "resident_code": "24727059608",
        "individual_number": "123456789018",
        "previous_lg_code": "999997",
        "intake": INTAKE.model_dump(mode="json"),
    }
    response = client.post("/registry/131075/move-ins", json=body)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "previous_lg_code"


def test_event_contradicting_state_is_a_409(sqlite_network: EmbeddedNetwork) -> None:
    client = api_client(sqlite_network)
    assert client.post("/registry/131075/births", json=BIRTH).status_code == 201
    sqlite_network.pump()
    assert (
        client.post(
            "/registry/131075/residents/1/death", json={"change_date": "2026-11-10"}
        ).status_code
        == 201
    )
    again = client.post("/registry/131075/residents/1/death", json={"change_date": "2026-11-11"})
    assert again.status_code == 409
    assert again.json()["field"] == "resident_id"


def test_no_individual_number_in_logs_or_resident_view(
    sqlite_network: EmbeddedNetwork, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    client = api_client(sqlite_network)
    client.post("/registry/131075/births", json=BIRTH)
    sqlite_network.pump()
    view = client.get("/registry/131075/residents/1").json()
    assert view["individual_number"] == "************"
    node = sqlite_network.node("registry:131075")
    with node.unit_of_work() as uow:
        from juki.registry.residents import service as residents

        number = residents.number_of(uow, residents.get_resident(uow, 1))
    assert number not in caplog.text
