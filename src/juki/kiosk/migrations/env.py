"""Alembic environment for the kiosk role (its SCHEMA: shared tables and its own)."""

from juki.core.migrate import run_env
from juki.kiosk.models import SCHEMA

run_env(SCHEMA)
