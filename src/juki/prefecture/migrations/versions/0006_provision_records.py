"""provision records: who, for which body and duty under which article, which items, how

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23 09:00:00

"""

from collections.abc import Sequence

from juki.duties.provision.migrations import (
    add_provision_record_columns_v1,
    drop_provision_record_columns_v1,
)

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    add_provision_record_columns_v1()


def downgrade() -> None:
    drop_provision_record_columns_v1()
