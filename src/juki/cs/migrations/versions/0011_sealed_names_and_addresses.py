"""Names and addresses of the 本人確認情報 file sealed, 4情報 search by blind index (002 REQ-CON-03)

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-24 13:00:00

"""

from collections.abc import Sequence

from juki.core.identity_migrations import (
    seal_names_and_addresses_v1,
    unseal_names_and_addresses_v1,
)

revision: str = "0011"
down_revision: str | Sequence[str] | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None
EXTRA_SEALED = ("previous_address", "former_surname_kanji", "former_surname_kana")


def upgrade() -> None:
    seal_names_and_addresses_v1(EXTRA_SEALED)


def downgrade() -> None:
    unseal_names_and_addresses_v1(EXTRA_SEALED)
