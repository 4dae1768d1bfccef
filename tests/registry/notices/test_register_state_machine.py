"""Hypothesis drives random sequences of 届出 against one municipality's register and checks
its invariants after every step:

- one current row per person (no resident code current twice);
- every resident in exactly one current household, which has exactly one 世帯主;
- a 除票 is never current (it carries its removal, and belongs to no household's members);
- history rows never change once written, and the latest one is the record as it stands;
- a 届出 that breaks a rule leaves the register exactly as it was.

At the end, every tier of 住基ネット agrees with the register (整合 0 differences).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import shutil
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
)
from sqlalchemy import select

from juki.core.clock import japan_today
from juki.core.errors import JukiError
from juki.network.embedded import EmbeddedNetwork
from juki.registry.households import service as households
from juki.registry.models import Household, Resident, ResidentHistory
from juki.registry.notices import arrivals, changes, moves, schemas
from juki.registry.residents import service as residents
from tests.conftest import make_network
from tests.e2e.test_chain import reconcile_differences
from tests.registry.helpers import INTAKE

LG = "131075"
TOPOLOGY = {"13": [LG]}
TODAY = japan_today()
ADDRESSES = [f"東京都墨田区押上一丁目{n}番1号" for n in range(1, 6)]
SURNAMES = [("押上", "オシアゲ"), ("業平", "ナリヒラ"), ("錦糸", "キンシ"), ("両国", "リョウゴク")]
GIVEN = [("一", "ハジメ"), ("花", "ハナ"), ("空", "ソラ"), ("海", "ウミ")]


class RegisterMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.network: EmbeddedNetwork | None = None
        self.seen_history: dict[tuple[int, int], str] = {}

    @initialize()
    def start(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="juki-sm-"))
        self.network = make_network(self.root, "sqlite", TOPOLOGY)
        family = [
            _person("押上　一", "オシアゲ　ハジメ", dt.date(1970, 1, 1), "1", "世帯主"),
            _person("押上　花", "オシアゲ　ハナ", dt.date(1972, 2, 2), "2", "妻"),
        ]
        notice = schemas.HouseholdMoveInNotice(
            intake=INTAKE, change_date=TODAY, origin="abroad", address=ADDRESSES[0], members=family
        )
        self.attempt(arrivals.record_household_move_in, notice)

    def has_people(self) -> bool:
        return self.network is not None and bool(self.current())

    def teardown(self) -> None:
        if self.network is not None:
            self.network.pump()
            try:
                assert reconcile_differences(self.network) == 0
            finally:
                self.network.close()
                shutil.rmtree(self.root, ignore_errors=True)

    # --- helpers ------------------------------------------------------------------------

    def run(self, action: Any, *args: Any) -> Any:
        assert self.network is not None
        with self.network.node(f"registry:{LG}").unit_of_work() as uow:
            return action(uow, *args)

    def attempt(self, action: Any, *args: Any) -> None:
        """Run a 届出; if it is refused, the register must be exactly as before."""
        before = self.snapshot()
        try:
            self.run(action, *args)
            event(f"{action.__name__}: recorded")
        except JukiError as exc:
            event(f"{action.__name__}: refused ({exc.field})")
            assert self.snapshot() == before
        assert self.network is not None
        self.network.pump()

    def snapshot(self) -> tuple[Any, ...]:
        def read(uow: Any) -> tuple[Any, ...]:
            people = uow.session.scalars(select(Resident).order_by(Resident.id)).all()
            rows = tuple(tuple(sorted(_items(p).items())) for p in people)
            count = len(uow.session.scalars(select(ResidentHistory.id)).all())
            homes = tuple(uow.session.execute(select(Household.id, Household.status)).all())
            return rows, count, homes

        snap: tuple[Any, ...] = self.run(read)
        return snap

    def current(self) -> list[tuple[int, int, str]]:
        return self.run(
            lambda uow: [
                (r.id, r.household_id, r.relationship)
                for r in uow.session.scalars(
                    select(Resident)
                    .where(Resident.status == "resident", Resident.awaiting_number.is_(False))
                    .order_by(Resident.id)
                )
            ]
        )

    # --- rules --------------------------------------------------------------------------

    @rule(
        size=st.integers(1, 3),
        address=st.sampled_from(ADDRESSES),
        names=st.lists(
            st.tuples(st.sampled_from(SURNAMES), st.sampled_from(GIVEN)), min_size=3, max_size=3
        ),
    )
    def move_in(self, size: int, address: str, names: list[Any]) -> None:
        relations = ["世帯主", "妻", "子"]
        members = [
            {
                "name_kanji": f"{sur[0]}　{giv[0]}",
                "name_kana": f"{sur[1]}　{giv[1]}",
                "birth_date": dt.date(1950 + 20 * i, 1 + i, 10),
                "sex": "1" if i != 1 else "2",
                "relationship": relations[i],
            }
            for i, (sur, giv) in enumerate(names[:size])
        ]
        notice = schemas.HouseholdMoveInNotice(
            intake=INTAKE, change_date=TODAY, origin="abroad", address=address, members=members
        )
        self.attempt(arrivals.record_household_move_in, notice)

    @precondition(lambda self: self.has_people())
    @rule(data=st.data())
    def birth(self, data: st.DataObject) -> None:
        people = self.current()
        if not people:
            return
        _rid, household, _rel = data.draw(st.sampled_from(people))
        head = self.run(lambda uow: households.head_of(uow, household))
        address = head.address if head else ADDRESSES[0]
        notice = schemas.BirthNotice(
            change_date=TODAY, name_kanji="新生　児", name_kana="シンセイ　ジ",
            birth_date=TODAY, sex="2", address=address, household_id=household,
            relationship=data.draw(st.sampled_from(["子", "孫", "世帯主"])),
        )  # fmt: skip
        self.attempt(arrivals.record_birth, notice)

    def _effects(self, data: st.DataObject, person: int, household: int) -> dict[str, Any]:
        others = [r for r, h, _ in self.current() if h == household and r != person]
        members = data.draw(st.lists(st.sampled_from(others), unique=True)) if others else []
        relationships = {}
        if data.draw(st.booleans()) and others:
            relationships[data.draw(st.sampled_from(others))] = "世帯主"
        if data.draw(st.booleans()):
            relationships[person] = data.draw(st.sampled_from(["世帯主", "子", "妻"]))
        return {"members": members, "relationships": relationships}

    @precondition(lambda self: self.has_people())
    @rule(data=st.data(), address=st.sampled_from(ADDRESSES))
    def move_within(self, data: st.DataObject, address: str) -> None:
        people = self.current()
        if people:
            person, household, _ = data.draw(st.sampled_from(people))
            notice = schemas.MoveWithinNotice(
                intake=INTAKE,
                change_date=TODAY,
                address=address,
                **self._effects(data, person, household),
            )
            self.attempt(moves.record_move_within, person, notice)

    @precondition(lambda self: self.has_people())
    @rule(data=st.data())
    def move_out(self, data: st.DataObject) -> None:
        people = self.current()
        if people:
            person, household, _ = data.draw(st.sampled_from(people))
            notice = schemas.MoveOutNotice(intake=INTAKE,
                change_date=TODAY, destination_address="埼玉県川越市元町一丁目1番1号",
                **self._effects(data, person, household),
            )  # fmt: skip
            self.attempt(moves.record_move_out, person, notice)

    @precondition(lambda self: self.has_people())
    @rule(data=st.data())
    def death(self, data: st.DataObject) -> None:
        people = self.current()
        if people:
            person, household, _ = data.draw(st.sampled_from(people))
            effects = self._effects(data, person, household)
            notice = schemas.DeathNotice(change_date=TODAY, relationships=effects["relationships"])
            self.attempt(moves.record_death, person, notice)

    @precondition(lambda self: self.has_people())
    @rule(data=st.data(), kind=st.sampled_from(["head_change", "split", "merge"]))
    def household_change(self, data: st.DataObject, kind: str) -> None:
        people = self.current()
        if people:
            person, household, _ = data.draw(st.sampled_from(people))
            effects = self._effects(data, person, household)
            other = data.draw(st.sampled_from([h for _, h, _ in people]))
            notice = schemas.HouseholdChangeNotice(
                intake=INTAKE, change_date=TODAY, kind=kind, from_household_id=other, **effects
            )
            self.attempt(changes.change_household, household, notice)

    @precondition(lambda self: self.has_people())
    @rule(data=st.data())
    def cancel(self, data: st.DataObject) -> None:
        people = self.current()
        if people:
            person, _, _ = data.draw(st.sampled_from(people))
            notice = schemas.CancellationNotice(change_date=TODAY, reason="誤記録")
            self.attempt(changes.cancel_last_change, person, notice)

    # --- invariants -----------------------------------------------------------------------

    @invariant()
    def register_is_sound(self) -> None:
        if self.network is None:
            return
        self.run(self._check)

    def _check(self, uow: Any) -> None:
        people = uow.session.scalars(select(Resident)).all()
        current = [p for p in people if p.status == "resident"]
        codes = [p.resident_code for p in current]
        assert len(codes) == len(set(codes)), "a resident code is current twice"
        by_household: dict[int, list[Resident]] = {}
        for p in current:
            by_household.setdefault(p.household_id, []).append(p)
        for household_id, members in by_household.items():
            assert uow.session.get(Household, household_id).status == "current"
            heads = [m for m in members if m.relationship == "世帯主"]
            assert len(heads) == 1, f"household {household_id} has {len(heads)} heads"
        for p in people:
            if p.status == "removed":
                assert p.removal_kind in {"move_out", "death"}
                assert p.removed_on is not None
        for household in uow.session.scalars(select(Household)):
            if household.status == "current":
                assert household.id in by_household, "a current household with no members"
        history = uow.session.scalars(select(ResidentHistory)).all()
        latest: dict[int, ResidentHistory] = {}
        for row in history:
            key = (row.resident_id, row.version)
            digest = _digest(row)
            assert self.seen_history.setdefault(key, digest) == digest, "a history row changed"
            if row.resident_id not in latest or row.version > latest[row.resident_id].version:
                latest[row.resident_id] = row
        for p in people:
            assert p.version == latest[p.id].version
            assert _items(latest[p.id]) == _items(p), "the record differs from its last history"


def _person(kanji: str, kana: str, birth: dt.date, sex: str, rel: str) -> dict[str, Any]:
    return {
        "name_kanji": kanji,
        "name_kana": kana,
        "birth_date": birth,
        "sex": sex,
        "relationship": rel,
    }


def _items(row: Any) -> dict[str, Any]:
    return {name: getattr(row, name) for name in residents.HISTORY_ITEMS if name != "version"}


def _digest(row: ResidentHistory) -> str:
    fields = sorted((c.key, repr(getattr(row, c.key))) for c in ResidentHistory.__table__.columns)
    return hashlib.sha256(repr(fields).encode()).hexdigest()


RegisterMachine.TestCase.settings = settings(
    max_examples=25,
    stateful_step_count=20,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
test_register_invariants = RegisterMachine.TestCase
