"""disclosures: 開示 answered, and correction requests tracked to their resolution

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-23 09:30:00

"""

from collections.abc import Sequence

from juki.duties.disclosure.migrations import create_disclosure_tables_v1, drop_disclosure_tables_v1

revision: str = "0008"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    create_disclosure_tables_v1()


def downgrade() -> None:
    drop_disclosure_tables_v1()
