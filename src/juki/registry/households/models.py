"""世帯 (item 1 of the 住民票, 世帯番号): the household the residents' `household_id` names."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from juki.registry.residents.models import Base


class Household(Base):
    """世帯: its 世帯番号 is the surrogate key (item 1). Members are the residents whose
    `household_id` points here; exactly one current member is 世帯主."""

    __tablename__ = "households"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    formed_on: Mapped[dt.date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="current")  # current | dissolved
