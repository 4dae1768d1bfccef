"""The tables of the duties every node performs, each owned by its package: operators and
their rights, the erasure history, the registers (台帳). A role's models add them to its
schema (`SCHEMA`) beside core's."""

from __future__ import annotations

from sqlalchemy import MetaData

from juki.duties.ledgers.tables import ledger_metadata
from juki.duties.operators.tables import operator_metadata
from juki.duties.retention.tables import retention_metadata

DUTY_METADATA: tuple[MetaData, ...] = (operator_metadata, retention_metadata, ledger_metadata)
