"""File 1 and the ledger are never erased (000 §4.1: 消去しない).

Triggers refuse DELETE on both tables and any UPDATE of the ledger, whatever code or
operator tries, on SQLite and on PostgreSQL.

Revision ID: 0002
Revises: 0001
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

GUARDS = (
    ("generated_numbers", "DELETE"),
    ("generated_numbers", "UPDATE"),
    ("individual_number_file", "DELETE"),
)


def _name(table: str, action: str) -> str:
    return f"{table}_no_{action.lower()}"


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION juki_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$"
            " BEGIN RAISE EXCEPTION '% on % is not permitted (000 4.1: never erased)',"
            " TG_OP, TG_TABLE_NAME; END $$"
        )
        for table, action in GUARDS:
            op.execute(
                f"CREATE TRIGGER {_name(table, action)} BEFORE {action} ON {table}"
                " FOR EACH ROW EXECUTE FUNCTION juki_refuse_change()"
            )
        return
    for table, action in GUARDS:
        op.execute(
            f"CREATE TRIGGER {_name(table, action)} BEFORE {action} ON {table} BEGIN"
            f" SELECT RAISE(ABORT, '{action} on {table} is not permitted (000 4.1)'); END"
        )


def downgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    for table, action in GUARDS:
        suffix = f" ON {table}" if postgres else ""
        op.execute(f"DROP TRIGGER {_name(table, action)}{suffix}")
    if postgres:
        op.execute("DROP FUNCTION juki_refuse_change()")
