"""Console forms for the 届出: one GET that draws the form and one POST that records it,
through the same services and notices as the API. On a broken rule the form comes back
with each message beside its field and nothing recorded.

One module per family of 届出, each with its own router, gathered here."""

from __future__ import annotations

from fastapi import APIRouter

from juki.registry.console.events import (
    arrivals,
    certificates,
    changes,
    ex_officio,
    foreign,
    moves,
    support,
)

router = APIRouter()
for family in (arrivals, moves, changes, certificates, ex_officio, foreign, support):
    router.include_router(family.router)
