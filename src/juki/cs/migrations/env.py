"""Alembic environment for the cs role (its SCHEMA: shared tables and its own)."""

from juki.core.migrate import run_env
from juki.cs.models import SCHEMA

run_env(SCHEMA)
