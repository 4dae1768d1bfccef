"""The HTTP face of a node: its API router plus `POST /messages` and `GET /health`, the
request's unit of work (`UoW`), the API guard (`api_guard`, `guarded`) and, for the routes
the tiers share, the node's 本人確認情報 file (`IdentityFile`).

Errors name the field and never echo the input: FastAPI's default 422 body repeats what
was sent, which could be a 個人番号, so it is replaced here.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Annotated, Any

import anyio.to_thread
from fastapi import APIRouter, Depends, FastAPI, Path, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import ValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

from juki.core.audit import log as audit
from juki.core.errors import InvalidInput, JukiError, Refused
from juki.core.identity import IdentityRowMixin
from juki.core.messaging.node import Node, UnitOfWork
from juki.duties.operators import clients
from juki.duties.operators.clients import Caller
from juki.duties.operators.duties import DUTIES
from juki.web import rights
from juki.web.input_guard import InputGuard, named
from juki.web.rights import public
from juki.web.spent import spend_unguarded


def current_node(request: Request) -> Node:
    node: Node = request.app.state.node
    return node


def unit_of_work(request: Request) -> Iterator[UnitOfWork]:
    """One transaction per request: commits when the route returns, else rolls back."""
    with current_node(request).unit_of_work() as uow:
        yield uow


# A row's id in a URL: an integer the databases can hold (PostgreSQL's integer columns end
# at 2**31 - 1), so that `/residents/99999999999999999999` is a 422 naming the path
# parameter, not a driver's overflow error.
RecordId = Annotated[int, Path(ge=1, le=2**31 - 1)]


# scope="function": the transaction commits before the response is sent, so a client
# never sees 201 for a change that then failed to commit.
UoW = Annotated[UnitOfWork, Depends(unit_of_work, scope="function")]


def identity_file(request: Request) -> type[IdentityRowMixin]:
    """The node's 本人確認情報 file, as its app declares it (`node_app(identity_file=…)`):
    each tier keeps its own items (the prefecture its 旧氏, the national server its
    保存期間フラグ …), so the routes the tiers share take the class from here."""
    found: type[IdentityRowMixin] | None = request.app.state.identity_file
    if found is None:  # a route of the tiers mounted on a node without a file: a wiring bug
        raise LookupError(f"{current_node(request).node_id} keeps no 本人確認情報 file")
    return found


IdentityFile = Annotated[type[IdentityRowMixin], Depends(identity_file)]


def _declared_query(dependant: Any) -> frozenset[str]:
    names = {field.alias for field in dependant.query_params}
    for sub in dependant.dependencies:
        names |= _declared_query(sub)
    return frozenset(names)


def refuse_unknown_query(request: Request) -> None:
    """A query parameter the route does not take is refused, not ignored: a misspelt
    `limt=10` must not silently run with the default. The answer names it only when it
    looks like a parameter name (`input_guard.named`)."""
    route = request.scope.get("route")
    declared = _declared_query(route.dependant) if route is not None else frozenset()
    unknown = sorted(set(request.query_params) - declared)
    if unknown:
        raise InvalidInput(
            "この機能が受け付けない問い合わせ項目があります", field=f"query.{named(unknown[0])}"
        )


@rights.checks_declaration
def api_guard(request: Request, uow: UoW) -> Iterator[Caller]:
    """The dependency of every role's API router: the caller is authenticated (signed token
    with end operator and terminal) and holds the right the matched route declares
    (`web/rights.py`; a route without a declaration is refused, 403, whoever asks); the
    call is in the audit log in the request's own transaction (no log, no answer).
    Refusals are logged on their own."""
    node = current_node(request)
    route = request.scope.get("route")
    function = f"{request.method} {getattr(route, 'path', request.url.path)}"[:64]
    keys = tuple(f"{k}={v}" for k, v in sorted(request.path_params.items()))
    declared = rights.of_request(request.scope)
    try:
        # The token is read and spent in a transaction of its own, committed now (a failed
        # request spent it too), before the request's own transaction takes a connection:
        # holding one while waiting for a second ran PostgreSQL's pool dry under ten
        # requests at once, each waiting 30 s for the other's (the kiosk test found it).
        with node.unit_of_work() as spent:
            caller = clients.authenticate(
                spent.session, node.node_id, request.headers.get("authorization", "")
            )
            clients.spend(spent.session, caller)
        if declared is None or not declared.permits(caller.may):
            raise Refused("この機能を利用する権限がありません", field="rights")
        refuse_unknown_query(request)
    except JukiError as refused:
        who = locals().get("caller")
        with node.unit_of_work() as log_uow:
            audit.record(
                log_uow.session,
                audit.Access(
                    operator=who.audit_name if who else "-",
                    terminal=who.terminal if who else "-",
                    function=function, targets=keys, result=refused.code[:16],
                ),
            )  # fmt: skip
        raise
    request.state.caller = caller
    try:
        yield caller
    except JukiError as refused:
        # A broken rule in the route: nothing it did stays (its transaction rolls back
        # first, which also frees SQLite's write lock), but the attempt is logged.
        uow.session.rollback()
        with node.unit_of_work() as log_uow:
            audit.record(
                log_uow.session,
                audit.Access(
                    operator=caller.audit_name, terminal=caller.terminal,
                    function=function, targets=keys, result=refused.code[:16],
                ),
            )  # fmt: skip
        raise
    # After the route, before the commit: what it touched, in the same transaction.
    audit.record(
        uow.session,
        audit.Access(
            operator=caller.audit_name, terminal=caller.terminal, function=function,
            targets=keys + tuple(getattr(request.state, "audit_targets", ())),
            purpose=_purpose(declared.duties[0]) if declared.duties else declared.kind,
            number_touched=bool(getattr(request.state, "number_touched", False)),
        ),
    )  # fmt: skip


def _purpose(duty: str) -> str:
    return DUTIES[duty].name if duty in DUTIES else duty


def current_caller(request: Request) -> Caller:
    caller: Caller = request.state.caller  # set by api_guard, which runs first
    return caller


ApiCaller = Annotated[Caller, Depends(current_caller)]


def guarded(**router_options: Any) -> APIRouter:
    """An API router whose every route goes through `api_guard`."""
    dependencies = [Depends(api_guard, scope="function")]
    return APIRouter(dependencies=dependencies, **router_options)


def _field_name(error: Any) -> str:
    """The field a validation error is about: its location without the leading `body`;
    the body itself when it is not JSON (FastAPI puts the decoder's character position
    there) or not the object expected."""
    if error.get("type") == "json_invalid":
        return "body"
    # A location part is the sender's text when the key was not ours (an extra item): it
    # names the field only if it looks like a field name, never a 個人番号 sent as a key.
    parts = (str(p) if isinstance(p, int) else _as_name(p) for p in error["loc"] if p != "body")
    return ".".join(parts) or "body"


_FIELD_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_-]{0,60}")


def _as_name(part: object) -> str:
    return part if isinstance(part, str) and _FIELD_NAME.fullmatch(part) else "?"


def _field_errors(errors: list[Any]) -> list[dict[str, str]]:
    return [
        {"field": _field_name(err), "message": str(err["msg"]).removeprefix("Value error, ")}
        for err in errors
    ]


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError | ValidationError)
    await anyio.to_thread.run_sync(spend_unguarded, request)
    errors = _field_errors(list(exc.errors()))
    return JSONResponse(status_code=422, content={"code": "invalid_input", "errors": errors})


# Starlette's own refusals (a body it cannot parse, no such route, a method the route does
# not take) in the same shape as ours, naming what was wrong instead of `{"detail": …}`.
_HTTP_REFUSALS = {  # status → (code, field)
    400: ("invalid_input", "body"),
    404: ("not_found", "path"),
    405: ("method_not_allowed", "method"),
    415: ("invalid_input", "content-type"),
}


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    await anyio.to_thread.run_sync(spend_unguarded, request)
    code, field_name = _HTTP_REFUSALS.get(exc.status_code, ("refused", "request"))
    return JSONResponse(
        status_code=exc.status_code,
        content={"code": code, "errors": [{"field": field_name, "message": str(exc.detail)}]},
        headers=getattr(exc, "headers", None),
    )


def refusals_by_field(app: FastAPI) -> None:
    """Starlette's refusals in our shape, for a node's app and for the app that mounts
    nodes (a path no mount matches is refused there)."""
    app.add_exception_handler(StarletteHTTPException, _http_error)


async def _juki_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, JukiError)
    body = exc.as_dict() | {"errors": [{"field": exc.field or "", "message": exc.message}]}
    return JSONResponse(status_code=exc.status, content=body)


# The node-to-node channel and the liveness probe, on every node.
messages_router = APIRouter(tags=["住基ネット messages"])


@messages_router.post("/messages", summary="Receive signed envelopes (one channel, in order)")
@public("node-to-node: each envelope's signature, certificate and path are checked")
def receive(request: Request, envelopes: list[dict[str, Any]]) -> JSONResponse:
    """One ack per envelope. 403 when every envelope was refused (bad signature,
    certificate not from the network CA, off-path type …); each ack names the field."""
    acks = current_node(request).receive(envelopes)
    refused = bool(acks) and all(ack.status == "refused" for ack in acks)
    return JSONResponse([ack.model_dump() for ack in acks], status_code=403 if refused else 200)


@messages_router.get("/health", summary="Liveness")
@public("liveness probe: the node's id, nothing else")
def health(request: Request) -> dict[str, str]:
    return {"node": current_node(request).node_id, "status": "ok"}


def node_app(
    node: Node,
    router: APIRouter | None,
    title: str,
    install: Callable[[FastAPI, Node], None] | None = None,
    identity_file: type[IdentityRowMixin] | None = None,
) -> FastAPI:
    """A node's app; `install` adds what a role serves besides its API (its console);
    `identity_file` is the role's 本人確認情報 file, which the routes shared by the tiers
    read (`IdentityFile`)."""
    app = FastAPI(title=title, version="0.1.0")
    app.state.node = node
    app.state.identity_file = identity_file
    app.add_middleware(InputGuard)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(ValidationError, _validation_error)
    app.add_exception_handler(JukiError, _juki_error)
    refusals_by_field(app)
    app.include_router(messages_router)
    if router is not None:
        app.include_router(router)
    if install is not None:
        install(app, node)
    rights.publish(app)
    return app
