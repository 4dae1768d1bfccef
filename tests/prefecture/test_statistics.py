"""002 REQ-STAT-01: a statistics job at the prefectural server states its purpose and is
recorded with it (who, where, when); a job without a purpose is refused naming the field,
and nothing is counted."""

from __future__ import annotations

from sqlalchemy import select

from juki.core.audit.tables import audit_log
from juki.network.embedded import EmbeddedNetwork
from juki.prefecture.models import StatisticsJob
from tests.conftest import born
from tests.prefecture.helpers import PREF, staff

URL = f"/prefecture/{PREF}/statistics/residents-by-municipality"


def jobs(network: EmbeddedNetwork) -> list[StatisticsJob]:
    with network.node(f"prefecture:{PREF}").db.session() as session:
        found = list(session.scalars(select(StatisticsJob).order_by(StatisticsJob.id)))
        session.expunge_all()
        return found


def test_a_job_is_recorded_with_its_purpose(network: EmbeddedNetwork) -> None:
    born(network, "131075")
    born(network, "131075", name_kana="スミダ\u3000タロウ", sex="1")
    born(network, "131016")
    analyst = staff(network, "system:pref-stat", "tanaka.goro", {"statistics": "read"})

    answer = analyst.post(URL, json={"purpose": "防災計画のための市町村別人口の把握"})
    assert answer.status_code == 200, answer.text
    counts = {c["lg_code"]: c["residents"] for c in answer.json()["counts"]}
    assert counts == {"131016": 1, "131075": 2}
    [job] = jobs(network)
    assert (job.id, job.kind) == (answer.json()["job_id"], "residents_by_municipality")
    assert job.purpose == "防災計画のための市町村別人口の把握"
    assert (job.operator, job.terminal, job.result_rows) == ("tanaka.goro", "pref-terminal-1", 2)


def test_a_job_without_a_purpose_is_refused_naming_the_field(network: EmbeddedNetwork) -> None:
    born(network)
    analyst = staff(network, "system:pref-stat", "tanaka.goro", {"statistics": "read"})
    for body in ({}, {"purpose": "  "}):
        answer = analyst.post(URL, json=body)
        assert answer.status_code == 422, answer.text
        assert [e["field"] for e in answer.json()["errors"]] == ["purpose"]
        assert "counts" not in answer.json()
    assert jobs(network) == []
    with network.node(f"prefecture:{PREF}").db.session() as session:
        refused = session.scalars(
            select(audit_log.c.result).where(audit_log.c.function.like("POST /statistics/%"))
        ).all()
    assert "invalid_input" in refused  # the blank purpose reached the rule and was logged


def test_statistics_need_the_statistics_right(network: EmbeddedNetwork) -> None:
    other = staff(network, "system:pref-q", "sato.saburo", {"identity_inquiry": "read"})
    answer = other.post(URL, json={"purpose": "人口把握"})
    assert (answer.status_code, answer.json()["field"]) == (403, "rights")
    assert jobs(network) == []
