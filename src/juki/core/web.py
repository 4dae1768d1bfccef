"""The HTTP face of a node: its API router plus `POST /messages` and `GET /health`.

Errors name the field and never echo the input: FastAPI's default 422 body repeats what
was sent, which could be a 個人番号, so it is replaced here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import ValidationError
from sqlalchemy.orm import Session

from juki.core.crypto import FieldKeys
from juki.core.errors import JukiError
from juki.core.messaging.node import Node, UnitOfWork
from juki.core.search import IdentitySearch, IdentityView


def current_node(request: Request) -> Node:
    node: Node = request.app.state.node
    return node


def unit_of_work(request: Request) -> Iterator[UnitOfWork]:
    """One transaction per request: commits when the route returns, else rolls back."""
    with current_node(request).unit_of_work() as uow:
        yield uow


# scope="function": the transaction commits before the response is sent, so a client
# never sees 201 for a change that then failed to commit.
UoW = Annotated[UnitOfWork, Depends(unit_of_work, scope="function")]


def _field_errors(errors: list[Any]) -> list[dict[str, str]]:
    return [
        {
            "field": ".".join(str(part) for part in err["loc"] if part != "body"),
            "message": str(err["msg"]).removeprefix("Value error, "),
        }
        for err in errors
    ]


async def _validation_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError | ValidationError)
    errors = _field_errors(list(exc.errors()))
    return JSONResponse(status_code=422, content={"code": "invalid_input", "errors": errors})


async def _juki_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, JukiError)
    body = exc.as_dict() | {"errors": [{"field": exc.field or "", "message": exc.message}]}
    return JSONResponse(status_code=exc.status, content=body)


def messages_router() -> APIRouter:
    router = APIRouter(tags=["住基ネット messages"])

    @router.post("/messages", summary="Receive signed envelopes (one channel, in order)")
    def receive(request: Request, envelopes: list[dict[str, Any]]) -> JSONResponse:
        """One ack per envelope. 403 when every envelope was refused (bad signature,
        certificate not from the network CA, off-path type …); each ack names the field."""
        acks = current_node(request).receive(envelopes)
        refused = bool(acks) and all(ack.status == "refused" for ack in acks)
        return JSONResponse([ack.model_dump() for ack in acks], status_code=403 if refused else 200)

    @router.get("/health", summary="Liveness")
    def health(request: Request) -> dict[str, str]:
        return {"node": current_node(request).node_id, "status": "ok"}

    return router


SearchService = Callable[[Session, FieldKeys, IdentitySearch, str], list[IdentityView]]


def search_router(search: SearchService) -> APIRouter:
    """本人確認情報検索 for a tier's file (prefecture, national). POST, so that no search key
    (a 個人番号 least of all) ever appears in a URL or an access log."""
    router = APIRouter(tags=["本人確認情報"])

    @router.post("/search", summary="住民票コード・個人番号・4情報による検索")
    def search_identity(query: IdentitySearch, uow: UoW) -> list[IdentityView]:
        return search(uow.session, uow.node.keys, query, "api")

    return router


def node_app(
    node: Node,
    router: APIRouter | None,
    title: str,
    install: Callable[[FastAPI, Node], None] | None = None,
) -> FastAPI:
    """A node's app; `install` adds what a role serves besides its API (the registry's
    counter console)."""
    app = FastAPI(title=title, version="0.1.0")
    app.state.node = node
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(ValidationError, _validation_error)
    app.add_exception_handler(JukiError, _juki_error)
    app.include_router(messages_router())
    if router is not None:
        app.include_router(router)
    if install is not None:
        install(app, node)
    return app
