"""Alembic environment for the issuance role (its SCHEMA: shared tables and its own)."""

from juki.core.migrate import run_env
from juki.issuance.models import SCHEMA

run_env(SCHEMA)
