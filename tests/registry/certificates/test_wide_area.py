"""住民票の写しの広域交付 (住基法 第12条の4): asked at any municipality's counter, answered
by the home municipality through both CSs, refused for a person under 支援措置."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from juki.core.clock import japan_today
from juki.core.errors import Conflict
from juki.network.embedded import EmbeddedNetwork
from juki.registry.certificates import wide_area
from juki.registry.certificates.schemas import WideAreaAsk
from juki.registry.support import service as support
from juki.registry.support.schemas import SupportRequest
from tests.conftest import born, resident
from tests.registry.helpers import run


def test_wide_area_copy_is_fetched_from_the_home_municipality(network: EmbeddedNetwork) -> None:
    home, here = "112011", "131075"
    rid = born(network, home, address="埼玉県川越市元町一丁目1番1号")
    code = resident(network, home, rid).resident_code
    ask = WideAreaAsk(home_lg_code=home, resident_code=code)
    request_id = run(network, wide_area.ask, ask, lg=here)
    network.pump()
    assert run(network, wide_area.status, request_id, lg=here).status == "received"
    issued = run(network, wide_area.issue, request_id, "kakari", "counter-01", lg=here)
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(issued.pdf)).pages)
    assert "広域交付" in text
    assert "墨田区長" in text  # issued where the person asked
    assert "墨田　花子" in text
    assert "本籍" not in text
    assert "個人番号" not in text
    with pytest.raises(Conflict):
        run(network, wide_area.issue, request_id, "kakari", "counter-01", lg=here)


def test_wide_area_refuses_a_supported_person_for_their_household(
    sqlite_network: EmbeddedNetwork,
) -> None:
    home, here = "112011", "131075"
    rid = born(sqlite_network, home, address="埼玉県川越市元町一丁目1番1号")
    code = resident(sqlite_network, home, rid).resident_code
    measure = SupportRequest(kind="dv", starts_on=japan_today(), registered_by="x")
    run(sqlite_network, support.register_measure, rid, measure, lg=home)
    ask = WideAreaAsk(home_lg_code=home, resident_code=code, requester_kind="household")
    request_id = run(sqlite_network, wide_area.ask, ask, lg=here)
    sqlite_network.pump()
    record = run(sqlite_network, wide_area.status, request_id, lg=here)
    assert (record.status, record.error_code) == ("refused", "support_measure")
    refusals = run(sqlite_network, lambda uow: support.refusals(uow), lg=home)
    assert [(r.action, r.reason) for r in refusals] == [("wide_area", "support_measure")]
