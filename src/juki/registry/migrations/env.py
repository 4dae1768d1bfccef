"""Alembic environment for the registry role (its SCHEMA: shared tables and its own)."""

from juki.core.migrate import run_env
from juki.registry.models import SCHEMA

run_env(SCHEMA)
