"""The records of an applied envelope, each checked against its model.

A handler must not raise: an envelope whose handler raises is not acknowledged and the
strictly ordered channel behind it stops for good. The sender is a known node (its
envelope was verified), so a record that does not fit is a fault at the sender's end: it
is logged here by the names of the fields that failed — never their values, which may be
personal — and left out; the records around it are applied.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, TypeVar

from pydantic import BaseModel, ValidationError

if TYPE_CHECKING:
    from juki.core.messaging.envelope import Envelope
    from juki.core.messaging.node import UnitOfWork

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


def each_record(
    model: type[M], apply: Callable[[UnitOfWork, M], None]
) -> Callable[[UnitOfWork, Envelope, list[dict[str, Any]]], None]:
    """A handler applying `apply` to each record that fits `model` (the rest logged by
    field name and left out), for messages whose sender the service needs not know."""
    where = f"{apply.__module__}.{apply.__name__}"

    def handler(uow: UnitOfWork, envelope: Envelope, records: list[dict[str, Any]]) -> None:
        for record in valid_records(model, records, where):
            apply(uow, record)

    return handler
