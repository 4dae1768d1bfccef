"""Registry API: record 届出 and read the register. Routes are thin; rules are in the
family sub-packages' services.

Every 届出 goes through `reads.take`, which hands `notice_checks.submit` the service
function that records it: where the municipality requires a second person's check
(001b C-01) it is answered 202 with its 点検番号 and applied only when another operator
confirms it (`/pending-notices/{id}/confirm`); otherwise 201.

One module per family of work, each with its own plain router; they are guarded here,
once, so no family can be mounted without `api_guard` (the guard reads each route's
declared right, `web/rights.py`)."""

from __future__ import annotations

from juki.registry.api import (
    cards,
    certificates,
    disclosure,
    ex_officio,
    foreign,
    households,
    linkage,
    notice_checks,
    notices,
    residents,
    transfers,
)
from juki.web.app import guarded

FAMILIES = (
    notices,
    households,
    residents,
    transfers,
    ex_officio,
    foreign,
    notice_checks,
    certificates,
    linkage,
    disclosure,
    cards,
)

router = guarded(tags=["既存住基 (resident register)"])
for family in FAMILIES:
    router.include_router(family.router)
