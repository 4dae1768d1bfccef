"""The legal tables are data: the shipped rows load, a bad row is refused naming its file,
line and column, and more rows come from the files named in JUKI_LEGAL_TABLES."""

from __future__ import annotations

from pathlib import Path

import pytest

from juki.core.errors import InvalidInput
from juki.duties.provision import legal_table

HEADER = (
    "tier,body_code,body_name,kind,table,article,duty_code,duty_name,items,keys,methods,source\n"
)


def test_the_rows_the_seeds_name_are_shipped() -> None:
    national = {(r.body_code, r.duty_code) for r in legal_table.rows_for("national")}
    assert ("nenkin", "pension_benefits") in national  # 日本年金機構's pension work
    tokyo = {(r.body_code, r.duty_code): r for r in legal_table.rows_for("prefecture:13")}
    assert {"local_tax", "special_needs_school", "designated_intractable_disease", "passport"} <= {
        duty for _body, duty in tokyo
    }
    passport = tokyo[("passport-office", "passport")]
    assert "individual_number" not in passport.items  # 旅券 is not a 番号法 duty
    assert (passport.kind, passport.table) == ("transfer", "別表第五")
    assert tokyo[("board-of-education", "special_needs_school")].kind == "provision"


@pytest.mark.parametrize(
    ("line", "column"),
    [
        ("national,x,X,provision,別表第一,第1条,d,D,blood_type,resident_code,online,s", "items"),
        ("national,x,X,provision,別表第一,第1条,d,D,resident_code,resident_code,post,s", "methods"),
        ("national,x,X,gift,別表第一,第1条,d,D,resident_code,resident_code,online,s", "kind"),
        ("national,x,X,provision,別表第一,第1条,d,D,resident_code,wildcard,online,s", "keys"),
        ("city,x,X,provision,別表第一,第1条,d,D,resident_code,resident_code,online,s", "tier"),
        ("national,x,X,provision,別表第一,,d,D,resident_code,resident_code,online,s", "article"),
    ],
)
def test_a_bad_row_is_refused_with_its_place(tmp_path: Path, line: str, column: str) -> None:
    path = tmp_path / "extra.csv"
    path.write_text(HEADER + line + "\n", encoding="utf-8")
    with pytest.raises(InvalidInput) as refused:
        legal_table.parse(path)
    assert refused.value.field == column
    assert f"{path}:2" in refused.value.message


def test_more_rows_are_loaded_from_the_configured_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "more.csv"
    row = (
        "national,mofa,外務省,provision,別表第一,住基法第30条の9,passport_national,"
        "旅券の発給に関する事務,resident_code;name_kanji;address,four_items,online,test\n"
    )
    path.write_text(HEADER + row, encoding="utf-8")
    assert legal_table.find("national", "mofa", "passport_national") is None
    monkeypatch.setenv("JUKI_LEGAL_TABLES", str(path))
    found = legal_table.find("national", "mofa", "passport_national")
    assert found is not None
    assert found.items == ("resident_code", "name_kanji", "address")
    assert legal_table.find("prefecture:13", "mofa", "passport_national") is None
