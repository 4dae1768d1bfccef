"""Alembic environment for the numbering role (tables + messaging tables)."""

from juki.core.migrate import run_env
from juki.numbering.models import Base

run_env(Base.metadata)
