"""The counter's resident search: by ふりがな (清音化, prefix), 生年月日, 住所 (prefix) or
宛名番号. Results are capped; at least one item must be given (no listing of everyone)."""

from __future__ import annotations

from sqlalchemy import select

from juki.core.errors import InvalidInput
from juki.core.messaging.node import UnitOfWork
from juki.core.text import is_kana_name, seion
from juki.registry.residents.models import Resident
from juki.registry.residents.schemas import ResidentQuery

RESULT_CAP = 100


def search_residents(uow: UnitOfWork, query: ResidentQuery) -> tuple[list[Resident], bool]:
    """Matching residents (at most RESULT_CAP) and whether more matched."""
    stmt = select(Resident)
    if query.addressee_id is not None:
        stmt = stmt.where(Resident.id == query.addressee_id)
    elif not (query.name_kana or query.birth_date or query.address):
        raise InvalidInput("検索条件を一つ以上入力してください", field="name_kana")
    if query.name_kana:
        if not is_kana_name(query.name_kana):
            raise InvalidInput("ふりがなはかなで入力してください", field="name_kana")
        key = seion(query.name_kana)
        # A prefix as a range, so the (name_seion, birth_date) index serves it everywhere.
        stmt = stmt.where(Resident.name_seion >= key, Resident.name_seion < key + "\uffff")
    if query.birth_date:
        stmt = stmt.where(Resident.birth_date == query.birth_date)
    if query.address:
        if len(query.address) < 3:
            raise InvalidInput("住所は3文字以上で入力してください", field="address")
        stmt = stmt.where(Resident.address.startswith(query.address, autoescape=True))
    if not query.include_removed:
        stmt = stmt.where(Resident.status == "resident")
    rows = list(
        uow.session.scalars(stmt.order_by(Resident.name_seion, Resident.id).limit(RESULT_CAP + 1))
    )
    return rows[:RESULT_CAP], len(rows) > RESULT_CAP
