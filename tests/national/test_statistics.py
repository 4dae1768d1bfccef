"""J-LIS's statistics at the national server (000 P2.6, NOMATCH-01): provisions per body
and duty (records, persons, those carrying the 住民票コード) and updates per prefecture and
異動事由 in a month — counts only, refused provisions and other months left out."""

from __future__ import annotations

import datetime as dt

from juki.core.clock import JST
from juki.network.embedded import EmbeddedNetwork
from tests.conftest import born
from tests.duties.provision.test_provision_api import FOUR, body_client

THIS_MONTH = dt.datetime.now(JST).strftime("%Y-%m")


def test_a_month_of_provisions_and_updates_is_counted_and_names_nobody(
    network: EmbeddedNetwork,
) -> None:
    born(network)
    born(network, name_kana="スミダ　タロウ", name_kanji="墨田\u3000太郎", sex="1")
    nenkin = body_client(network, "national", "nenkin")
    assert nenkin.post("/national/provision", json={"duty": "pension_benefits", **FOUR}).is_success
    refused = nenkin.post("/national/provision", json={"duty": "local_tax", **FOUR})
    assert refused.status_code == 403  # recorded, but no provision: not counted
    clerk = body_client(network, "national", "jlis-stat", {"statistics": "read"})
    answer = clerk.get(f"/national/statistics?month={THIS_MONTH}")
    assert answer.status_code == 200, answer.text
    counted = answer.json()
    assert counted["provisions"] == [
        {"body_code": "nenkin", "duty_code": "pension_benefits", "provisions": 1, "persons": 1,
         "with_resident_code": 1},
    ]  # fmt: skip
    births = [u for u in counted["updates"] if u["change_reason"] == "birth"]
    assert births == [{"prefecture_code": "13", "change_reason": "birth", "updates": 2}]
    assert "スミダ" not in answer.text
    assert "墨田" not in answer.text
    earlier = clerk.get("/national/statistics?month=2001-01").json()
    assert (earlier["provisions"], earlier["updates"]) == ([], [])


def test_a_bad_month_or_a_caller_without_the_right_is_refused(
    sqlite_network: EmbeddedNetwork,
) -> None:
    clerk = body_client(sqlite_network, "national", "jlis-stat", {"statistics": "read"})
    bad = clerk.get("/national/statistics?month=2026-13")
    assert (bad.status_code, bad.json()["field"]) == (422, "month")
    nenkin = body_client(sqlite_network, "national", "nenkin")
    assert nenkin.get(f"/national/statistics?month={THIS_MONTH}").status_code == 403
