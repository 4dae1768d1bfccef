"""Alembic environment for the infonet role (its SCHEMA: shared tables and its own)."""

from juki.core.migrate import run_env
from juki.infonet.models import SCHEMA

run_env(SCHEMA)
