"""audit log: hash-chained accesses and signed checkpoints

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 07:00:00

"""

from collections.abc import Sequence

from juki.core.audit.migrations import create_audit_tables_v1, drop_audit_tables_v1

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    create_audit_tables_v1()


def downgrade() -> None:
    drop_audit_tables_v1()
