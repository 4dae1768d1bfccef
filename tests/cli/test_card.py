"""`juki card` as the holder runs it (issue #15): a card made with the contractor's chip
contents asks for (or takes from the environment) the 券面事項入力補助 and 住基 PINs,
keeps nothing of the chip in clear, and gives the 住民票コード back only with its PIN."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from juki.cli.app import app
from tests.holder.helpers import AUTH_PIN, JUKI_PIN, NUMBER, SIGN_PIN, TEXT_PIN, chip_for, signer

PINS = {"JUKI_CARD_SIGN_PIN": SIGN_PIN, "JUKI_CARD_AUTH_PIN": AUTH_PIN,
        "JUKI_CARD_TEXT_PIN": TEXT_PIN, "JUKI_CARD_JUKI_PIN": JUKI_PIN}  # fmt: skip


def made(tmp_path: Path) -> Path:
    chip = tmp_path / "chip.json"
    chip.write_text(chip_for(*signer()).model_dump_json())
    card = tmp_path / "holder.card"
    done = CliRunner().invoke(
        app, ["card", "create", str(card), "--card-number", NUMBER, "--chip", str(chip)], env=PINS
    )
    assert done.exit_code == 0, done.output
    return card


def test_create_with_the_chip_then_read_the_resident_code(tmp_path: Path) -> None:
    card = made(tmp_path)
    assert "123456789018" not in card.read_text()
    assert not (tmp_path / "chip.json").exists()  # the clear copy is gone
    read = CliRunner().invoke(
        app, ["card", "resident-code", str(card)], env={"JUKI_CARD_PIN": JUKI_PIN}
    )
    assert read.exit_code == 0, read.output
    assert read.output.strip() == "12345678903"


def test_a_wrong_pin_reads_nothing_and_says_how_many_tries_are_left(tmp_path: Path) -> None:
    card = made(tmp_path)
    read = CliRunner().invoke(
        app, ["card", "resident-code", str(card)], env={"JUKI_CARD_PIN": "0000"}
    )
    assert read.exit_code == 2
    assert "12345678903" not in read.output
    assert "残り2回" in read.output


def test_an_unreadable_chip_file_is_named(tmp_path: Path) -> None:
    chip = tmp_path / "chip.json"
    chip.write_text('{"format": "juki-card-chip/1"}')
    done = CliRunner().invoke(
        app,
        ["card", "create", str(tmp_path / "c.card"), "--card-number", NUMBER, "--chip", str(chip)],
        env=PINS,
    )
    assert done.exit_code == 2
    assert "(chip)" in done.output
    assert not (tmp_path / "c.card").exists()


def test_the_application_pins_are_not_reset_as_keys(tmp_path: Path) -> None:
    card = made(tmp_path)
    done = CliRunner().invoke(
        app, ["card", "reset-pin", str(card), "--kind", "juki"], env={"JUKI_CARD_NEW_PIN": "1111"}
    )
    assert done.exit_code == 2
    assert "(kind)" in done.output


def test_a_card_made_at_the_handover_takes_its_chip_afterwards(tmp_path: Path) -> None:
    """The keys are made at the 交付, the chip is given once it took effect: `load-chip`
    puts it on the card once, and deletes the file."""
    card = tmp_path / "holder.card"
    done = CliRunner().invoke(app, ["card", "create", str(card), "--card-number", NUMBER], env=PINS)
    assert done.exit_code == 0, done.output
    chip = tmp_path / "chip.json"
    chip.write_text(chip_for(*signer()).model_dump_json())
    loaded = CliRunner().invoke(app, ["card", "load-chip", str(card), str(chip)], env=PINS)
    assert loaded.exit_code == 0, loaded.output
    assert not chip.exists()
    read = CliRunner().invoke(
        app, ["card", "resident-code", str(card)], env={"JUKI_CARD_PIN": JUKI_PIN}
    )
    assert read.output.strip() == "12345678903"
    chip.write_text(chip_for(*signer()).model_dump_json())
    again = CliRunner().invoke(app, ["card", "load-chip", str(card), str(chip)], env=PINS)
    assert again.exit_code == 2
    assert "(chip)" in again.output
