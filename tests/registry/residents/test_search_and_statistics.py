"""The counter's search (清音 folding, prefixes, a cap, no empty search) and the statistics."""

from __future__ import annotations

import datetime as dt

import pytest

from juki.core.clock import japan_today
from juki.core.errors import InvalidInput
from juki.network.embedded import EmbeddedNetwork
from juki.registry.notices import moves, schemas
from juki.registry.residents import statistics
from juki.registry.residents.schemas import ResidentQuery
from juki.registry.residents.search import search_residents
from tests.registry.helpers import household_of, move_in_family, notice, run


def names(network: EmbeddedNetwork, **query: object) -> list[str]:
    found, _capped = run(
        network, lambda uow: search_residents(uow, ResidentQuery.model_validate(query))
    )
    return [r.name_kanji for r in found]


def test_kana_search_folds_voicing_and_script(network: EmbeddedNetwork) -> None:
    move_in_family(network)  # ムコウジマ
    assert set(names(network, name_kana="むこうしま")) == {"向島　一郎", "向島　和子", "向島　健太"}
    assert names(network, name_kana="ムコウジマ　カズ") == ["向島　和子"]
    assert names(network, name_kana="むこうじま", birth_date=dt.date(2012, 1, 20)) == ["向島　健太"]
    assert names(network, address="東京都墨田区向島") != []
    assert names(network, name_kana="すみだ") == []


def test_removed_records_are_found_only_when_asked(sqlite_network: EmbeddedNetwork) -> None:
    *_, child = move_in_family(sqlite_network)
    run(
        sqlite_network,
        moves.record_death,
        child,
        schemas.DeathNotice(**notice()),
    )
    assert "向島　健太" not in names(sqlite_network, name_kana="ムコウジマ")
    assert "向島　健太" in names(sqlite_network, name_kana="ムコウジマ", include_removed=True)


@pytest.mark.parametrize(
    ("query", "field"),
    [({}, "name_kana"), ({"name_kana": "abc"}, "name_kana"), ({"address": "東京"}, "address")],
)
def test_bad_searches_name_the_field(
    sqlite_network: EmbeddedNetwork, query: dict[str, object], field: str
) -> None:
    with pytest.raises(InvalidInput) as err:
        names(sqlite_network, **query)
    assert err.value.field == field


def test_population_and_monthly_changes(sqlite_network: EmbeddedNetwork) -> None:
    head, *_ = move_in_family(sqlite_network)
    pop = run(sqlite_network, statistics.population)
    assert pop.total == 3
    assert pop.households == 1
    (town,) = pop.towns
    assert town.town == "東京都墨田区向島一丁目"
    assert (town.male, town.female) == (2, 1)
    assert pop.age_bands["0〜14歳"]["1"] == 1  # the child born 2012
    month = f"{japan_today():%Y-%m}"
    monthly = run(sqlite_network, statistics.monthly_changes)
    assert monthly[month]["move_in_from_abroad"] == 3
    assert household_of(sqlite_network, head)
