"""Alembic environment for the card role (tables + messaging tables)."""

from juki.card.models import Base
from juki.core.migrate import run_env

run_env(Base.metadata)
