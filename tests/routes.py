"""The (method, path) table of a FastAPI app, included routers flattened (FastAPI keeps an
included router as one entry; its routes are reached through `effective_route_contexts`)."""

from __future__ import annotations

from typing import Any


def route_table(app: Any) -> set[tuple[str, str]]:
    table: set[tuple[str, str]] = set()
    for route in app.routes:
        contexts = getattr(route, "effective_route_contexts", None)
        if contexts is not None:
            found = contexts() if callable(contexts) else contexts
            for context in found:
                table |= {(m, context.path) for m in (context.methods or ()) if m != "HEAD"}
        elif getattr(route, "methods", None):
            table |= {(m, route.path) for m in route.methods if m != "HEAD"}
    return table


def mounted(app: Any, path: str) -> Any:
    return next(r for r in app.routes if getattr(r, "path", "") == path).app
