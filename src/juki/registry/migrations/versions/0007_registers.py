"""registers: operators' section and contractor pledge; the register entries (台帳)

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-23 12:30:00

"""

from collections.abc import Sequence

from juki.duties.ledgers.tables import create_ledger_tables_v1, drop_ledger_tables_v1
from juki.duties.operators.migrations import (
    add_operator_affiliation_v1,
    drop_operator_affiliation_v1,
)

revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    add_operator_affiliation_v1()
    create_ledger_tables_v1()


def downgrade() -> None:
    drop_ledger_tables_v1()
    drop_operator_affiliation_v1()
