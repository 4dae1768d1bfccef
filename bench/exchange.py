"""Brokered queries per second on the information-provision network, end to end
(`juki bench exchange`), beside the raw cost of the cryptography involved, in the same run.

One query is what 千代田区's 児童手当 does about a family that moved in from 墨田区 (legal
table row 106, 住民票関係情報): its 中間サーバー sends the query under its 符号; the network
checks the row, converts the 符号 and sends a 提供許可証 to 墨田区's 中間サーバー, which
checks its own list, reads the 副本, seals the answer to 千代田区's key (HPKE) and sends it
back through the network, which relays it unread; 千代田区 records it and opens it. Four
signed envelopes (Ed25519 over the wire JSON, each verified with its certificate), four
databases, the 情報提供等記録 at three places.

The baseline, timed in the same run: per query, the cryptography alone — four Ed25519
signatures and verifications (one per hop) and one HPKE seal and open of the same answer.

A two-municipality embedded network on SQLite in a temporary directory; `--people` persons
are born at 墨田区 and move to 千代田区 first (not timed). Queries go in batches of
`--batch` per unit of work, as a business system's run would send them. Prints a summary
and one JSON line.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import tempfile
import time
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from sqlalchemy import select

from juki.atena.models import AtenaSystemLink
from juki.core.infonet_messages import open_answer, public_key_text, seal_answer
from juki.infonet import legal_table
from juki.intermediate import exchange
from juki.network.embedded import EmbeddedNetwork
from juki.registry.models import Resident
from juki.registry.notices import arrivals, moves, schemas

SUMIDA, CHIYODA = "131075", "131016"
ROW = 106
INTAKE = schemas.Intake(
    notifier=schemas.NotifierType.SELF, id_document=schemas.IdDocument.MY_NUMBER_CARD
)
SUMIDA_ADDRESS = "東京都墨田区吾妻橋一丁目2番3号"
CHIYODA_ADDRESS = "東京都千代田区九段南一丁目2番1号"


def rate(count: int, seconds: float) -> float:
    return round(count / seconds, 1)


def families(network: EmbeddedNetwork, people: int) -> list[str]:
    """`people` born at 墨田区, moved to 千代田区: their 千代田区 統合宛名番号."""
    day = dt.date(2026, 11, 2)
    with network.node(f"registry:{SUMIDA}").unit_of_work() as uow:
        for n in range(people):
            arrivals.record_birth(uow, schemas.BirthNotice(
                name_kanji=f"墨田\u3000{n}", name_kana="スミダ\u3000ハナコ",
                birth_date=dt.date(2026, 11, 1), sex="2", address=SUMIDA_ADDRESS, change_date=day,
            ))  # fmt: skip
    network.pump()
    certificates = []
    with network.node(f"registry:{SUMIDA}").unit_of_work() as uow:
        for rid in uow.session.scalars(select(Resident.id)).all():
            moves.record_move_out(uow, rid, schemas.MoveOutNotice(
                intake=INTAKE, destination_address=CHIYODA_ADDRESS, change_date=day,
            ))  # fmt: skip
            certificates.append(moves.move_out_certificate(uow, uow.session.get_one(Resident, rid)))
    network.pump()
    with network.node(f"registry:{CHIYODA}").unit_of_work() as uow:
        for cert in certificates:
            arrivals.record_move_in(uow, schemas.MoveInNotice(
                intake=INTAKE, name_kanji=cert.name_kanji, name_kana=cert.name_kana,
                birth_date=cert.birth_date, sex=cert.sex, address=CHIYODA_ADDRESS,
                change_date=day, resident_code=cert.resident_code,
                individual_number=cert.individual_number, previous_lg_code=SUMIDA,
                previous_address=cert.address,
            ))  # fmt: skip
    network.pump()
    with network.node(f"atena:{CHIYODA}").db.session() as session:
        return list(session.scalars(select(AtenaSystemLink.atena_id)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--people", type=int, default=100)
    parser.add_argument("--queries", type=int, default=400)
    parser.add_argument("--batch", type=int, default=20)
    args = parser.parse_args()
    task = legal_table.shipped().rows[ROW].task
    with tempfile.TemporaryDirectory() as folder:
        network = EmbeddedNetwork(
            Path(folder) / ".juki", topology={"13": [CHIYODA, SUMIDA]},
            institutions=(SUMIDA, CHIYODA),
        )  # fmt: skip
        network.bootstrap(pool=args.people + 50)
        people = families(network, args.people)
        requester = network.node(f"intermediate:{CHIYODA}")
        asked: list[str] = []
        started = time.perf_counter()
        while len(asked) < args.queries:
            with requester.unit_of_work() as uow:
                for n in range(min(args.batch, args.queries - len(asked))):
                    person = people[(len(asked) + n) % len(people)]
                    asked.append(exchange.ask(uow, person, ROW, task, ("住民票関係情報",), SUMIDA))
            network.pump()
        with requester.unit_of_work() as uow:
            outcomes = [str(exchange.read_answer(uow, q)["outcome"]) for q in asked]
        end_to_end = time.perf_counter() - started
        assert outcomes == ["provided"] * len(asked), set(outcomes)
        with requester.unit_of_work() as uow:
            sample = json.dumps(exchange.read_answer(uow, asked[0])["data"]).encode()
        network.close()

    signer, reply = Ed25519PrivateKey.generate(), X25519PrivateKey.generate()
    envelope = os.urandom(900)  # about one query envelope's wire JSON
    started = time.perf_counter()
    for _ in range(args.queries):
        for _hop in range(4):
            signer.public_key().verify(signer.sign(envelope), envelope)
        sealed = seal_answer(sample, public_key_text(reply), "0" * 32)
        open_answer(sealed, reply, "0" * 32)
    raw = time.perf_counter() - started

    result = {
        "queries": args.queries,
        "batch": args.batch,
        "people": args.people,
        "end_to_end_per_s": rate(args.queries, end_to_end),
        "raw_crypto_per_s": rate(args.queries, raw),
    }
    print(
        f"brokered queries end to end (4 signed hops, legal table, 符号 conversion, HPKE, "
        f"records at 3 places): {result['end_to_end_per_s']}/s\n"
        f"  baseline, same run: the cryptography alone (4 × Ed25519 sign + verify, "
        f"HPKE seal + open) {result['raw_crypto_per_s']}/s"
    )
    print(json.dumps(result))


if __name__ == "__main__":
    main()
