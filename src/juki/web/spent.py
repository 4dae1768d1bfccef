"""A token sent with a request refused before the API guard ran is spent all the same
(issue #14): FastAPI parses a body before any dependency, and the input guard refuses a
control character at the door, so neither reaches `web/app.api_guard`. Without this, a
token sent with a broken request could be sent again with a good one."""

from __future__ import annotations

from starlette.requests import Request

from juki.core.audit import log as audit
from juki.core.errors import JukiError
from juki.duties.operators import clients


def spend_unguarded(request: Request) -> None:
    """Spend the request's token and log the refusal, if the token is one of this node's
    and the guard has not already done so; otherwise nothing."""
    app = request.scope.get("app")
    node = getattr(getattr(app, "state", None), "node", None)
    header = request.headers.get("authorization", "")
    if node is None or not header or getattr(request.state, "caller", None) is not None:
        return
    try:
        with node.unit_of_work() as uow:
            caller = clients.authenticate(uow.session, node.node_id, header)
        with node.unit_of_work() as spent:
            clients.spend(spent.session, caller)
    except JukiError:
        return  # not a token of this node, or spent already: nothing to spend
    route = request.scope.get("route")
    function = f"{request.method} {getattr(route, 'path', request.url.path)}"[:64]
    with node.unit_of_work() as log_uow:
        refused = audit.Access(
            operator=caller.audit_name, terminal=caller.terminal, function=function,
            result="invalid_input",
        )  # fmt: skip
        audit.record(log_uow.session, refused)
