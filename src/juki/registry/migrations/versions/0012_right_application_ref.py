"""rights: the written application's reference on a right request (002 REQ-AUTH-03,
照合ID付与申請書)

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-25 12:00:00

"""

from collections.abc import Sequence

from juki.duties.operators.migrations import (
    add_right_application_ref_v1,
    drop_right_application_ref_v1,
)

revision: str = "0012"
down_revision: str | Sequence[str] | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    add_right_application_ref_v1()


def downgrade() -> None:
    drop_right_application_ref_v1()
