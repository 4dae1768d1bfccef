"""Alembic environment for the registry role (tables + messaging tables)."""

from juki.core.migrate import run_env
from juki.registry.models import Base

run_env(Base.metadata)
