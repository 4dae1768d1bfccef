"""console sessions kept on the server, the cookie holding only an id; API tokens used
once, two keys per client, the end operators a client may name (issue #14)

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07 18:00:00

"""

from collections.abc import Sequence

from juki.duties.operators.migrations import (
    add_api_token_checks_v1,
    create_console_sessions_v1,
    drop_api_token_checks_v1,
    drop_console_sessions_v1,
)

revision: str = "0009"
down_revision: str | Sequence[str] | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    create_console_sessions_v1()
    add_api_token_checks_v1()


def downgrade() -> None:
    drop_api_token_checks_v1()
    drop_console_sessions_v1()
