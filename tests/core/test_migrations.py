"""Each role's Alembic migrations build exactly the tables its models declare."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect

from juki.core.migrate import SHARED_METADATA, upgrade


@pytest.mark.parametrize("role", ["registry", "cs", "prefecture", "national", "numbering", "card"])
def test_migrations_match_models(role: str, tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'node.db'}")
    upgrade(engine, f"juki.{role}")
    models = importlib.import_module(f"juki.{role}.models")
    with engine.connect() as connection:
        context = MigrationContext.configure(connection)
        assert (
            compare_metadata(
                context,
                [*SHARED_METADATA, models.Base.metadata],
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


@pytest.mark.parametrize("role", ["registry", "cs", "prefecture", "national", "numbering", "card"])
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


SYSTEM_COLUMNS = {"id", "individual_number_index", "is_current", "removed", "update_id"}


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
    # The system columns are the surrogate key, the blind index that finds a 個人番号
    # without decrypting, the current/removed markers and the update id carried end to end.
    columns = {c.name for c in model.__table__.columns} - SYSTEM_COLUMNS
    assert len(columns) == items
