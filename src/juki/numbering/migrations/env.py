"""Alembic environment for the numbering role (its SCHEMA: shared tables and its own)."""

from juki.core.migrate import run_env
from juki.numbering.models import SCHEMA

run_env(SCHEMA)
