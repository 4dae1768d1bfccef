"""Personal text in the disclosure tables sealed: requester, requests, grounds (002 REQ-CON-03)

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06 12:00:00

"""

from collections.abc import Sequence

from juki.duties.disclosure.migrations import seal_disclosure_text_v1, unseal_disclosure_text_v1

revision: str = "0015"
down_revision: str | Sequence[str] | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    seal_disclosure_text_v1()


def downgrade() -> None:
    unseal_disclosure_text_v1()
