"""000 F1-PRV-01: each 個人番号 notified to a mayor is recorded (time, operator, terminal),
refusals included, and the record is kept 7 years, then erased by the retention job."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from juki.duties.retention import engine
from juki.national.models import SCHEMA, NumberNotice
from juki.network.embedded import EmbeddedNetwork
from tests.national.helpers import (
    number_of,
    number_request,
    numbered_person,
    send_requests,
)


def all_notices(network: EmbeddedNetwork) -> list[NumberNotice]:
    with network.node("national").db.session() as session:
        rows = list(session.scalars(select(NumberNotice).order_by(NumberNotice.id)))
        session.expunge_all()
        return rows


def test_each_number_relayed_to_a_mayor_is_recorded(network: EmbeddedNetwork) -> None:
    before = dt.datetime.now(dt.UTC)
    rid, code = numbered_person(network)
    [notice] = all_notices(network)
    at = notice.at if notice.at.tzinfo else notice.at.replace(tzinfo=dt.UTC)
    assert at >= before - dt.timedelta(seconds=1)
    assert (notice.kind, notice.lg_code, notice.resident_code) == ("generate", "131075", code)
    assert (notice.recipient, notice.terminal) == ("cs:131075", "cs:131075")
    assert notice.operator == "counter"  # the clerk whose 出生 asked for the number
    assert notice.refused_reason is None
    number = number_of(network, rid)
    assert number not in " ".join(str(v) for v in vars(notice).values())


def test_a_refusal_by_the_generator_is_recorded_with_its_reason(network: EmbeddedNetwork) -> None:
    rid, code = numbered_person(network)
    number = number_of(network, rid)
    # Two changes naming the same number, sent before the first result came back: the
    # national server admits both; the generator changes once and refuses the second.
    first, second = (
        number_request(code, kind="change", old_individual_number=number) for _ in range(2)
    )
    send_requests(network, [first, second])

    by_request = {n.request_id: n for n in all_notices(network)}
    assert by_request[first["request_id"]].refused_reason is None
    assert by_request[second["request_id"]].refused_reason == "number_mismatch"
    assert by_request[second["request_id"]].operator == "clerk-0001"


def test_notices_are_kept_seven_years_then_erased(network: EmbeddedNetwork) -> None:
    numbered_person(network)
    node = network.node("national")
    now = dt.datetime.now(dt.UTC)

    def purge_after(years: float) -> int:
        with node.unit_of_work() as uow:
            done = engine.purge(
                uow.session, "national", SCHEMA, now + dt.timedelta(days=365.25 * years)
            )
        [purged] = [p for p in done if p.table == "number_notices"]
        return purged.erased

    assert purge_after(6.9) == 0
    assert len(all_notices(network)) == 1
    assert purge_after(7.1) == 1
    with node.db.session() as session:
        assert session.scalar(select(func.count()).select_from(NumberNotice)) == 0
