"""個人番号 at rest (000 §5, 001a §5): every node keeps it encrypted (AES-GCM) with a keyed
blind index for look-ups, and the keys live outside the database. The test reads the raw
database files of every node — main file and write-ahead log — and finds no 個人番号 in
clear, while it does find the 住民票コード (stored in clear), which shows the scan works."""

from __future__ import annotations

from pathlib import Path

from juki.network.embedded import EmbeddedNetwork
from tests.conftest import born, resident
from tests.e2e.test_chain import number_of

LG = "131075"


def raw_bytes(root: Path) -> dict[str, bytes]:
    files = sorted((root / "data").glob("*.db*"))  # *.db, *.db-wal, *.db-shm
    assert files
    return {path.name: path.read_bytes() for path in files}


def test_no_individual_number_in_clear_in_any_database_file(
    sqlite_network: EmbeddedNetwork,
) -> None:
    people = [born(sqlite_network, LG, name_kanji=f"墨田　{n}") for n in ("一", "二", "三")]
    numbers = [number_of(sqlite_network, LG, rid) for rid in people]
    codes = [resident(sqlite_network, LG, rid).resident_code for rid in people]
    assert all(len(n) == 12 for n in numbers)
    sqlite_network.close()  # nothing cached in memory; what is on disk is all there is
    files = raw_bytes(sqlite_network.home.root)
    for name, content in files.items():
        for number in numbers:
            assert number.encode() not in content, f"個人番号 in clear in {name}"
    assert any(codes[0].encode() in content for content in files.values())
    keys = list((sqlite_network.home.root / "secrets").glob("*.key"))
    assert keys  # the field keys are files outside the databases
