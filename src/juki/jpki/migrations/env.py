"""Alembic environment for the jpki role (its SCHEMA: shared tables and its own)."""

from juki.core.migrate import run_env
from juki.jpki.models import SCHEMA

run_env(SCHEMA)
