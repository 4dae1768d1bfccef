"""Console accounts for a local network: each municipality gets a clerk (係員) and a
supervisor (監督者) the first time it starts, with random passwords kept in
`.juki/secrets/console-accounts.txt` (mode 0600). Real deployments add named accounts with
`juki clerk add` (issue #4 brings the full operator controls)."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from juki.core.messaging.paths import code_of
from juki.network.embedded import EmbeddedNetwork
from juki.registry import clerks

DEFAULT_ACCOUNTS = (("kakari", "窓口　係員", "clerk"), ("kanri", "窓口　監督者", "supervisor"))


def ensure_console_accounts(network: EmbeddedNetwork, secrets_dir: Path) -> Path:
    path = secrets_dir / "console-accounts.txt"
    lines = path.read_text().splitlines() if path.exists() else []
    known = {tuple(line.split("\t")[:2]) for line in lines}
    for lg in network.municipalities():
        with network.node(f"registry:{lg}").unit_of_work() as uow:
            for login, name, role in DEFAULT_ACCOUNTS:
                if (lg, login) in known or clerks.clerk_by_login(uow, login):
                    continue
                password = secrets.token_urlsafe(12)
                clerks.create_clerk(uow, login, name, password, role)  # type: ignore[arg-type]
                lines.append(f"{code_of('registry:' + lg)}\t{login}\t{password}\t{role}")
    path.write_text("\n".join(lines) + "\n")
    os.chmod(path, 0o600)
    return path
