"""利用停止請求 (suspension-of-use requests after a disclosure; 000 DSC-02)

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-24 12:00:00

"""

from collections.abc import Sequence

from juki.duties.disclosure.migrations import create_use_suspensions_v1, drop_use_suspensions_v1

revision: str = "0013"
down_revision: str | Sequence[str] | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    create_use_suspensions_v1()


def downgrade() -> None:
    drop_use_suspensions_v1()
