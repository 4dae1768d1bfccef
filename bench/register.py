"""The counter's search over a large municipality, and certificate rendering
(`juki bench register`).

1. Loads N residents (default 1,000,000) straight into a registry database made by the
   registry's own migrations (bulk load: the benchmark is about searching, not 届出), with
   names combined from Faker ja_JP pairs and real 墨田区 towns.
2. Times the console's search (`registry.residents.search.search_residents`: ふりがな prefix with
   清音 folding + 生年月日, through the ORM) against the raw indexed SQL doing the same
   lookup on the same connection, p50/p99 over the same queries, in the same run.
3. Times rendering a household's 住民票の写し as PDF against reportlab drawing the same
   strings on a bare page.

Prints a summary and one JSON line.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import sys
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas
from sqlalchemy import insert, text

from juki.core.clock import japan_today
from juki.core.db import Database
from juki.core.migrate import upgrade
from juki.core.text import seion
from juki.registry.certificates.documents import FONT, Certificate, PersonEntry, render
from juki.registry.models import Household, Resident
from juki.registry.residents.schemas import ResidentQuery
from juki.registry.residents.search import search_residents
from juki.sim.people import PersonFactory

LG = "131075"
CHUNK = 20_000
RAW_SQL = text(
    "SELECT * FROM residents WHERE name_seion >= :low AND name_seion < :high"
    " AND birth_date = :birth AND status = 'resident'"
    " ORDER BY name_seion, id LIMIT 101"
)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def name_pool(factory: PersonFactory, size: int) -> list[tuple[str, str, str, str, str]]:
    pool = []
    for _ in range(size):
        sex = factory.random.choice("12")
        pool.append((*factory.name(sex), sex))
    return pool


def load(db: Database, count: int, seed: int) -> list[tuple[str, dt.date]]:
    """Bulk-load `count` residents; returns (kana, birth date) of a sample for queries."""
    factory = PersonFactory(seed)
    rng = random.Random(seed)
    names = name_pool(factory, 3000)
    addresses = [factory.address(LG) for _ in range(2000)]
    today = japan_today()
    sample: list[tuple[str, dt.date]] = []
    households = (count * 10) // 22  # 墨田区: about 2.2 people per household
    started = time.perf_counter()
    with db.engine.begin() as conn:
        for start in range(0, households, CHUNK):
            rows = [
                {"id": i + 1, "formed_on": today, "status": "current"}
                for i in range(start, min(households, start + CHUNK))
            ]
            conn.execute(insert(Household.__table__), rows)
    for start in range(0, count, CHUNK):
        rows = []
        for i in range(start, min(count, start + CHUNK)):
            last, _, last_kana, _, _ = rng.choice(names)
            _, first, _, first_kana, sex = rng.choice(names)
            kana = f"{last_kana}\u3000{first_kana}"
            birth = today - dt.timedelta(days=rng.randint(0, 95 * 365))
            place = rng.choice(addresses)
            rows.append(
                {
                    "household_id": rng.randint(1, households), "district_code": "",
                    "postal_code": place["postal_code"], "town_code": place["town_code"],
                    "address": place["address"], "address_annex_code": "", "address_annex": "",
                    "change_reason": "birth", "change_date": birth, "notified_on": birth,
                    "name_kana": kana, "name_kanji": f"{last}\u3000{first}", "sex": sex,
                    "birth_date": birth, "relationship": "世帯主",
                    "resident_code": f"{i:011d}", "remarks": "", "residence_notified": False,
                    "alias_history": "", "serial_no": "", "status": "resident",
                    "became_resident_on": birth, "version": 1, "awaiting_number": False,
                    "name_seion": seion(kana),
                }
            )  # fmt: skip
            if rng.random() < 2000 / count:
                sample.append((kana, birth))
        with db.engine.begin() as conn:
            conn.execute(insert(Resident.__table__), rows)
        print(f"  loaded {start + len(rows):,} residents", end="\r", file=sys.stderr)
    with db.engine.begin() as conn:
        conn.execute(text("ANALYZE"))
    print(f"  loaded {count:,} residents in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    return sample


def queries(sample: list[tuple[str, dt.date]], n: int) -> list[tuple[str, dt.date]]:
    """Half full ふりがな, half the surname only (as a clerk often types), with 生年月日."""
    chosen = sample[:n]
    return [(k if i % 2 else k.split("\u3000")[0], b) for i, (k, b) in enumerate(chosen)]


def time_search(db: Database, asked: list[tuple[str, dt.date]]) -> dict[str, Any]:
    ours, raw, found = [], [], 0
    with db.session() as session:
        uow = SimpleNamespace(session=session)
        for kana, birth in asked:
            t0 = time.perf_counter()
            query = ResidentQuery(name_kana=kana, birth_date=birth)
            rows, _capped = search_residents(uow, query)  # type: ignore[arg-type]
            t1 = time.perf_counter()
            key = seion(kana)
            raw_rows = session.execute(
                RAW_SQL, {"low": key, "high": key + "\uffff", "birth": birth}
            ).all()
            t2 = time.perf_counter()
            assert len(rows) == len(raw_rows), "search and raw SQL disagree"
            found += len(rows)
            session.expunge_all()
            ours.append((t1 - t0) * 1000)
            raw.append((t2 - t1) * 1000)
    return {
        "queries": len(asked),
        "mean_results": round(found / len(asked), 2),
        "search_p50_ms": round(percentile(ours, 0.5), 3),
        "search_p99_ms": round(percentile(ours, 0.99), 3),
        "raw_p50_ms": round(percentile(raw, 0.5), 3),
        "raw_p99_ms": round(percentile(raw, 0.99), 3),
    }


def household_certificate() -> Certificate:
    family = [("太郎", "たろう", "世帯主"), ("花子", "はなこ", "妻"), ("一郎", "いちろう", "子"),
              ("さくら", "さくら", "子")]  # fmt: skip
    people = []
    for i, (given, kana, relationship) in enumerate(family):
        lines = [
            ("続柄", relationship),
            ("住民となった年月日", "令和元年5月1日"),
            ("前住所", "埼玉県川越市元町一丁目1番1号"),
            ("個人番号", "123456789018"),
        ]
        sex = "1" if i % 2 else "2"
        birth = dt.date(1980 + 5 * i, 4, 1)
        people.append(PersonEntry(f"墨田　{given}", f"すみだ　{kana}", birth, sex, lines))
    return Certificate(
        kind="copy", issue_no="20261123-000001", issued_on=japan_today(),
        mayor="東京都墨田区長", address="東京都墨田区吾妻橋一丁目23番20号",
        head_name="墨田　太郎", people=people,
    )  # fmt: skip


def bare_page(cert: Certificate) -> bytes:
    """The baseline: the same strings drawn on one page, no layout, no 和暦."""
    import io

    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, invariant=True)
    canvas.setFont(FONT, 10.5)
    y = 800.0
    for person in cert.people:
        for value in (person.name_kanji, person.name_kana, str(person.birth_date)):
            canvas.drawString(50, y, value)
            y -= 14
        for label, value in person.lines:
            canvas.drawString(50, y, f"{label} {value}")
            y -= 14
    canvas.save()
    return buffer.getvalue()


def time_pdf(rounds: int) -> dict[str, Any]:
    cert = household_certificate()
    ours, raw = [], []
    render(cert), bare_page(cert)  # warm up fonts
    for _ in range(rounds):
        t0 = time.perf_counter()
        render(cert)
        t1 = time.perf_counter()
        bare_page(cert)
        t2 = time.perf_counter()
        ours.append((t1 - t0) * 1000)
        raw.append((t2 - t1) * 1000)
    return {
        "pdf_rounds": rounds,
        "pdf_p50_ms": round(percentile(ours, 0.5), 2),
        "pdf_p99_ms": round(percentile(ours, 0.99), 2),
        "bare_pdf_p50_ms": round(percentile(raw, 0.5), 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--residents", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument("--pdf-rounds", type=int, default=200)
    parser.add_argument("--database-url", default=None, help="default: a temporary SQLite file")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{Path(tmp) / 'registry.db'}"
        db = Database(url)
        upgrade(db.engine, "juki.registry")
        sample = load(db, args.residents, args.seed)
        result = {"residents": args.residents, "backend": db.dialect}
        result |= time_search(db, queries(sample, args.queries))
        result |= time_pdf(args.pdf_rounds)
        db.dispose()
    print(
        f"search over {result['residents']:,} residents ({result['backend']}), "
        f"{result['queries']} queries, {result['mean_results']} results each on average:\n"
        f"  juki search  p50 {result['search_p50_ms']} ms  p99 {result['search_p99_ms']} ms\n"
        f"  raw SQL      p50 {result['raw_p50_ms']} ms  p99 {result['raw_p99_ms']} ms\n"
        f"住民票の写し PDF (household of 4): p50 {result['pdf_p50_ms']} ms, "
        f"p99 {result['pdf_p99_ms']} ms; bare reportlab page p50 {result['bare_pdf_p50_ms']} ms"
    )
    print(json.dumps(result))


if __name__ == "__main__":
    main()
