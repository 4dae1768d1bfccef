"""The API caller's side of `duties/operators/clients.py`: an httpx authentication that
signs a fresh token for every request, naming the node in its path, the end operator and
the terminal."""

from __future__ import annotations

from collections.abc import Callable, Generator

import httpx

from juki.duties.operators.clients import ClientKey, node_of_path


class ClientAuth(httpx.Auth):
    """httpx authentication: a fresh token for every request, for the node in its path."""

    def __init__(self, key: ClientKey, operator: str | Callable[[str], str], terminal: str) -> None:
        """`operator`: the end operator, or a function from the node called to the end
        operator there (the local command acts for each node's own account)."""
        self.key, self.operator, self.terminal = key, operator, terminal

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        audience = node_of_path(request.url.path)
        operator = self.operator if isinstance(self.operator, str) else self.operator(audience)
        token = self.key.token(audience, operator, self.terminal)
        request.headers["Authorization"] = f"Bearer {token}"
        yield request
