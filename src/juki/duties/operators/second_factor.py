"""The second factor: WebAuthn with user verification required, standing for the PIAs'
生体認証 (000 AUTH-02), done with py_webauthn; TOTP (RFC 6238, pyotp) only where an
administrator granted it, with a reason and an expiry, and never for longer than it says.

The ceremonies are split the same way for registration and log-in: `*_options` makes the
challenge (the caller keeps it in the signed session), `verify_*` checks the browser's
answer against it.
"""

from __future__ import annotations

import datetime as dt
import json

import pyotp
from sqlalchemy import select
from sqlalchemy.orm import Session
from webauthn import (
    base64url_to_bytes,
    generate_authentication_options,
    generate_registration_options,
    options_to_json,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers import bytes_to_base64url
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from juki.core.clock import as_utc
from juki.core.crypto import FieldKeys, sealed_label
from juki.core.errors import Conflict, InvalidInput, Refused
from juki.duties.operators.accounts import (
    SETUP,
    Actor,
    AuthRefused,
    administrator,
    log_admin,
    now,
    require,
    spend_enrolment,
    usable_enrolment,
)
from juki.duties.operators.tables import Operator, TotpGrant, WebAuthnCredential

RP_NAME = "juki 住民基本台帳ネットワーク"
TOTP_MAX_DAYS = 90  # an exemption is reviewed at least every quarter
TOTP_COLUMN = sealed_label("operator_totp_grants.secret")


# --- WebAuthn -------------------------------------------------------------------------------


def registration_options(operator: Operator, rp_id: str, existing: list[str]) -> tuple[str, str]:
    """Options for navigator.credentials.create, and the challenge to keep."""
    options = generate_registration_options(
        rp_id=rp_id, rp_name=RP_NAME, user_name=operator.login,
        user_id=f"operator-{operator.id}".encode(), user_display_name=operator.person_name,
        authenticator_selection=AuthenticatorSelectionCriteria(
            user_verification=UserVerificationRequirement.REQUIRED,
            resident_key=ResidentKeyRequirement.DISCOURAGED,
        ),
        exclude_credentials=[_descriptor(c) for c in existing],
    )  # fmt: skip
    return options_to_json(options), bytes_to_base64url(options.challenge)


def verify_registration(
    session: Session,
    operator: Operator,
    enrolment_id: int,
    answer: str,
    challenge: str,
    rp_id: str,
    origin: str,
) -> WebAuthnCredential:
    """The person registers their own authenticator (at first log-in, or later with a new
    code): no administrator acts here, so the one-time code an administrator issued them
    (`accounts.issue_enrolment`, checked there) is what authorises it, spent now — no code,
    no registration. The code is checked first and spent only once the answer is
    verified: a refused answer (this function's caller commits its failure count) leaves
    it usable."""
    usable_enrolment(session, operator, enrolment_id)
    try:
        verified = verify_registration_response(
            credential=_parsed(answer), expected_challenge=_challenge(challenge),
            expected_rp_id=rp_id, expected_origin=origin, require_user_verification=True,
        )  # fmt: skip
    except WebAuthnException:  # a bad answer or a malformed one: refused, never a 500
        raise AuthRefused(
            "認証器を登録できませんでした（本人確認（生体認証等）が必要です）", field="credential"
        ) from None
    spend_enrolment(session, operator, enrolment_id)
    credential = WebAuthnCredential(
        operator_id=operator.id, credential_id=bytes_to_base64url(verified.credential_id),
        public_key=verified.credential_public_key, sign_count=verified.sign_count,
        created_at=now(),
    )  # fmt: skip
    session.add(credential)
    session.flush()
    return credential


def credential_ids(session: Session, operator: Operator) -> list[str]:
    return list(
        session.scalars(
            select(WebAuthnCredential.credential_id).where(
                WebAuthnCredential.operator_id == operator.id
            )
        )
    )


def authentication_options(rp_id: str, credentials: list[str]) -> tuple[str, str]:
    options = generate_authentication_options(
        rp_id=rp_id,
        allow_credentials=[_descriptor(c) for c in credentials],
        user_verification=UserVerificationRequirement.REQUIRED,
    )
    return options_to_json(options), bytes_to_base64url(options.challenge)


def verify_assertion(
    session: Session,
    operator: Operator,
    answer: str,
    challenge: str,
    rp_id: str,
    origin: str,
) -> None:
    parsed = _parsed(answer)
    credential = session.scalars(
        select(WebAuthnCredential).where(
            WebAuthnCredential.operator_id == operator.id,
            WebAuthnCredential.credential_id == str(parsed.get("id", "")),
        )
    ).first()
    if credential is None:
        raise AuthRefused("登録されていない認証器です", field="credential")
    try:
        verified = verify_authentication_response(
            credential=parsed, expected_challenge=_challenge(challenge), expected_rp_id=rp_id,
            expected_origin=origin, credential_public_key=credential.public_key,
            credential_current_sign_count=credential.sign_count,
            require_user_verification=True,
        )  # fmt: skip
    except WebAuthnException:  # a bad answer or a malformed one: refused, never a 500
        raise AuthRefused("生体認証を確認できませんでした", field="credential") from None
    credential.sign_count = verified.new_sign_count
    credential.last_used_at = now()


def _descriptor(credential_id: str) -> PublicKeyCredentialDescriptor:
    return PublicKeyCredentialDescriptor(id=base64url_to_bytes(credential_id))


def _parsed(answer: str) -> dict[str, object]:
    try:
        parsed = json.loads(answer)
    except ValueError:
        raise AuthRefused("認証器の応答を読めません", field="credential") from None
    if not isinstance(parsed, dict):
        raise AuthRefused("認証器の応答を読めません", field="credential")
    return parsed


def _challenge(challenge: str) -> bytes:
    if not challenge:
        raise AuthRefused("ログインをやり直してください", field="credential")
    return base64url_to_bytes(challenge)


# --- TOTP fallback ----------------------------------------------------------------------------


def grant_totp(
    session: Session,
    keys: FieldKeys,
    actor: Actor,
    *,
    login: str,
    reason: str,
    days: int,
) -> tuple[TotpGrant, str]:
    """An administrator's exemption for another person (the TOTP secret is that person's
    second factor, enrolled on the administrator's word): returns the grant and the
    provisioning URI (shown once, for the operator's authenticator app). A refused actor
    is in the audit log (`accounts.administrator`)."""
    granting = administrator(session, actor, "operators.totp_grant", login)
    operator = require(session, login)
    if not reason.strip():
        raise InvalidInput("生体認証を使えない理由を入力してください", field="reason")
    if not 1 <= days <= TOTP_MAX_DAYS:
        raise InvalidInput(f"有効期間は1〜{TOTP_MAX_DAYS}日です", field="days")
    if active_grant(session, operator) is not None:
        raise Conflict("有効なワンタイムパスワードの許可が既にあります", field="login")
    grant, uri = _store_grant(session, keys, operator, reason.strip(), granting.login, days)
    log_admin(session, actor, "operators.totp_grant", operator.login)
    return grant, uri


def grant_at_setup(
    session: Session, keys: FieldKeys, operator: Operator, reason: str, days: int
) -> tuple[TotpGrant, str]:
    """The installer's exemption for a node's first accounts, before any administrator
    exists (as `rights.grant_at_setup`): only for an account the installer itself created
    that has never logged in and holds no grant yet, so that no later path can use it to
    skip `grant_totp`'s administrator check (000 AUTH-02). Recorded in the audit log as
    the installer's act."""
    if operator.created_by != SETUP.login or operator.last_login_at is not None:
        raise Refused("初期設定で作られたIDにだけ使えます", field="login", code="not_setup")
    if not 1 <= days <= TOTP_MAX_DAYS:
        raise InvalidInput(f"有効期間は1〜{TOTP_MAX_DAYS}日です", field="days")
    if session.scalar(select(TotpGrant.id).where(TotpGrant.operator_id == operator.id)):
        raise Conflict("初期設定の許可は一度だけです", field="login", code="not_setup")
    grant, uri = _store_grant(session, keys, operator, reason, SETUP.login, days)
    log_admin(session, SETUP, "operators.totp_grant", operator.login)
    return grant, uri


def _store_grant(
    session: Session, keys: FieldKeys, operator: Operator, reason: str, granted_by: str, days: int
) -> tuple[TotpGrant, str]:
    """Store a grant with a fresh secret (encrypted); returns it with its provisioning URI.
    Callers check who may: `grant_totp` (an administrator) and `grant_at_setup`."""
    secret = pyotp.random_base32()
    at = now()
    grant = TotpGrant(
        operator_id=operator.id, secret=keys.encrypt(secret, column=TOTP_COLUMN),
        reason=reason, granted_by=granted_by[:40], granted_at=at,
        expires_at=at + dt.timedelta(days=days), last_step=0,
    )  # fmt: skip
    session.add(grant)
    session.flush()
    return grant, pyotp.TOTP(secret).provisioning_uri(name=operator.login, issuer_name="juki")


def revoke_totp(session: Session, actor: Actor, login: str) -> None:
    """An administrator ends another person's exemption (one's own is ended by another
    administrator, as every act on an account is)."""
    administrator(session, actor, "operators.totp_revoke", login)
    operator = require(session, login)
    grant = active_grant(session, operator)
    if grant is None:
        raise Conflict("有効な許可がありません", field="login", code="wrong_state")
    grant.revoked_by, grant.revoked_at = actor.login[:40], now()
    log_admin(session, actor, "operators.totp_revoke", operator.login)


def active_grant(
    session: Session, operator: Operator, at: dt.datetime | None = None
) -> TotpGrant | None:
    at = at or now()
    for grant in session.scalars(
        select(TotpGrant).where(
            TotpGrant.operator_id == operator.id, TotpGrant.revoked_at.is_(None)
        )
    ):
        if as_utc(grant.expires_at) > at:
            return grant
    return None


def verify_totp(
    session: Session, keys: FieldKeys, operator: Operator, code: str, at: dt.datetime | None = None
) -> None:
    at = at or now()
    grant = active_grant(session, operator, at)
    if grant is None:
        raise AuthRefused("ワンタイムパスワードの利用は許可されていません", field="totp")
    totp = pyotp.TOTP(keys.decrypt(grant.secret, column=TOTP_COLUMN))
    step = int(at.timestamp()) // totp.interval
    # The code of this 30-second step or the one before (clock drift), each accepted once.
    for candidate in (step, step - 1):
        if candidate > grant.last_step and totp.verify(code.strip(), for_time=candidate * 30):
            grant.last_step = candidate
            return
    raise AuthRefused("ワンタイムパスワードが違います", field="totp")


def current_code(session: Session, keys: FieldKeys, login: str) -> str:
    """The code now, for the local network's operator (`juki operator code`); a real
    deployment's codes come from the operator's own authenticator app."""
    grant = active_grant(session, require(session, login))
    if grant is None:
        raise Conflict("有効な許可がありません", field="login", code="wrong_state")
    return pyotp.TOTP(keys.decrypt(grant.secret, column=TOTP_COLUMN)).now()
