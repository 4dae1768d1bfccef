"""Alembic environment for the prefecture role (its SCHEMA: shared tables and its own)."""

from juki.core.migrate import run_env
from juki.prefecture.models import SCHEMA

run_env(SCHEMA)
