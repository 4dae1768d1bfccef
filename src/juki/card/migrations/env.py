"""Alembic environment for the card role (its SCHEMA: shared tables and its own)."""

from juki.card.models import SCHEMA
from juki.core.migrate import run_env

run_env(SCHEMA)
