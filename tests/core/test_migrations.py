"""Each role's Alembic migrations build exactly the tables its models declare."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect

from juki.core.migrate import upgrade
from juki.network.topology import ROLE_PACKAGES

ROLES = sorted(ROLE_PACKAGES)
# Roles whose databases existed before a column was added (jpki, kiosk, issuance began with all).
NEWER_ROLES = ("jpki", "kiosk", "issuance", "infonet", "atena", "intermediate", "portal")
OLDER_ROLES = [role for role in ROLES if role not in NEWER_ROLES]


@pytest.mark.parametrize("role", ROLES)
def test_migrations_match_models(role: str, tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'node.db'}")
    upgrade(engine, f"juki.{role}")
    models = importlib.import_module(f"juki.{role}.models")
    with engine.connect() as connection:
        context = MigrationContext.configure(connection)
        assert (
            compare_metadata(
                context,
                list(models.SCHEMA),
            )
            == []
        )
    engine.dispose()


def test_generator_file_has_exactly_the_five_items() -> None:
    from juki.numbering.models import IndividualNumberEntry

    columns = {c.name for c in IndividualNumberEntry.__table__.columns}
    # 000 §4.1: 住民票コード, 個人番号, 最新／履歴, 生成日時, 払出日付 (+ surrogate key and the
    # blind index that lets the 個人番号 be found without decrypting every row)
    assert columns - {"id", "individual_number_index"} == {
        "resident_code",
        "individual_number_cipher",
        "is_latest",
        "generated_at",
        "issued_on",
    }


@pytest.mark.parametrize("role", ROLES)
def test_migrations_downgrade_and_upgrade_again(role: str, tmp_path: Path) -> None:
    from alembic import command

    from juki.core.migrate import alembic_config

    engine = create_engine(f"sqlite:///{tmp_path / 'node.db'}")
    config = alembic_config(f"juki.{role}", engine)
    command.upgrade(config, "head")
    command.downgrade(config, "base")
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    command.upgrade(config, "head")
    engine.dispose()


SYSTEM_COLUMNS = {
    "id", "individual_number_index", "name_kanji_index", "is_current", "removed", "update_id",
}  # fmt: skip


@pytest.mark.parametrize(
    ("model_path", "items"),
    [
        ("juki.cs.models:CsIdentityRow", 40),  # 001a §4.2.3
        ("juki.prefecture.models:PrefectureIdentityRow", 28),  # 002 §5.2
        ("juki.national.models:NationalIdentityRow", 24),  # 000 §4.2
    ],
)
def test_each_tier_keeps_exactly_the_items_its_seed_lists(model_path: str, items: int) -> None:
    module, name = model_path.split(":")
    model = getattr(importlib.import_module(module), name)
    # The system columns are the surrogate key, the blind indexes that find a 個人番号 or a
    # sealed 漢字氏名 without decrypting, the current/removed markers and the update id
    # carried end to end.
    columns = {c.name for c in model.__table__.columns} - SYSTEM_COLUMNS
    assert len(columns) == items


@pytest.mark.parametrize("role", OLDER_ROLES)
def test_rights_requested_before_the_application_ref_column_are_kept(
    role: str, tmp_path: Path
) -> None:
    """002 REQ-AUTH-03's column is added to every node's operator_rights (SQLite rebuilds
    the table): a right held before stays, with no reference; downgrading keeps it too."""
    from alembic import command
    from alembic.script import ScriptDirectory
    from sqlalchemy import text

    from juki.core.migrate import alembic_config

    engine = create_engine(f"sqlite:///{tmp_path / 'node.db'}")
    config = alembic_config(f"juki.{role}", engine)
    (added,) = [
        script for script in ScriptDirectory.from_config(config).walk_revisions()
        if Path(script.path).stem.endswith("_right_application_ref")
    ]  # fmt: skip
    before = str(added.down_revision)
    command.upgrade(config, before)
    assert "application_ref" not in {
        c["name"] for c in inspect(engine).get_columns("operator_rights")
    }
    with engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO operators (id, login, person_name, employee_no, password_hash, status,"
            " failed_logins, session_epoch, created_at, created_by) VALUES (1, 'abe.saburo',"
            " '阿部　三郎', 'T1003', 'x', 'active', 0, 0, '2026-04-01 00:00:00', 'setup')"
        ))  # fmt: skip
        connection.execute(text(
            "INSERT INTO operator_rights (operator_id, duty, access, status, reason,"
            " requested_by, requested_at) VALUES (1, 'audit_review', 'read', 'granted', '監査',"
            " 'kato.hanako', '2026-04-01 00:00:00')"
        ))  # fmt: skip
    command.upgrade(config, added.revision)
    with engine.connect() as connection:
        rows = connection.execute(
            text("SELECT operator_id, duty, status, application_ref FROM operator_rights")
        ).all()
    assert [tuple(row) for row in rows] == [(1, "audit_review", "granted", None)]
    command.downgrade(config, before)
    with engine.connect() as connection:
        kept = connection.execute(text("SELECT duty FROM operator_rights")).all()
    assert [tuple(row) for row in kept] == [("audit_review",)]
    engine.dispose()
