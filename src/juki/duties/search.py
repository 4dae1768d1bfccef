"""本人確認情報検索 over a tier's file (002 §6.5; 001a §3.6; 000 P2.2).

Keys: 住民票コード, 個人番号, or a combination of the 4情報. A 4情報 search needs at least
two items besides sex (001a §3.6: so that the file cannot be assembled into a database),
matches names on 清音化かな or exact kanji, and returns at most MAX_RESULTS rows; more
matches are refused with a request to narrow the search.

Every search, and every provision (`duties/provision`), is written to the node's 提供記録
(`ProvisionLog`), defined here once with its own metadata: the CS, the prefecture, the
national server and the card system add it to their schema (`<role>.models.SCHEMA`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator
from sqlalchemy import DateTime, Integer, MetaData, String, Text, select
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from juki.core import ids
from juki.core.crypto import FieldKeys
from juki.core.errors import InvalidInput, JukiError
from juki.core.identity import NUMBER_COLUMN, IdentityRowMixin
from juki.core.messages import CHANGE_REASON_LABELS, ChangeReason, Sex
from juki.core.text import seion

MAX_RESULTS = 50
# Rows a 住所-prefix search may decrypt to match the sealed 住所 (core/sealed.py).
MAX_CANDIDATES = 5000


class TooManyResults(JukiError):
    code = "too_many_results"
    status = 422


class IdentitySearch(BaseModel):
    """A search request. Exactly one kind of key: code, number, or 4情報."""

    model_config = ConfigDict(extra="forbid")

    resident_code: str | None = None
    individual_number: str | None = None
    name_kanji: str | None = Field(default=None, max_length=100)
    name_kana: str | None = Field(default=None, max_length=100)
    birth_date: dt.date | None = None
    sex: Sex | None = None
    address: str | None = Field(default=None, max_length=200)
    include_removed: bool = False
    purpose: str = Field(min_length=1, max_length=200)  # 利用目的 / 法令上の根拠

    @model_validator(mode="after")
    def _one_kind_of_key(self) -> IdentitySearch:
        four = [self.name_kanji or self.name_kana, self.birth_date, self.address]
        given = sum(1 for item in four if item)
        if self.resident_code:
            ids.validate_resident_code(self.resident_code)
        elif self.individual_number:
            ids.validate_individual_number(self.individual_number)
        elif given < 2:
            raise ValueError("4情報の検索は性別以外に2項目以上を指定してください")
        return self


class IdentityView(BaseModel):
    """The 8 items a tier may provide (000 §4.2 provision; 002 §6.1 1-③)."""

    resident_code: str
    name_kanji: str
    name_kana: str
    birth_date: dt.date
    sex: Sex
    address: str
    individual_number: str | None  # None: the caller may not receive it
    reason: ChangeReason
    reason_label: str
    change_date: dt.date
    lg_code: str
    removed: bool


def search(
    session: Session,
    model: type[IdentityRowMixin],
    keys: FieldKeys,
    query: IdentitySearch,
    *,
    with_number: bool = True,
) -> list[IdentityView]:
    """The current rows matching `query`, at most MAX_RESULTS; each 個人番号 decrypted only
    `with_number` (else None: it never leaves the sealed column)."""
    stmt: Any = select(model).where(model.is_current.is_(True))
    if not query.include_removed:
        stmt = stmt.where(model.removed.is_(False))
    if query.resident_code:
        stmt = stmt.where(model.resident_code == query.resident_code)
    elif query.individual_number:
        index = keys.blind_index(query.individual_number, column=NUMBER_COLUMN)
        stmt = stmt.where(model.individual_number_index == index)
    if query.resident_code or query.individual_number:
        rows = session.scalars(stmt.limit(MAX_RESULTS + 1)).all()
    else:
        rows = _four_items(session, stmt, model, query)
    if len(rows) > MAX_RESULTS:
        raise TooManyResults(
            f"該当が{MAX_RESULTS}件を超えました。条件を追加してください", field="query"
        )
    return [view(row, keys, with_number=with_number) for row in rows]


def _four_items(
    session: Session, stmt: Any, model: type[IdentityRowMixin], query: IdentitySearch
) -> Sequence[IdentityRowMixin]:
    """Names match through their blind indexes (the column type indexes the clear value);
    the 住所 is sealed, so a 住所 prefix is matched on the candidates the other keys found
    (at least one other key is required: IdentitySearch)."""
    if query.name_kana:
        stmt = stmt.where(model.name_seion_index == seion(query.name_kana))
    if query.name_kanji:
        stmt = stmt.where(model.name_kanji_index == query.name_kanji)
    if query.birth_date:
        stmt = stmt.where(model.birth_date == query.birth_date)
    if query.sex:
        stmt = stmt.where(model.sex == query.sex)
    if not query.address:
        return session.scalars(stmt.limit(MAX_RESULTS + 1)).all()
    if len(query.address) < 3:
        raise InvalidInput("住所は3文字以上で指定してください", field="address")
    candidates = session.scalars(stmt.limit(MAX_CANDIDATES + 1)).all()
    if len(candidates) > MAX_CANDIDATES:
        raise TooManyResults("該当が多すぎます。氏名などの条件を追加してください", field="query")
    return [row for row in candidates if row.address.startswith(query.address)]


def view(row: IdentityRowMixin, keys: FieldKeys, *, with_number: bool = True) -> IdentityView:
    reason = ChangeReason(row.change_reason)
    number = (
        keys.decrypt(row.individual_number_cipher, column=NUMBER_COLUMN) if with_number else None
    )
    return IdentityView(
        resident_code=row.resident_code,
        name_kanji=row.name_kanji,
        name_kana=row.name_kana,
        birth_date=row.birth_date,
        sex=row.sex,  # type: ignore[arg-type]
        address=row.address,
        individual_number=number,
        reason=reason,
        reason_label=CHANGE_REASON_LABELS[reason],
        change_date=row.change_date,
        lg_code=row.lg_code,
        removed=row.removed,
    )


class ProvisionLogBase(DeclarativeBase):
    metadata = MetaData()


provision_log_metadata = ProvisionLogBase.metadata


class ProvisionLog(ProvisionLogBase):
    """提供記録 (000 P2.2; 002 §10.4): every search or provision, refusals included. At the
    tiers, every search and every provision by the legal table; at the CS (001a XFER-2-1),
    every send of 本人確認情報 onward, kept 5 years; at the card management system (000
    F3-PRV-01), every provision of 個人番号カード管理情報 to a mayor (1-⑪), with the CS it
    went to and the ordinance, kept 7 years (duties/retention/rules.toml). Persons are
    named by 住民票コード, never by 個人番号."""

    __tablename__ = "provision_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    requester: Mapped[str] = mapped_column(String(64))
    purpose: Mapped[str] = mapped_column(String(200))
    key_kind: Mapped[str] = mapped_column(String(16))
    result_count: Mapped[int] = mapped_column(Integer)
    refused_reason: Mapped[str | None] = mapped_column(Text)
    # Provision to another body by the legal table (000 F2-PRV-01; 002 REQ-PRV-01): who
    # asked (system, end operator, terminal), for which body and duty under which article,
    # which items went out, how, and to whom they related (住民票コード, never 個人番号).
    operator: Mapped[str | None] = mapped_column(String(40))
    terminal: Mapped[str | None] = mapped_column(String(40))
    body_code: Mapped[str | None] = mapped_column(String(40))
    duty_code: Mapped[str | None] = mapped_column(String(60))
    legal_basis: Mapped[str | None] = mapped_column(String(100))
    kind: Mapped[str | None] = mapped_column(String(12))  # search | provision | transfer
    items: Mapped[str | None] = mapped_column(Text)
    method: Mapped[str | None] = mapped_column(String(16))  # online | media
    targets: Mapped[str | None] = mapped_column(Text)  # JSON list of 住民票コード


def logged_search(
    session: Session,
    model: type[IdentityRowMixin],
    keys: FieldKeys,
    query: IdentitySearch,
    requester: str,
    *,
    with_number: bool,
) -> list[IdentityView]:
    """Search the node's file `model` and write the provision record in the same
    transaction. `with_number`: whether the answer carries the 個人番号 (never over the
    API's search: a body gets it by provision, `provision.service.provide`)."""
    key_kind = "code" if query.resident_code else "number" if query.individual_number else "4info"
    results = search(session, model, keys, query, with_number=with_number)
    entry = ProvisionLog()
    entry.at, entry.requester, entry.purpose = dt.datetime.now(dt.UTC), requester, query.purpose
    entry.key_kind, entry.result_count, entry.refused_reason = key_kind, len(results), None
    session.add(entry)
    return results
