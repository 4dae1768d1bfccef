"""Alembic environment for the intermediate role (its SCHEMA: shared tables and its own)."""

from juki.core.migrate import run_env
from juki.intermediate.models import SCHEMA

run_env(SCHEMA)
