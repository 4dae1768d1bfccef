"""Alembic environment for the prefecture role (tables + messaging tables)."""

from juki.core.migrate import run_env
from juki.prefecture.models import Base

run_env(Base.metadata)
