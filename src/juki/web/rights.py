"""The right each route needs, declared where the route is defined (000 ACL-01; as GOV.UK
Notify declares each endpoint's authentication, "no auth" included).

A route function carries one declaration:

- `@needs(duty, access)`: an operator right of `duties/operators/duties.DUTIES`, `update`
  or `read` (update covers read). A console page may accept any of several duties
  (`@needs(("resident_records", "notice_check"), "read")`). A write method (POST, PUT,
  PATCH, DELETE) with a read right must say why (`read_by_post=`): a search whose keys are
  posted so that they never appear in a URL, or a step whose own right the service checks.
- `@logged_in`: any operator logged in to this console (the menu, log-out, one's own
  password).
- `@public(reason)`: no operator at all (the signed node-to-node channel, the liveness
  probe, the log-in pages, static files, the API's own description).
- `@holder_logged_in`: a card holder logged in to マイナポータル with their card (利用者証明);
  no operator right can stand for it.

Deny by default: the API guard (`web/app.api_guard`) and the console's session
(`web/console/session.current_clerk`) read the declaration of the route that matched
(`request.scope["route"]`); a route without one is refused with 403, in the audit log,
whoever asks. `route_rights` walks an app's routes for the tests that keep every route
declared, and each node's OpenAPI shows the declaration of every operation as
`x-juki-right`, so that an auditor reads it beside the route.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Literal, TypeVar

from fastapi import FastAPI
from fastapi.routing import APIRouter

from juki.duties.operators.duties import DUTIES, Access

Kind = Literal["right", "logged_in", "public", "holder"]
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
OPENAPI_KEY = "x-juki-right"
_ATTRIBUTE = "__juki_right__"
_CHECKS: set[Callable[..., Any]] = set()

T = TypeVar("T")

# Why a write method needs only a read right (`read_by_post`), the reasons used so far.
POSTED_KEYS = "reads only: the keys are posted, so that none appears in a URL or an access log"


@dataclass(frozen=True)
class Declared:
    """What a route needs: a right (any one of `duties`, with `access`), a logged-in
    operator, or nothing (`public`). `reason` says why a route is public, or why a write
    method needs only a read right."""

    kind: Kind
    duties: tuple[str, ...] = ()
    access: Access = "read"
    reason: str = ""

    def permits(self, may: Callable[[str, str], bool]) -> bool:
        """Whether someone holding the rights `may` answers for passes this declaration;
        `logged_in` and `public` need no right (the session or the token is checked by the
        dependency that calls this)."""
        if self.kind == "holder":  # a holder is no operator: only the portal's session
            return False
        if self.kind != "right":
            return True
        return any(may(duty, self.access) for duty in self.duties)

    def as_openapi(self) -> dict[str, Any]:
        shown: dict[str, Any] = {"kind": self.kind}
        if self.kind == "right":
            shown |= {"duties": list(self.duties), "access": self.access}
        if self.reason:
            shown["reason"] = self.reason
        return shown


def _declare(declared: Declared) -> Callable[[T], T]:
    def mark(target: T) -> T:
        if getattr(target, _ATTRIBUTE, declared) != declared:
            raise ValueError(f"{target!r} is already declared differently")
        setattr(target, _ATTRIBUTE, declared)
        return target

    return mark


def needs(
    duties: str | tuple[str, ...], access: Access, *, read_by_post: str = ""
) -> Callable[[T], T]:
    """The route needs `access` to one of `duties` (update covers read). An unknown duty is
    an error when the module is imported, not a route nobody can ever use."""
    named = (duties,) if isinstance(duties, str) else tuple(duties)
    unknown = [duty for duty in named if duty not in DUTIES]
    if not named or unknown:
        raise ValueError(f"unknown duties {unknown or named!r}")
    if read_by_post and access != "read":
        raise ValueError("read_by_post explains a read right on a write method")
    return _declare(Declared("right", named, access, read_by_post))


def logged_in(target: T) -> T:
    """Any operator logged in to this console, whatever their rights."""
    return _declare(Declared("logged_in"))(target)


def holder_logged_in(target: T) -> T:
    """A card holder logged in to マイナポータル (portal/pages.py checks the session)."""
    return _declare(Declared("holder"))(target)


def public(reason: str) -> Callable[[T], T]:
    """No operator right: `reason` says why (it is shown in the OpenAPI and reviewed by the
    test's short allow-list)."""
    if not reason:
        raise ValueError("a public route says why")
    return _declare(Declared("public", reason=reason))


def checks_declaration(dependency: T) -> T:
    """Marks a dependency that enforces the matched route's declaration (the API guard, the
    console's clerk), so that the route walk can tell a declared route nobody checks."""
    _CHECKS.add(dependency)  # type: ignore[arg-type]
    return dependency


def declared(target: object) -> Declared | None:
    """The declaration of a route (its endpoint), a mounted app, or an endpoint itself."""
    for candidate in (getattr(target, "endpoint", None), getattr(target, "app", None), target):
        found = getattr(candidate, _ATTRIBUTE, None) if candidate is not None else None
        if isinstance(found, Declared):
            return found
    return None


def of_request(scope: Mapping[str, Any]) -> Declared | None:
    """The declaration of the route a request matched (None: deny)."""
    return declared(scope.get("route"))


# --- walking an app's routes ------------------------------------------------------------------


@dataclass(frozen=True)
class RouteRight:
    method: str  # "*" for a mounted app (static files)
    path: str
    declared: Declared | None
    checked: bool  # behind a dependency that enforces the declaration

    @property
    def problem(self) -> str | None:
        """What is wrong with this route's declaration, if anything."""
        found = self.declared
        if found is None:
            return "undeclared"
        if found.kind == "public":
            return None
        if not self.checked:
            return "declared, but no dependency checks it"
        if (
            found.kind == "right"
            and found.access == "read"
            and self.method in WRITE_METHODS
            and not found.reason
        ):
            return "write method guarded by a read right"
        return None


def _calls(dependant: Any) -> Iterator[Any]:
    if dependant is None:
        return
    yield dependant.call
    for sub in dependant.dependencies:
        yield from _calls(sub)


def _checked(route: Any) -> bool:
    return any(call in _CHECKS for call in _calls(getattr(route, "dependant", None)))


def _contexts(routes: Iterable[Any]) -> Iterator[Any]:
    """Every route, included routers flattened: FastAPI ≥ 0.16x keeps an included router as
    one entry whose routes are its `effective_route_contexts` (path with the prefix)."""
    for route in routes:
        contexts = getattr(route, "effective_route_contexts", None)
        if contexts is not None:
            yield from contexts()
        else:
            yield route


def route_rights(app: FastAPI | APIRouter) -> list[RouteRight]:
    """(method, path, declaration, checked) for every route of `app` (HEAD is GET's)."""
    found: list[RouteRight] = []
    for route in _contexts(app.routes):
        methods = getattr(route, "methods", None)
        path = str(getattr(route, "path", ""))
        target = getattr(route, "original_route", route)
        mark = declared(route) or declared(target)
        checked = _checked(route) or _checked(target)
        if not methods:  # a mounted app: static files
            found.append(RouteRight("*", path, mark, checked))
            continue
        found += [RouteRight(m, path, mark, checked) for m in sorted(methods) if m != "HEAD"]
    return found


def publish(app: FastAPI) -> None:
    """FastAPI's own routes (the OpenAPI document, Swagger UI, ReDoc) are public: they
    describe the API and hold no data. And each operation of the app's OpenAPI carries its
    route's declaration (`x-juki-right`)."""
    own = {app.openapi_url, app.docs_url, app.redoc_url, app.swagger_ui_oauth2_redirect_url}
    for route in app.routes:
        if getattr(route, "path", None) in own:
            public("the API's own description, no data")(getattr(route, "endpoint", route))
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = build()
            for line in route_rights(app):
                operation = schema.get("paths", {}).get(line.path, {}).get(line.method.lower())
                if operation is not None and line.declared is not None:
                    operation[OPENAPI_KEY] = line.declared.as_openapi()
        return app.openapi_schema or build()

    app.openapi = openapi  # type: ignore[method-assign]
