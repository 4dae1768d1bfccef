"""Messaging tables as first created (revision 0001 of every role).

Frozen here, not read from tables.py, so that this revision always builds the same schema;
a later change to the messaging tables needs a new revision in every role.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


def create_messaging_tables_v1() -> None:
    op.create_table(
        "msg_channel_in",
        sa.Column("sender", sa.String(length=64), nullable=False),
        sa.Column("last_applied_seq", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("sender"),
    )
    op.create_table(
        "msg_channel_out",
        sa.Column("recipient", sa.String(length=64), nullable=False),
        sa.Column("last_seq", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("recipient"),
    )
    op.create_table(
        "msg_inbox",
        sa.Column("sender", sa.String(length=64), nullable=False),
        sa.Column("channel_seq", sa.BigInteger(), nullable=False),
        sa.Column("message_id", sa.String(length=36), nullable=False),
        sa.Column("type", sa.String(length=64), nullable=False),
        sa.Column("applied_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("sender", "channel_seq"),
        sa.UniqueConstraint("message_id"),
    )
    op.create_table(
        "msg_outbox",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("recipient", sa.String(length=64), nullable=False),
        sa.Column("channel_seq", sa.BigInteger(), nullable=False),
        sa.Column("type", sa.String(length=64), nullable=False),
        sa.Column("envelope", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("acked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.String(length=200), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("msg_outbox", schema=None) as batch_op:
        batch_op.create_index(
            "ix_msg_outbox_pending", ["acked_at", "recipient", "channel_seq"], unique=False
        )
        batch_op.create_index("uq_msg_outbox_channel", ["recipient", "channel_seq"], unique=True)

    op.create_table(
        "msg_refusals",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("claimed_sender", sa.String(length=64), nullable=True),
        sa.Column("type", sa.String(length=64), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )


def drop_messaging_tables_v1() -> None:
    with op.batch_alter_table("msg_outbox", schema=None) as batch_op:
        batch_op.drop_index("uq_msg_outbox_channel")
        batch_op.drop_index("ix_msg_outbox_pending")
    for table in ("msg_refusals", "msg_outbox", "msg_inbox", "msg_channel_out", "msg_channel_in"):
        op.drop_table(table)
