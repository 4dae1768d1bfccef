"""Alembic environment for the national role (its SCHEMA: shared tables and its own)."""

from juki.core.migrate import run_env
from juki.national.models import SCHEMA

run_env(SCHEMA)
