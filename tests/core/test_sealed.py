"""Names and addresses sealed in the tiers' 本人確認情報 files (002 REQ-CON-03; core/sealed.py).

The consignee who runs a tier's database sees ciphertext: the raw database files hold no
name, kana or address in clear, a consignee's own keys cannot open them, and the 4情報
search still finds people through the blind indexes."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from alembic import command
from cryptography.exceptions import InvalidTag
from sqlalchemy import create_engine, insert, inspect, select, text
from sqlalchemy.exc import StatementError

from juki.core.crypto import FieldKeys
from juki.core.migrate import alembic_config
from juki.core.sealed import FieldKeysMissing, attach_field_keys
from juki.core.text import seion
from juki.cs.models import CsIdentityRow
from juki.duties import search
from juki.national.models import NationalIdentityRow
from juki.network.embedded import EmbeddedNetwork
from juki.prefecture.models import PrefectureIdentityRow
from tests.conftest import born, resident
from tests.e2e.test_number_at_rest import raw_bytes

LG = "131075"
NAME, KANA = "業平\u3000鶴子", "ナリヒラ\u3000ツルコ"
ADDRESS = "東京都墨田区業平五丁目6番7号"
TIERS = [
    ("cs:131075", CsIdentityRow),
    ("prefecture:13", PrefectureIdentityRow),
    ("national", NationalIdentityRow),
]


def test_no_name_or_address_in_clear_in_the_tiers_database_files(
    sqlite_network: EmbeddedNetwork,
) -> None:
    rid = born(sqlite_network, LG, name_kanji=NAME, name_kana=KANA, address=ADDRESS)
    code = resident(sqlite_network, LG, rid).resident_code
    sqlite_network.close()  # what is on disk is all there is
    files = raw_bytes(sqlite_network.home.root)
    for node_id, _ in TIERS:
        stem = node_id.replace(":", "_")
        tier_files = {name: data for name, data in files.items() if name.startswith(stem)}
        assert tier_files, node_id
        for name, content in tier_files.items():
            for clear in (NAME, KANA, ADDRESS, "ナリヒラ"):
                assert clear.encode() not in content, f"{clear} in clear in {name}"
        # the scan works: the 住民票コード is kept in clear
        assert any(code.encode() in content for content in tier_files.values()), node_id


def test_each_tier_reads_its_rows_in_clear_and_a_consignees_keys_cannot(
    network: EmbeddedNetwork,
) -> None:
    code = resident(network, LG, born(network, LG, address=ADDRESS)).resident_code
    jlis_keys = network.node("national").keys  # the consignee that runs the servers
    for node_id, model in TIERS:
        with network.node(node_id).db.session() as session:
            row = session.scalars(select(model).where(model.resident_code == code)).one()
            assert (row.address, row.name_kanji) == (ADDRESS, "墨田\u3000花子")
            sealed = session.execute(
                text("SELECT address_cipher FROM identity_file WHERE resident_code = :c"),
                {"c": code},
            ).scalar_one()
        assert ADDRESS.encode() not in bytes(sealed)
        if node_id != "national":
            with pytest.raises(InvalidTag):
                jlis_keys.decrypt(bytes(sealed), column="address")


def test_the_four_items_search_finds_people_through_the_indexes(
    network: EmbeddedNetwork,
) -> None:
    born(network, LG, name_kanji=NAME, name_kana=KANA, address=ADDRESS)
    born(network, LG, address="東京都墨田区向島一丁目1番1号")  # 墨田 花子, another address
    node = network.node("prefecture:13")
    birth = dt.date(2026, 11, 1)

    def found(**keys: object) -> list[str]:
        query = search.IdentitySearch(purpose="test", **keys)  # type: ignore[arg-type]
        with node.db.session() as session:
            return sorted(v.address for v in search.search(session, PrefectureIdentityRow,
                                                           node.keys, query))  # fmt: skip

    assert found(name_kanji=NAME, birth_date=birth) == [ADDRESS]
    assert found(name_kana="ナリヒラ\u3000ツルコ", birth_date=birth) == [ADDRESS]
    assert found(name_kana="ナリヒラ\u3000ツルコ", address="東京都墨田区") == [ADDRESS]
    assert found(birth_date=birth, address="東京都墨田区向島") == ["東京都墨田区向島一丁目1番1号"]
    assert len(found(birth_date=birth, address="東京都墨田区")) == 2
    assert found(name_kanji="業平", birth_date=birth) == []  # equality, no partial names


def test_a_sealed_column_refuses_a_comparison_with_a_value() -> None:
    for condition in (
        lambda: PrefectureIdentityRow.address == ADDRESS,
        lambda: PrefectureIdentityRow.name_kanji.startswith("業平"),
        lambda: PrefectureIdentityRow.name_kana.like("%ツル%"),
    ):
        with pytest.raises(TypeError, match="blind index"):
            condition()
    PrefectureIdentityRow.address.is_(None)  # allowed


def test_an_engine_without_the_nodes_keys_cannot_read_or_write(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'node.db'}")
    command.upgrade(alembic_config("juki.national", engine), "head")
    with engine.begin() as connection, pytest.raises(StatementError, match="field keys") as refused:
        connection.execute(insert(NationalIdentityRow.__table__), [_row("x")])
    assert isinstance(refused.value.orig, FieldKeysMissing)
    engine.dispose()


def _row(code: str) -> dict[str, object]:
    return {
        "resident_code": code, "name_kanji": NAME, "name_kanji_index": NAME, "name_kana": KANA,
        "name_seion_index": "ナリヒラ ツルコ", "birth_date": dt.date(1990, 4, 1), "sex": "2",
        "address": ADDRESS, "individual_number_cipher": b"x", "individual_number_index": "i",
        "change_reason": "birth", "change_date": dt.date(1990, 4, 1), "lg_code": LG,
        "operator_id": "o", "terminal_id": "t", "timestamp": dt.datetime.now(dt.UTC),
        "update_seq": 1, "is_current": True, "update_id": "u", "retention_flag": "current",
        "notified_on": dt.date(1990, 4, 2), "name_gaiji_count": 0, "address_gaiji_count": 0,
        "gaiji_flag": False, "removed": False, "deleted_flag": False, "name_gaiji_serial": 0,
        "address_gaiji_serial": 0, "town_code": "",
    }  # fmt: skip


def test_the_migration_seals_existing_rows_and_the_downgrade_opens_them(tmp_path: Path) -> None:
    """A national server migrated from before sealing: its rows are sealed with the node's
    keys; going back down restores them in clear."""
    engine = create_engine(f"sqlite:///{tmp_path / 'node.db'}")
    keys = FieldKeys.generate()
    attach_field_keys(engine, keys)
    config = alembic_config("juki.national", engine)
    command.upgrade(config, "0013")
    clear = _row("12345678901") | {"name_seion": "ナリヒラ ツルコ"}
    for name in ("name_kanji_index", "name_seion_index"):
        clear.pop(name)
    with engine.begin() as connection:
        columns = ", ".join(clear)
        values = ", ".join(f":{name}" for name in clear)
        connection.execute(text(f"INSERT INTO identity_file ({columns}) VALUES ({values})"), clear)
    command.upgrade(config, "head")
    assert "name_kanji" not in {c["name"] for c in inspect(engine).get_columns("identity_file")}
    with engine.connect() as connection:
        row = connection.execute(
            select(NationalIdentityRow.__table__).where(
                NationalIdentityRow.__table__.c.name_kanji_index == NAME
            )
        ).one()
        assert (row.name_kanji, row.name_kana, row.address) == (NAME, KANA, ADDRESS)
        raw = connection.execute(text("SELECT name_kanji_cipher FROM identity_file")).scalar_one()
        assert keys.decrypt(raw, column="name_kanji") == NAME
    command.downgrade(config, "0013")
    with engine.connect() as connection:
        back = connection.execute(text("SELECT name_kanji, address, name_seion FROM identity_file"))
        assert tuple(back.one()) == (NAME, ADDRESS, seion(KANA))
    engine.dispose()
