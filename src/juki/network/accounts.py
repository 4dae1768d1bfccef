"""Operator accounts for a local network (`juki up`): the first time a municipality starts,
it gets two named personal accounts (AUTH-01: no shared or role logins): a counter clerk
with the register and certificate rights, and a supervisor with approval, support
measures, audit review and account administration; its CS gets a terminal operator, each
prefecture, the national server and the card management system an operator and an
administrator of their own. Their
passwords and TOTP secrets are kept in `.juki/secrets/console-accounts.txt` (mode 0600).

Both log in with password + TOTP: the installer grants that fallback (reason
"初期設定", 30 days) because a fresh laptop may have no WebAuthn authenticator; each can
register one (指紋・顔・PIN) with the enrolment code in the same file, and the supervisor
can then revoke the fallback. `juki operator code <municipality> <login>` prints the
current TOTP code for this local network only.
"""

from __future__ import annotations

import fcntl
import os
import secrets
import socket
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from juki.core.clock import japan_today
from juki.core.files import write_private
from juki.core.messaging.node import Node
from juki.core.messaging.paths import code_of, role_of
from juki.duties.ledgers import service as ledgers
from juki.duties.operators import accounts, clients, rights, second_factor
from juki.duties.operators.accounts import SETUP
from juki.duties.operators.tables import ApiClient
from juki.network.client_auth import ClientAuth
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
        (("resident_records", "update"), ("certificates", "update"), ("card_counter", "update")),
    ),
    SeedAccount(
        "suzuki.hanako", "鈴木　花子", "E2001",
        (("resident_records", "read"), ("correction_approval", "update"),
         ("notice_check", "update"), ("support_measures", "update"), ("certificates", "read"),
         ("audit_review", "read"), ("account_admin", "update"), ("data_export", "update")),
    ),
)  # fmt: skip
# The 市町村CS's terminal operator (001a ACQ-4-7: the CS console's own log-in), and the
# CS's account administrator (its users and rights, USE-2-5; audit review, USE-2-8).
CS_SEED_ACCOUNTS = (
    SeedAccount("yamada.jiro", "山田　次郎", "E3001", (("identity_inquiry", "read"),)),
    SeedAccount(
        "sasaki.akira", "佐々木　明", "E3002",
        (("account_admin", "update"), ("audit_review", "read")),
    ),
)  # fmt: skip
# The prefecture's staff (002 §10.2): an operator who reads the file and asks for batches,
# and an administrator (rights, audit review) who is also the second person a batch needs.
PREFECTURE_SEED_ACCOUNTS = (
    SeedAccount(
        "kobayashi.saburo", "小林　三郎", "P1001",
        (("identity_inquiry", "read"), ("bulk_output", "update")),
    ),
    SeedAccount(
        "watanabe.yoko", "渡辺　洋子", "P2001",
        (("bulk_output", "update"), ("audit_review", "read"), ("account_admin", "update")),
    ),
)  # fmt: skip
# J-LIS staff at the national server (000 §5.3, F2-USE-02).
NATIONAL_SEED_ACCOUNTS = (
    SeedAccount(
        "nakamura.shiro", "中村　四郎", "J1001",
        (("identity_inquiry", "read"), ("statistics", "read")),
    ),
    SeedAccount(
        "yoshida.keiko", "吉田　恵子", "J2001",
        (("statistics", "read"), ("audit_review", "read"), ("account_admin", "update")),
    ),
)  # fmt: skip
# J-LIS staff at the card management system (000 §5.4 F3-USE-02): an operator who looks up
# applications, reads the statistics and follows up print stops (read-only rights), and an
# administrator (rights, audit review).
CARD_SEED_ACCOUNTS = (
    SeedAccount(
        "kimura.goro", "木村　五郎", "C1001",
        (("card_inquiry", "read"), ("statistics", "read"), ("card_contracts", "read")),
    ),
    SeedAccount(
        "matsumoto.emi", "松本　恵美", "C2001",
        (("statistics", "read"), ("audit_review", "read"), ("account_admin", "update")),
    ),
)  # fmt: skip
# J-LIS staff at the 公的個人認証サービス: an operator who resolves a certificate's serial to
# its holder (000 §6.4), and an administrator (rights, audit review).
JPKI_SEED_ACCOUNTS = (
    SeedAccount("inoue.rokuro", "井上　六郎", "P1001", (("jpki_serial_index", "read"),)),
    SeedAccount(
        "hayashi.mai", "林　麻衣", "P2001",
        (("audit_review", "read"), ("account_admin", "update")),
    ),
)  # fmt: skip
# J-LIS staff at the 証明書交付センター: an operator who reads the centre's statistics, and
# an administrator (rights, audit review). Kiosk terminals are API clients, not accounts.
KIOSK_SEED_ACCOUNTS = (
    SeedAccount("kimura.shiro", "木村　四郎", "Q1001", (("statistics", "read"),)),
    SeedAccount(
        "saito.yumi", "斎藤　由美", "Q2001",
        (("audit_review", "read"), ("account_admin", "update")),
    ),
)  # fmt: skip
# The issuance contractor's staff at its カード発行システム: a line supervisor who runs the
# line and reads the orders, and an administrator (rights, audit review).
ISSUANCE_SEED_ACCOUNTS = (
    SeedAccount("ono.kenta", "小野　健太", "F1001", (("card_manufacture", "update"),)),
    SeedAccount(
        "ueda.mai", "上田　麻衣", "F2001",
        (("audit_review", "read"), ("account_admin", "update")),
    ),
)  # fmt: skip
# An institution's staff on the information-provision network: at the 団体内統合宛名 the
# business systems' lookup of a person's 統合宛名番号; at the 中間サーバー 情報照会 (001a §2.4
# ②) and the review of held answers (NWS-5-3); an administrator at each (rights, audit
# review; at the 中間サーバー also the 副本's export, NWS-7-3).
ATENA_SEED_ACCOUNTS = (
    SeedAccount("mori.kei", "森　圭", "A1001", (("atena_lookup", "read"),)),
    SeedAccount(
        "hara.yoko", "原　洋子", "A2001", (("audit_review", "read"), ("account_admin", "update"))
    ),
)  # fmt: skip
INTERMEDIATE_SEED_ACCOUNTS = (
    SeedAccount(
        "ishii.jun", "石井　純", "M1001", (("info_query", "update"), ("fukuhon_view", "read"))
    ),
    SeedAccount(
        "nishi.aki", "西　亜紀", "M1002", (("provision_review", "update"), ("fukuhon_view", "read"))
    ),
    SeedAccount(
        "kudo.rie", "工藤　理恵", "M2001",
        (("audit_review", "read"), ("account_admin", "update"), ("data_export", "update")),
    ),
)  # fmt: skip
# Who checks the seed clerk's 届出 (届出点検, C-01), e.g. for `juki simulate`.
NOTICE_CHECKER = next(s.login for s in SEED_ACCOUNTS if ("notice_check", "update") in s.rights)
TOTP_SETUP_DAYS = 30
SETUP_TOTP_REASON = "初期設定（juki up）: 認証器の登録までの代替手段"


def record_training(session: Session, login: str) -> None:
    """The demo's staff come trained (001a EDU-1: rights are approved only after a passed
    training is on record)."""
    fields = {"login": login, "course": "住基ネット初任者研修", "passed": True}
    ledgers.add(
        session, "training", fields | {"attended_on": japan_today().isoformat()},
        actor=SETUP.login, terminal="setup",
    )  # fmt: skip


SEEDS_BY_ROLE = {
    "registry": SEED_ACCOUNTS,
    "cs": CS_SEED_ACCOUNTS,
    "prefecture": PREFECTURE_SEED_ACCOUNTS,
    "national": NATIONAL_SEED_ACCOUNTS,
    "card": CARD_SEED_ACCOUNTS,
    "jpki": JPKI_SEED_ACCOUNTS,
    "kiosk": KIOSK_SEED_ACCOUNTS,
    "issuance": ISSUANCE_SEED_ACCOUNTS,
    "atena": ATENA_SEED_ACCOUNTS,
    "intermediate": INTERMEDIATE_SEED_ACCOUNTS,
}


def ensure_console_accounts(network: EmbeddedNetwork, secrets_dir: Path) -> Path:
    # The file's order, as it always was: every register's accounts, then every CS's,
    # then the prefectures', J-LIS's and the card system's (a register and its CS share
    # the municipality code at the start of their lines).
    order = list(SEEDS_BY_ROLE)
    nodes = sorted(network.nodes.values(), key=lambda node: order.index(node.role)
                   if node.role in order else len(order))  # fmt: skip
    return ensure_seed_accounts(nodes, secrets_dir)


def ensure_seed_accounts(nodes: list[Node], secrets_dir: Path) -> Path:
    """The seed accounts of each node (by its role) that has none of them yet; their
    passwords, enrolment codes and TOTP URIs in `console-accounts.txt`."""
    secrets_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    # Node processes of one network may start together: one at a time reads, adds, writes.
    with (secrets_dir / ".console-accounts.lock").open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        return _add_seed_accounts(nodes, secrets_dir / "console-accounts.txt")


def _add_seed_accounts(nodes: list[Node], path: Path) -> Path:
    lines = path.read_text().splitlines() if path.exists() else []
    known = {tuple(line.split("\t")[:2]) for line in lines}
    for node in nodes:
        node_id, seeds = node.node_id, SEEDS_BY_ROLE.get(role_of(node.node_id), ())
        # A municipality's lines start with its code (as they always have), a tier's with
        # its node id (prefecture:13, national, card).
        lg = code_of(node_id) if role_of(node_id) in ("registry", "cs") else node_id
        with node.unit_of_work() as uow:
            for seed in seeds:
                if (lg, seed.login) in known or accounts.by_login(uow.session, seed.login):
                    continue
                password = secrets.token_urlsafe(12)
                operator, code = accounts.create_operator(
                    uow.session, SETUP, login=seed.login, person_name=seed.person_name,
                    employee_no=seed.employee_no, password=password,
                )  # fmt: skip
                for duty, access in seed.rights:
                    rights.grant_at_setup(uow.session, operator, duty, access)
                record_training(uow.session, seed.login)
                _grant, uri = second_factor.grant_at_setup(
                    uow.session, node.keys, operator, SETUP_TOTP_REASON, TOTP_SETUP_DAYS
                )
                lines.append("\t".join([lg, seed.login, password, code, uri]))
    write_private(path, ("\n".join(lines) + "\n").encode())
    return path


# --- the local `juki` command as an API client ------------------------------------------------

LOCAL_CLIENT_ID = "system:juki-cli"
LOCAL_CLIENT_RIGHTS: dict[str, dict[str, str]] = {
    # notice_check: `juki simulate` checks each 届出 as a second, named operator (C-01).
    "registry": {"resident_records": "update", "certificates": "update", "notice_check": "update"},
    "cs": {"consistency_check": "update"},
    "prefecture": {"identity_inquiry": "read", "consistency_check": "read"},
    "national": {"identity_inquiry": "read", "consistency_check": "read"},
    "numbering": {},
    "card": {"statistics": "read", "card_face_verify": "read"},
    "jpki": {"jpki_verify": "read"},
    "kiosk": {"kiosk_terminal": "update"},
    "issuance": {"card_manufacture": "update"},
    "infonet": {},
    "atena": {"atena_lookup": "read"},
    "intermediate": {"info_query": "update", "fukuhon_view": "read"},
    "portal": {},
}


def local_client_key(home: Path) -> clients.ClientKey:
    """The local command's signing key (`.juki/secrets/api-client.pem`, mode 0600)."""
    path = home / "secrets" / "api-client.pem"
    if not path.exists():
        write_private(path, clients.ClientKey.generate(LOCAL_CLIENT_ID).private_pem())
    return clients.ClientKey.from_pem(LOCAL_CLIENT_ID, path.read_bytes())


def ensure_local_client(nodes: list[Node], home: Path) -> clients.ClientKey:
    """Register the local command on each node (once), with the rights its commands need."""
    key = local_client_key(home)
    for node in nodes:
        with node.unit_of_work() as uow:
            found = uow.session.scalars(
                select(ApiClient.id).where(ApiClient.client_id == LOCAL_CLIENT_ID)
            ).first()
            if found is None:
                clients.register_client(
                    uow.session, SETUP, node.role, client_id=LOCAL_CLIENT_ID,
                    name="juki コマンド（このネットワークの運用者）",
                    public_key_pem=key.public_pem(),
                    rights=LOCAL_CLIENT_RIGHTS[role_of(node.node_id)],
                )  # fmt: skip
    return key


# Whom the local command acts for at each kind of node when no operator is named: the
# node's own seed account that does the command's work (issue #14: the operator a token
# names must be an account of the node it calls). JUKI_OPERATOR names another account.
LOCAL_OPERATORS = {
    "registry": SEED_ACCOUNTS[0].login,
    "cs": CS_SEED_ACCOUNTS[0].login,
    "prefecture": PREFECTURE_SEED_ACCOUNTS[0].login,
    "national": NATIONAL_SEED_ACCOUNTS[0].login,
    "card": CARD_SEED_ACCOUNTS[0].login,
    "jpki": JPKI_SEED_ACCOUNTS[0].login,
    "kiosk": KIOSK_SEED_ACCOUNTS[0].login,
    "issuance": ISSUANCE_SEED_ACCOUNTS[0].login,
    "atena": ATENA_SEED_ACCOUNTS[0].login,
    "intermediate": INTERMEDIATE_SEED_ACCOUNTS[0].login,
}


def local_operator(node_id: str) -> str:
    """The account the local command acts for at `node_id` (JUKI_OPERATOR, else the
    node's seed account)."""
    return os.environ.get("JUKI_OPERATOR") or LOCAL_OPERATORS.get(role_of(node_id), "")


def local_auth(home: Path, operator: str | None = None) -> ClientAuth:
    """Requests signed as the local command, for `operator` (an account of every node it
    calls), or for each node's own seed account."""
    return ClientAuth(local_client_key(home), operator or local_operator, socket.gethostname())
