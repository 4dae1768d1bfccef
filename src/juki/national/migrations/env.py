"""Alembic environment for the national role (tables + messaging tables)."""

from juki.core.migrate import run_env
from juki.national.models import Base

run_env(Base.metadata)
