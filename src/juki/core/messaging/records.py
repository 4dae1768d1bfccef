"""The records of an applied envelope, each checked against its model.

A handler must not raise: an envelope whose handler raises is not acknowledged and the
strictly ordered channel behind it stops for good. The sender is a known node (its
envelope was verified), so a record that does not fit is a fault at the sender's end: it
is logged here by the names of the fields that failed — never their values, which may be
personal — and left out; the records around it are applied.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

log = logging.getLogger(__name__)
M = TypeVar("M", bound=BaseModel)


def valid_records(model: type[M], records: Iterable[dict[str, Any]], where: str) -> list[M]:
    valid = []
    for position, raw in enumerate(records):
        try:
            valid.append(model.model_validate(raw))
        except ValidationError as error:
            fields = sorted({".".join(str(p) for p in e["loc"][:1]) for e in error.errors()})
            log.error("%s: record %d left out, fields %s", where, position, ",".join(fields))
    return valid
