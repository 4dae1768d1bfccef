"""Clerk accounts for the counter console: a personal log-in with an argon2id password.

This is the one seam issue #4's operator controls plug into (second factor, lockout, rights
per duty, authentication history): the console asks `authenticate` and nothing else.
"""

from __future__ import annotations

from typing import Literal

from argon2 import PasswordHasher
from argon2.exceptions import VerificationError, VerifyMismatchError
from sqlalchemy import select

from juki.core.errors import Conflict, InvalidInput
from juki.core.messaging.node import UnitOfWork
from juki.registry.models import Clerk

_hasher = PasswordHasher()
Role = Literal["clerk", "supervisor"]


def create_clerk(
    uow: UnitOfWork, login: str, name: str, password: str, role: Role = "clerk"
) -> Clerk:
    if len(password) < 12:
        raise InvalidInput("パスワードは12文字以上にしてください", field="password")
    if not login.isascii() or not login.replace("-", "").replace("_", "").isalnum():
        raise InvalidInput("ログインIDは英数字で入力してください", field="login")
    if uow.session.scalars(select(Clerk).where(Clerk.login == login)).first():
        raise Conflict("このログインIDは使われています", field="login", code="login_taken")
    clerk = Clerk(login=login, name=name, password_hash=_hasher.hash(password), role=role)
    uow.session.add(clerk)
    uow.session.flush()
    return clerk


def authenticate(uow: UnitOfWork, login: str, password: str) -> Clerk | None:
    clerk = uow.session.scalars(select(Clerk).where(Clerk.login == login)).first()
    if clerk is None or not clerk.active:
        _hasher.hash(password)  # same cost whether or not the login exists
        return None
    try:
        _hasher.verify(clerk.password_hash, password)
    except (VerifyMismatchError, VerificationError):
        return None
    return clerk


def clerk_by_login(uow: UnitOfWork, login: str) -> Clerk | None:
    clerk = uow.session.scalars(select(Clerk).where(Clerk.login == login)).first()
    return clerk if clerk is not None and clerk.active else None
