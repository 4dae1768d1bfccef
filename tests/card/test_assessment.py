"""`juki pia card`: the card management system's assessment lists File 3 with its retention,
its two inputs (送付先情報 from the CSs, 異動情報 from the national server) and its one
output (the receipt), and the card requirements of 000 §5.4 as built, not as 未構築."""

from __future__ import annotations

from juki.network.embedded import EmbeddedNetwork
from juki.pia import catalogue, render
from juki.pia.report import collect
from tests.card.helpers import destination_record, new_code, new_number, notice_of, send_from_cs


def test_the_assessment_of_the_card_system(sqlite_network: EmbeddedNetwork) -> None:
    send_from_cs(sqlite_network, [notice_of(destination_record(new_code(), new_number()))])
    report = collect(sqlite_network.node("card"), catalogue.load())
    text = render.to_markdown(report)
    assert "個人番号カード用管理ファイル" in text
    card_file = next(f for f in report.files if f.table == "card_file")
    assert card_file.rows == 1
    assert any("F3-STO-03" in line for line in card_file.retention)
    assert {(f.direction, f.counterpart) for f in report.flows} >= {
        ("入手", "市町村コミュニケーションサーバ（CS）"),
        ("入手", "住基全国サーバ（地方公共団体情報システム機構）"),
        ("提供", "市町村コミュニケーションサーバ（CS）"),
    }
    listed = {r.id for r, _e in report.requirements}
    assert {"F3-ACQ-06", "F3-STO-01", "F3-STO-03", "F3-USE-04"} <= listed
    assert not [r for r in report.not_built if r.node == "card"]
