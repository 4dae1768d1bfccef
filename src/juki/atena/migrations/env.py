"""Alembic environment for the atena role (its SCHEMA: shared tables and its own)."""

from juki.atena.models import SCHEMA
from juki.core.migrate import run_env

run_env(SCHEMA)
