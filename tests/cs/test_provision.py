"""The CS's provision record and provision-destination master (001a XFER-2-1, XFER-2-2):
every send of 本人確認情報 onward is recorded (who sent it, to whom, why, under which
article, which items, how, about whom by 住民票コード), a destination not in the master is
refused and the refusal recorded, the master refuses a bad row naming file, line and
column, and the records are kept 5 years."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from sqlalchemy import func, select

from juki.core.clock import japan_today
from juki.core.errors import InvalidInput
from juki.core.messages import MessageType, MoveInNotice
from juki.core.messaging.tables import outbox
from juki.cs import destinations, handlers, provision
from juki.cs.models import SCHEMA
from juki.duties.retention import engine
from juki.duties.search import ProvisionLog
from juki.network.embedded import EmbeddedNetwork
from tests.conftest import born, resident

LG = "131075"
NODE = f"cs:{LG}"
HEADER = "destination,destination_name,message,purpose,legal_basis,items,source\n"


def records(network: EmbeddedNetwork) -> list[ProvisionLog]:
    with network.node(NODE).db.session() as session:
        rows = list(session.scalars(select(ProvisionLog).order_by(ProvisionLog.id)))
        session.expunge_all()
        return rows


def outbox_count(network: EmbeddedNetwork, recipient: str) -> int:
    with network.node(NODE).db.session() as session:
        query = select(func.count()).select_from(outbox).where(outbox.c.recipient == recipient)
        return int(session.scalar(query) or 0)


def move_in_notice(code: str, former: str) -> dict[str, Any]:
    """A 転入通知 from 墨田区's registry to the former municipality, through our CS."""
    notice = MoveInNotice(
        resident_code=code, former_lg_code=former, new_lg_code=LG,
        address="東京都墨田区吾妻橋一丁目2番3号", moved_in_on=japan_today(),
    )  # fmt: skip
    return notice.model_dump(mode="json")


def relay(network: EmbeddedNetwork, raw: dict[str, Any]) -> list[tuple[str, str]]:
    envelope = SimpleNamespace(sender=f"registry:{LG}", type=MessageType.MOVE_IN_NOTICE)
    with network.node(NODE).unit_of_work() as uow:
        handlers.relay_between_municipalities(uow, envelope, [raw])  # type: ignore[arg-type]
        return list(uow._pending)


def test_a_notice_to_the_prefecture_is_in_the_provision_record(network: EmbeddedNetwork) -> None:
    code = resident(network, LG, born(network)).resident_code
    (entry,) = [r for r in records(network) if r.duty_code == MessageType.IDENTITY_UPDATE]
    assert (entry.body_code, entry.requester) == ("prefecture:13", f"registry:{LG}")
    assert entry.legal_basis == "住基法第30条の6第1項"
    assert entry.purpose == "本人確認情報の通知"
    assert entry.operator not in (None, "", "-")
    assert entry.terminal not in (None, "", "-")
    assert (entry.kind, entry.method, entry.refused_reason) == ("provision", "online", None)
    assert "individual_number" in (entry.items or "").split(";")
    assert json.loads(entry.targets or "[]") == [code]  # 住民票コード, never the 個人番号
    assert entry.result_count == 1
    assert entry.at is not None


def test_a_relay_to_another_municipality_is_recorded(network: EmbeddedNetwork) -> None:
    code = resident(network, LG, born(network)).resident_code
    assert relay(network, move_in_notice(code, "131016")) == [
        ("cs:131016", MessageType.MOVE_IN_NOTICE)
    ]
    entry = records(network)[-1]
    assert (entry.body_code, entry.duty_code) == ("cs:131016", MessageType.MOVE_IN_NOTICE)
    assert (entry.purpose, entry.legal_basis) == ("転入通知", "住基法第9条第1項")
    assert json.loads(entry.targets or "[]") == [code]
    assert entry.refused_reason is None


def test_a_destination_not_in_the_master_is_refused_and_recorded(
    network: EmbeddedNetwork,
) -> None:
    code = resident(network, LG, born(network)).resident_code
    before = outbox_count(network, "cs:271004")
    assert relay(network, move_in_notice(code, "271004")) == []  # 大阪市: not in the master
    assert outbox_count(network, "cs:271004") == before == 0
    entry = records(network)[-1]
    assert (entry.body_code, entry.duty_code) == ("cs:271004", MessageType.MOVE_IN_NOTICE)
    assert entry.refused_reason == provision.NOT_IN_MASTER
    assert (entry.result_count, entry.legal_basis, entry.items) == (0, None, "")


def test_reconciliation_data_is_recorded_per_destination(network: EmbeddedNetwork) -> None:
    code = resident(network, LG, born(network)).resident_code
    with network.node(NODE).unit_of_work() as uow:
        handlers.start_reconcile(uow)
    sent = [r for r in records(network) if r.duty_code == MessageType.CONSISTENCY_CHECK]
    assert sorted(r.body_code or "" for r in sent) == ["card", "national", "prefecture:13"]
    assert all(json.loads(r.targets or "[]") == [code] for r in sent)
    assert all(r.legal_basis and r.refused_reason is None for r in sent)


def test_the_shipped_master_loads_and_lists_only_network_nodes() -> None:
    rows = destinations.parse(destinations.SHIPPED)
    assert rows
    roles = {r.destination.split(":")[0] for r in rows}
    assert roles == {"national", "prefecture", "cs", "card"}
    assert destinations.find("prefecture:13", MessageType.IDENTITY_UPDATE) is not None
    assert destinations.find("cs:131016", MessageType.NUMBER_REQUEST) is None


@pytest.mark.parametrize(
    ("row", "column"),
    [("cs:131016,千代田区,no.such,目的,住基法,resident_code,x", "message"),
     ("city:131016,千代田区,movein.notice,目的,住基法,resident_code,x", "destination"),
     ("cs:131016,千代田区,movein.notice,目的,住基法,religion,x", "items"),
     ("cs:131016,千代田区,movein.notice,目的,,resident_code,x", "legal_basis")],
    ids=["message", "destination", "items", "legal_basis"],
)  # fmt: skip
def test_a_bad_master_row_is_refused_naming_file_line_and_column(
    tmp_path: Path, row: str, column: str
) -> None:
    path = tmp_path / "extra.csv"
    good = "cs:112038,川口市,movein.notice,転入通知,住基法第9条第1項,resident_code,x\n"
    path.write_text("# a comment line\n" + HEADER + good + row + "\n", encoding="utf-8")
    with pytest.raises(InvalidInput) as bad:
        destinations.parse(path)
    assert bad.value.field == column
    assert f"{path}:4: {column}:" in bad.value.message


def test_extra_rows_come_from_the_files_in_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "osaka.csv"
    path.write_text(
        HEADER + "cs:271004,大阪市（市町村CS）,movein.notice,転入通知,住基法第9条第1項,"
        "resident_code;address,local\n",
        encoding="utf-8",
    )
    assert destinations.find("cs:271004", MessageType.MOVE_IN_NOTICE) is None
    monkeypatch.setenv("JUKI_CS_DESTINATIONS", str(path))
    found = destinations.find("cs:271004", MessageType.MOVE_IN_NOTICE)
    assert found is not None
    assert found.items == ("resident_code", "address")


def test_provision_records_are_kept_five_years(network: EmbeddedNetwork) -> None:
    (rule,) = [r for r in engine.rules_for("cs") if r.table == "provision_log"]
    assert (rule.years, rule.clock, rule.never) == (5, "at", False)
    born(network)
    assert records(network)
    now = dt.datetime.now(dt.UTC)
    node = network.node(NODE)
    for years, left in ((4.9, True), (5.1, False)):
        with node.unit_of_work() as uow:
            at = now + dt.timedelta(days=365.25 * years)
            done = {p.rule: p for p in engine.purge(uow.session, "cs", SCHEMA, at)}
            assert "提供の記録" in done
            assert (done["提供の記録"].erased == 0) == left
        assert bool(records(network)) == left
