"""Alembic environment for the cs role (tables + messaging tables)."""

from juki.core.migrate import run_env
from juki.cs.models import Base

run_env(Base.metadata)
