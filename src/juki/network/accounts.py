"""Operator accounts for a local network (`juki up`): the first time a municipality starts,
it gets two named personal accounts (AUTH-01: no shared or role logins): a counter clerk
with the register and certificate rights, and a supervisor with approval, support
measures, audit review and account administration. Their passwords and TOTP secrets are
kept in `.juki/secrets/console-accounts.txt` (mode 0600).

Both log in with password + TOTP: the installer grants that fallback (reason
"初期設定", 30 days) because a fresh laptop may have no WebAuthn authenticator; each can
register one (指紋・顔・PIN) with the enrolment code in the same file, and the supervisor
can then revoke the fallback. `juki operator code <municipality> <login>` prints the
current TOTP code for this local network only.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from juki.core.messaging.paths import code_of
from juki.core.operators import accounts, rights, second_factor
from juki.core.operators.accounts import SETUP
from juki.network.embedded import EmbeddedNetwork


@dataclass(frozen=True)
class SeedAccount:
    login: str
    person_name: str
    employee_no: str
    rights: tuple[tuple[str, str], ...]


SEED_ACCOUNTS = (
    SeedAccount(
        "tanaka.ichiro", "田中　一郎", "E1001",
        (("resident_records", "update"), ("certificates", "update")),
    ),
    SeedAccount(
        "suzuki.hanako", "鈴木　花子", "E2001",
        (("resident_records", "read"), ("correction_approval", "update"),
         ("support_measures", "update"), ("certificates", "read"),
         ("audit_review", "read"), ("account_admin", "update")),
    ),
)  # fmt: skip
TOTP_SETUP_DAYS = 30
SETUP_TOTP_REASON = "初期設定（juki up）: 認証器の登録までの代替手段"


def ensure_console_accounts(network: EmbeddedNetwork, secrets_dir: Path) -> Path:
    path = secrets_dir / "console-accounts.txt"
    lines = path.read_text().splitlines() if path.exists() else []
    known = {tuple(line.split("\t")[:2]) for line in lines}
    for lg in network.municipalities():
        node = network.node(f"registry:{lg}")
        with node.unit_of_work() as uow:
            for seed in SEED_ACCOUNTS:
                if (lg, seed.login) in known or accounts.by_login(uow.session, seed.login):
                    continue
                password = secrets.token_urlsafe(12)
                operator, code = accounts.create_operator(
                    uow.session, SETUP, login=seed.login, person_name=seed.person_name,
                    employee_no=seed.employee_no, password=password,
                )  # fmt: skip
                for duty, access in seed.rights:
                    rights.grant_at_setup(uow.session, operator, duty, access)
                _grant, uri = second_factor.new_grant(
                    uow.session, node.keys, operator, SETUP_TOTP_REASON, SETUP.login,
                    TOTP_SETUP_DAYS,
                )  # fmt: skip
                lines.append(
                    "\t".join([code_of("registry:" + lg), seed.login, password, code, uri])
                )
    path.write_text("\n".join(lines) + "\n")
    os.chmod(path, 0o600)
    return path
