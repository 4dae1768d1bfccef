"""Alembic environment for the portal role (its SCHEMA: shared tables and its own)."""

from juki.core.migrate import run_env
from juki.portal.models import SCHEMA

run_env(SCHEMA)
