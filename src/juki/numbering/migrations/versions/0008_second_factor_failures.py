"""operators: wrong second-factor answers counted apart from passwords (issue #14)

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07 12:00:00

"""

from collections.abc import Sequence

from juki.duties.operators.migrations import (
    add_second_factor_failures_v1,
    drop_second_factor_failures_v1,
)

revision: str = "0008"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    add_second_factor_failures_v1()


def downgrade() -> None:
    drop_second_factor_failures_v1()
