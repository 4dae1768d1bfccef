"""Text that no record may hold, refused at a node's door.

A request whose path, query, JSON or form body carries a control character (NUL above
all: PostgreSQL cannot store it and answers a driver error), a lone surrogate (not
UTF-8: neither database can store it) or a Unicode non-character is refused with a 422
naming the field, before any route runs, so nothing is stored or half-written. Tab, line
feed and carriage return stay allowed: free-text grounds and answers may have lines. A
body larger than `MAX_BODY_BYTES` is refused with 413 without being read to the end.

This is an ASGI middleware, not a pydantic validator, so that every route of every role
(API and console) is covered without each schema having to remember it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qsl

import anyio.to_thread
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from juki.web.spent import spend_unguarded

FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")
MAX_BODY_BYTES = 32 * 1024 * 1024  # a 一括提供 condition list of some 500,000 rows
_SAFE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,40}")
_MESSAGE = "使用できない文字（制御文字など）が含まれています"


def named(key: object) -> str:
    """A key names the field only when it looks like a field name (it is the sender's text,
    which could be anything, a 個人番号 among them); otherwise `?`."""
    return key if isinstance(key, str) and _SAFE_NAME.fullmatch(key) else "?"


def faults_in(value: Any, path: str = "") -> Iterator[str]:
    """The fields of a parsed JSON value whose text (key or value) is forbidden."""
    if isinstance(value, str):
        if FORBIDDEN.search(value):
            yield path or "body"
    elif isinstance(value, dict):
        for key, item in value.items():
            where = f"{path}.{named(key)}" if path else named(key)
            if FORBIDDEN.search(str(key)):
                yield where
            yield from faults_in(item, where)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from faults_in(item, f"{path}.{index}" if path else str(index))


def _fault_in_body(content_type: str, body: bytes) -> str | None:
    if not body:
        return None
    # Bytes that are not UTF-8 become lone surrogates, which are refused like the rest.
    text = body.decode("utf-8", errors="surrogateescape")
    if content_type.startswith("application/json"):
        try:
            parsed = json.loads(text)
        except ValueError:
            return None  # not JSON: FastAPI refuses it, naming the body
        return next(faults_in(parsed), None)
    if content_type.startswith("application/x-www-form-urlencoded"):
        return _fault_in_pairs(text)
    return None


def _fault_in_pairs(query: str) -> str | None:
    for key, value in parse_qsl(query, keep_blank_values=True, errors="surrogateescape"):
        if FORBIDDEN.search(key) or FORBIDDEN.search(value):
            return named(key)
    return None


def _fault_in_scope(scope: Scope) -> str | None:
    if FORBIDDEN.search(scope.get("path", "")):
        return "path"
    query = scope.get("query_string", b"").decode("latin-1")
    fault = _fault_in_pairs(query)
    return None if fault is None else f"query.{fault}"


class InputGuard:
    """The middleware: checks path and query, then reads the body (up to the limit),
    checks it, and hands the same bytes on to the app."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        fault = _fault_in_scope(scope)
        if fault is not None:
            await _refuse(422, fault, scope, receive, send)
            return
        body, complete = await _read_body(receive)
        if not complete:
            await _refuse(413, "body", scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        content_type = headers.get(b"content-type", b"").decode("latin-1").lower()
        fault = _fault_in_body(content_type, body)
        if fault is not None:
            await _refuse(422, fault, scope, receive, send)
            return
        await self.app(scope, _replay(body, receive), send)


async def _read_body(receive: Receive) -> tuple[bytes, bool]:
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return b"".join(chunks), True
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            return b"", False
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks), True


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replayed() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replayed


async def _refuse(status: int, field: str, scope: Scope, receive: Receive, send: Send) -> None:
    await anyio.to_thread.run_sync(spend_unguarded, Request(scope))  # its token too
    message = _MESSAGE if status == 422 else "要求が大きすぎます"
    response = JSONResponse(
        status_code=status,
        content={"code": "invalid_input", "errors": [{"field": field, "message": message}]},
    )
    await response(scope, receive, send)
