"""002 REQ-CON-03, REQ-CON-07: what the prefectural server writes for update processing
and consistency checks (the envelopes it forwards, the 整合 parts it stages) is ciphertext
at rest under the prefecture's own key, which the consignee's keys (J-LIS's nodes) cannot
open; the key is kept only in the node's secrets file, not in the database the consignee
operates; and a contractor's staff can be granted no right at the prefecture that reads
the file."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
from cryptography.exceptions import InvalidTag
from sqlalchemy import select

from juki.core import consistency
from juki.core.consistency import ConsistencyStaging
from juki.core.messaging import tables
from juki.cs import service as cs_service
from juki.duties.operators.duties import duties_for
from juki.network.embedded import EmbeddedNetwork
from juki.prefecture.models import PrefectureIdentityRow
from tests.conftest import born, resident
from tests.national.helpers import number_of

PREF_NODE = "prefecture:13"
NAME = "墨田\u3000花子"


def clear_forms(network: EmbeddedNetwork, rid: int) -> list[bytes]:
    """What must never appear in clear: the person's 住民票コード, name and 個人番号."""
    code = resident(network, "131075", rid).resident_code
    return [code.encode(), NAME.encode(), number_of(network, rid).encode()]


def stage_first_part(network: EmbeddedNetwork, monkeypatch: pytest.MonkeyPatch) -> None:
    """A CS's 整合 data in parts of one record; the prefecture receives the first part,
    which it keeps staged until the last part arrives."""
    monkeypatch.setattr(consistency, "PART_SIZE", 1)
    with network.node("cs:131075").db.session() as session:
        first = cs_service.consistency_parts(session, network.node("cs:131075").keys, "131075")[0]
    assert not first["last_part"]
    node = network.node(PREF_NODE)
    with node.unit_of_work() as uow:
        staged = consistency.answer_consistency(
            uow.session, PrefectureIdentityRow, node.keys, node.node_id, first
        )
    assert staged is None


def test_files_for_update_and_consistency_processing_are_ciphertext(
    network: EmbeddedNetwork, monkeypatch: pytest.MonkeyPatch
) -> None:
    rid = born(network)  # forwarded to the national server: an update in the outbox
    born(network, name_kana="スミダ\u3000タロウ", sex="1")
    stage_first_part(network, monkeypatch)
    node = network.node(PREF_NODE)
    with node.db.session() as session:
        staged = session.scalars(select(ConsistencyStaging.records_cipher)).all()
        outbox = session.scalars(
            select(tables.outbox.c.envelope).where(tables.outbox.c.recipient == "national")
        ).all()
    assert staged
    assert outbox
    secrets = clear_forms(network, rid)
    for stored in [*staged, *outbox]:
        assert not [s for s in secrets if s in bytes(stored)]
    # The bytes are the real content under the prefecture's key (the test reads the right
    # thing), and the consignee's key material (J-LIS's nodes') cannot open them.
    opened = json.loads(node.keys.decrypt(staged[0], column="consistency_staging"))
    assert opened[0]["resident_code"].isdigit()
    assert any(s in node.open_at_rest(e) for e in outbox for s in secrets)
    for consignee in ("national", "numbering"):
        with pytest.raises(InvalidTag):
            network.node(consignee).keys.decrypt(staged[0], column="consistency_staging")
        with pytest.raises(InvalidTag):
            network.node(consignee).open_at_rest(outbox[0])


def test_the_key_is_only_in_the_secrets_file(sqlite_network: EmbeddedNetwork) -> None:
    born(sqlite_network)
    root = sqlite_network.home.root
    key_file = root / "secrets" / "prefecture_13.key"
    assert key_file.stat().st_mode & 0o777 == 0o600  # readable by the node's own account only
    keys = sqlite_network.node(PREF_NODE).keys
    forms = [keys.encryption_key, base64.b64encode(keys.encryption_key).rstrip(b"=")]
    forms.append(base64.urlsafe_b64encode(keys.encryption_key).rstrip(b"="))
    database = [p for p in (root / "data").glob("prefecture_13.db*") if p.is_file()]
    assert database
    for path in database:
        raw = Path(path).read_bytes()
        assert not [f for f in forms if f in raw], path


def test_a_contractor_can_hold_no_right_at_the_prefecture() -> None:
    """The rights table: no prefecture duty may go to a contractor's staff (rights.py
    refuses the request, tested in tests/duties/operators/test_accounts.py)."""
    duties = duties_for("prefecture")
    assert {"identity_inquiry", "consistency_check", "manual_correction"} <= {
        d.code for d in duties
    }
    assert [d.code for d in duties if "prefecture" in d.contractor_roles] == []
