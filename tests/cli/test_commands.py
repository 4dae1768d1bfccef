"""The `juki` command's shape: every command and sub-command users, CI, the README and the
tests call stays registered, whichever module defines it; every group answers `--help`
when started as `python -m juki.cli` (a group registered after the module's entry point
did not), and the console script names the same app."""

from __future__ import annotations

import os
import subprocess
import sys
from importlib.metadata import entry_points
from typing import Any

import pytest
import typer

from juki.cli import app

GROUPS: dict[str, set[str]] = {
    "pki": {"init", "issue", "revoke", "renew"},
    "keys": {"rotate"},
    "bench": {"chain", "register", "card", "exchange"},
    "node": {"serve"},
    "audit": {"verify", "anomalies", "monthly", "checkpoint", "export"},
    "operator": {"code", "bootstrap", "enrolment", "users", "privileged"},
    "retention": {"rules", "purge"},
    "ledger": {"kinds", "add", "close", "list", "overdue", "checklist"},
    "backup": {"create", "purge", "restore"},
    "report": {"corrections"},
    "registry": {"notice-check"},
    "card": {
        "create",
        "load",
        "show",
        "sign",
        "authenticate",
        "change-pin",
        "reset-pin",
        "resident-code",
        "load-chip",
    },
    "kiosk": {"terminal"},
    "portal": {"app-login"},
}
TOP_LEVEL = {"up", "reconcile", "search", "simulate", "pia"}


def _command_paths(command: Any, prefix: tuple[str, ...] = ()) -> set[tuple[str, ...]]:
    paths: set[tuple[str, ...]] = set()
    for name, sub in getattr(command, "commands", {}).items():
        paths.add((*prefix, name))
        paths |= _command_paths(sub, (*prefix, name))
    return paths


def test_every_command_and_sub_command_is_registered() -> None:
    expected = {(name,) for name in TOP_LEVEL | set(GROUPS)} | {
        (group, sub) for group, subs in GROUPS.items() for sub in subs
    }
    assert _command_paths(typer.main.get_command(app)) == expected


def test_the_console_script_is_the_app() -> None:
    (script,) = entry_points(group="console_scripts", name="juki")
    assert script.value == "juki.cli:app"
    assert script.load() is app


@pytest.mark.parametrize("group", sorted(GROUPS))
def test_each_group_answers_help_as_python_m_juki_cli(group: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "juki.cli", group, "--help"],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "COLUMNS": "160", "NO_COLOR": "1"},
    )
    assert done.returncode == 0, done.stderr
    for sub in GROUPS[group]:
        assert sub in done.stdout
