"""The operator tables, present in every node's database (each role's migrations create
them with `migrations.create_operator_tables_v1`)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    Date,
    DateTime,
    ForeignKey,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class OperatorBase(DeclarativeBase):
    metadata = MetaData()


operator_metadata = OperatorBase.metadata


class Operator(OperatorBase):
    """One person's account (利用者ID): never shared, never a role (000 AUTH-01)."""

    __tablename__ = "operators"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    login: Mapped[str] = mapped_column(String(40), unique=True)
    person_name: Mapped[str] = mapped_column(String(100))  # the named person
    employee_no: Mapped[str] = mapped_column(String(20), unique=True)  # 職員番号: 1 person ↔ 1 ID
    password_hash: Mapped[str] = mapped_column(String(200))  # argon2id
    status: Mapped[str] = mapped_column(String(12), default="active")  # active|suspended|retired
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    # Wrong one-time codes and authenticator answers, counted apart from passwords (issue
    # #14): the console's second step and a witness's code (same secret, same budget).
    failed_second_factors: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    locked_until: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    # Raised on suspension, retirement and password change: every session that carries an
    # older epoch is over at its next request.
    session_epoch: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[str] = mapped_column(String(40))
    last_login_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    # 所属: the section (課) the person works in, and whether they are ward staff (職員) or a
    # contractor's staff (委託先, 001a OUT-2, USE-3-3). A contractor's account stays
    # `pending` until their written pledge (誓約書) is on file.
    section: Mapped[str] = mapped_column(String(60), default="")
    affiliation: Mapped[str] = mapped_column(String(12), default="staff")  # staff | contractor
    contractor_name: Mapped[str | None] = mapped_column(String(100))  # 委託先事業者
    pledge_on: Mapped[dt.date | None] = mapped_column(Date)  # 誓約書の受領日


class EnrolmentCode(OperatorBase):
    """A one-time code the administrator hands to a new operator, who uses it once, with
    the password, to register their authenticator."""

    __tablename__ = "operator_enrolments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    operator_id: Mapped[int] = mapped_column(ForeignKey("operators.id"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))  # SHA-256; the code is shown once
    issued_by: Mapped[str] = mapped_column(String(40))
    issued_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    used_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class WebAuthnCredential(OperatorBase):
    """A registered authenticator (public key only; the private key never leaves it)."""

    __tablename__ = "operator_credentials"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    operator_id: Mapped[int] = mapped_column(ForeignKey("operators.id"), index=True)
    credential_id: Mapped[str] = mapped_column(String(400), unique=True)  # base64url
    public_key: Mapped[bytes] = mapped_column(LargeBinary)  # COSE
    sign_count: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    last_used_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class TotpGrant(OperatorBase):
    """The TOTP fallback, granted by an administrator with a reason and an expiry (as
    熊本県 records an exemption for operators who cannot use biometric authentication)."""

    __tablename__ = "operator_totp_grants"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    operator_id: Mapped[int] = mapped_column(ForeignKey("operators.id"), index=True)
    secret: Mapped[bytes] = mapped_column(LargeBinary)  # encrypted with the node's field key
    reason: Mapped[str] = mapped_column(Text)
    granted_by: Mapped[str] = mapped_column(String(40))
    granted_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    revoked_by: Mapped[str | None] = mapped_column(String(40))
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    last_step: Mapped[int] = mapped_column(Integer, default=0)  # a code is accepted once


class OperatorRight(OperatorBase):
    """One row of the access-right ↔ duty matrix (アクセス権限と事務の対応表, 000 ACL-01):
    an operator may do `duty` with `access` (update or read). Requested by one person,
    approved or refused by another, revoked on transfer or retirement (ACL-02, ACL-03)."""

    __tablename__ = "operator_rights"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    operator_id: Mapped[int] = mapped_column(ForeignKey("operators.id"), index=True)
    duty: Mapped[str] = mapped_column(String(40))
    access: Mapped[str] = mapped_column(String(8))  # update | read
    status: Mapped[str] = mapped_column(String(12))  # requested|granted|refused|revoked
    reason: Mapped[str] = mapped_column(Text)
    # The written application the request rests on (002 REQ-AUTH-03: 照合ID付与申請書, a
    # 利用者登録申請書): its number or reference, never its content. Required where the
    # node's PIA asks for one (`rights.application_ref_required`); empty for the
    # installer's grants and for rows older than the column.
    application_ref: Mapped[str | None] = mapped_column(String(40))
    requested_by: Mapped[str] = mapped_column(String(40))
    requested_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    decided_by: Mapped[str | None] = mapped_column(String(40))
    decided_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_by: Mapped[str | None] = mapped_column(String(40))
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    revoke_reason: Mapped[str | None] = mapped_column(Text)


class ApiClient(OperatorBase):
    """A system that calls this node's API: a municipality's own system, another body's
    (an agency's) system, or the local `juki` command. It signs each request with its key;
    each request also names the end operator and terminal (000 AUTH-03)."""

    __tablename__ = "api_clients"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    client_id: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(100))  # the body (機関) in Japanese
    public_key: Mapped[str] = mapped_column(Text)  # Ed25519, PEM
    rights: Mapped[str] = mapped_column(Text)  # JSON {duty: access}
    body_code: Mapped[str | None] = mapped_column(String(40))  # its row in the legal table
    # X25519, PEM: result files (一括提供) are sealed to this key, so only the body reads them.
    media_public_key: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(12), default="active")  # active | revoked
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[str] = mapped_column(String(40))
    # During a key rotation the client has two keys: the new one is added, the client
    # signs with it, then the old one is retired (`clients.add_key`, `retire_key`). A
    # token names its key by `kid` (RFC 7515 §4.1.4), the key's fingerprint.
    next_public_key: Mapped[str | None] = mapped_column(Text)
    # Whom a token may name as its end operator (issue #14): "accounts" — an active
    # operator account of this node (the local `juki` command); "listed" — one of the
    # client's end operators registered here (`ApiClientOperator`).
    operator_source: Mapped[str] = mapped_column(
        String(12), default="listed", server_default="listed"
    )


class ApiClientOperator(OperatorBase):
    """An end operator of another body's system, registered at this node: a token of that
    client naming anybody else is refused (000 AUTH-03; issue #14)."""

    __tablename__ = "api_client_operators"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    client_id: Mapped[str] = mapped_column(String(60), index=True)
    operator: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(12), default="active")  # active | removed
    added_by: Mapped[str] = mapped_column(String(40))
    added_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class ApiTokenUse(OperatorBase):
    """A token already used (its `jti`, RFC 7519 §4.1.7), kept until it expires: a token
    is good for one request only, so one copied off the wire cannot be sent again."""

    __tablename__ = "api_token_uses"
    __table_args__ = (UniqueConstraint("client_id", "jti"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    client_id: Mapped[str] = mapped_column(String(60))
    jti: Mapped[str] = mapped_column(String(64))
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), index=True)


class ConsoleSession(OperatorBase):
    """A console session, kept on the server (issue #14): the browser holds only a random
    id, and this row holds what the session knows (who is logging in or logged in, the
    terminal, the CSRF token, a pending WebAuthn challenge), so that log-out, the idle lock
    and single-use challenges are enforced here and a copied cookie is worth nothing once
    the row is gone. The id is stored as its SHA-256, so a copy of the table opens no
    session. Never personal information of residents."""

    __tablename__ = "console_sessions"

    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    data: Mapped[str] = mapped_column(Text)  # JSON
    login: Mapped[str | None] = mapped_column(String(40), index=True)  # once logged in
    version: Mapped[int] = mapped_column(Integer, default=0)  # compare-and-set on write
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    seen_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), index=True)
