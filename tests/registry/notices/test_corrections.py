"""職権修正 under two-person control: entered, confirmed by another clerk, approved by a
named supervisor; no one takes two steps; nothing changes before approval."""

from __future__ import annotations

import pytest

from juki.core.errors import Refused
from juki.network.embedded import EmbeddedNetwork
from juki.registry.models import CorrectionRequest, Resident
from juki.registry.notices import corrections, schemas
from tests.e2e.test_chain import reconcile_differences
from tests.registry.helpers import FAMILY, move_in_family, notice, run
from tests.staff import CLERK, CLERK2, READER, SUPERVISOR, Staff, staff_on


def staff(network: EmbeddedNetwork) -> None:
    staff_on(network.node("registry:131075"))


def proposal(name: str) -> schemas.CorrectionProposal:
    return schemas.CorrectionProposal(
        correction=schemas.CorrectionNotice(**notice(), name_kanji=name),
        reason="戸籍謄本と照合し誤記を確認",
    )


def test_a_correction_needs_a_second_clerk_and_a_supervisor(network: EmbeddedNetwork) -> None:
    staff(network)
    (rid,) = move_in_family(network, FAMILY[:1])
    request_id = run(network, corrections.propose, rid, proposal("向嶋　一郎"), CLERK.login)
    unchanged = run(network, lambda uow: uow.session.get(Resident, rid).name_kanji)
    assert unchanged == "向島　一郎"

    with pytest.raises(Refused) as same:
        run(network, corrections.confirm, request_id, CLERK.login)
    assert same.value.field == "clerk_login"
    run(network, corrections.confirm, request_id, CLERK2.login)
    with pytest.raises(Refused, match="承認の権限"):
        run(network, corrections.approve, request_id, CLERK2.login)
    run(network, corrections.approve, request_id, SUPERVISOR.login)
    network.pump()

    person = run(network, lambda uow: uow.session.get(Resident, rid))
    assert person.name_kanji == "向嶋　一郎"
    record = run(network, lambda uow: uow.session.get(CorrectionRequest, request_id))
    assert (record.requested_by, record.confirmed_by, record.approved_by) == (
        CLERK.login,
        CLERK2.login,
        SUPERVISOR.login,
    )
    assert record.status == "applied"
    assert reconcile_differences(network) == 0


CHIEF = Staff(
    "mori.shiro", "森　四郎", "T3001",
    (("resident_records", "update"), ("correction_approval", "update")),
)  # fmt: skip


def test_a_supervisor_cannot_approve_what_they_entered(sqlite_network: EmbeddedNetwork) -> None:
    staff(sqlite_network)
    staff_on(sqlite_network.node("registry:131075"), (CHIEF,))
    (rid,) = move_in_family(sqlite_network, FAMILY[:1])
    request_id = run(sqlite_network, corrections.propose, rid, proposal("甲"), CHIEF.login)
    run(sqlite_network, corrections.confirm, request_id, CLERK.login)
    with pytest.raises(Refused, match="承認できません"):
        run(sqlite_network, corrections.approve, request_id, CHIEF.login)


def test_read_only_staff_cannot_enter_a_correction(sqlite_network: EmbeddedNetwork) -> None:
    """000 ACL-01: a read-only right (照会権限のみ) does not write."""
    staff(sqlite_network)
    (rid,) = move_in_family(sqlite_network, FAMILY[:1])
    with pytest.raises(Refused, match="更新の権限") as err:
        run(sqlite_network, corrections.propose, rid, proposal("甲"), READER.login)
    assert err.value.field == "clerk_login"


def test_unknown_staff_are_refused(sqlite_network: EmbeddedNetwork) -> None:
    (rid,) = move_in_family(sqlite_network, FAMILY[:1])
    with pytest.raises(Refused) as err:
        run(sqlite_network, corrections.propose, rid, proposal("甲"), "nobody")
    assert err.value.field == "clerk_login"
