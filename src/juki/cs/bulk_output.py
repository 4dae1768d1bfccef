"""Bulk output of CS-file records to a medium (一括出力, 001a USE-5-4, XFER-2-4).

An operator holding the bulk-output right asks for the records matching a condition (all,
or a 住所 prefix) and says why. Above the threshold (`JUKI_CS_BULK_THRESHOLD`) the request
waits for the 管理責任者's prior approval: a different operator holding the approval right.
The file is then written only to a registered medium virus-checked that day (as the tiers'
batch write-out, core.ledgers.medium_ready), with a second staff member present who proves
it with their own one-time code (立会い, XFER-2-4); the witness is not the requester nor the
one writing. The write is in the output log (出力記録). The file holds the identity items
but never the 個人番号. Who may call which step is checked twice: the API client's right
(declared on each route, `cs/api.py`) and the end operator's own right at this node (the
registry's 職権修正 does the same). Services raise; nothing is stored on refusal (the
request's transaction rolls back) and the API guard logs the refused attempt."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import os

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from juki.core import clock
from juki.core.audit import outputs
from juki.core.crypto import FieldKeys
from juki.core.errors import Conflict, NotFound, Refused
from juki.core.messages import CHANGE_REASON_LABELS, ChangeReason
from juki.cs.models import BulkOutput, CsIdentityRow
from juki.duties.ledgers import service as ledgers
from juki.duties.operators import accounts, rights, second_factor
from juki.duties.operators.accounts import Policy
from juki.duties.operators.clients import Caller
from juki.duties.operators.tables import Operator

THRESHOLD_ENV = "JUKI_CS_BULK_THRESHOLD"
DEFAULT_THRESHOLD = 1000  # records; above this the 管理責任者 approves in advance
REQUEST_DUTY, APPROVAL_DUTY = "bulk_output", "bulk_output_approval"
COLUMNS = ("住民票コード", "漢字氏名", "ふりがな氏名", "生年月日", "性別", "住所", "異動事由",
           "異動年月日")  # fmt: skip
SEX = {"1": "男", "2": "女"}


class ApprovalRequired(Refused):
    code = "approval_required"


class BulkOutputAsk(BaseModel):
    model_config = ConfigDict(extra="forbid")

    address_prefix: str = Field(default="", max_length=200)  # "" = every current record
    # As long as the output log keeps (refused at the request, not at the write-out).
    purpose: str = Field(min_length=1, max_length=outputs.PURPOSE_MAX)


class BulkWriteOut(BaseModel):
    model_config = ConfigDict(extra="forbid")

    media_id: str = Field(pattern=r"^[A-Za-z0-9-]{3,40}$")
    witness_login: str = Field(min_length=1, max_length=40)
    witness_code: str = Field(pattern=r"^\d{6}$")  # the witness's own one-time code


def threshold() -> int:
    return int(os.environ.get(THRESHOLD_ENV, DEFAULT_THRESHOLD))


def ask(session: Session, lg_code: str, caller: Caller, body: BulkOutputAsk) -> BulkOutput:
    """The request: counted now; above the threshold it waits for approval."""
    requester = _staff(session, caller.operator, "requested_by", REQUEST_DUTY)
    count = len(_matching(session, lg_code, body.address_prefix))
    output = BulkOutput(
        address_prefix=body.address_prefix.strip(), purpose=body.purpose.strip(),
        records=count, status="awaiting_approval" if count > threshold() else "ready",
        requested_by=requester.login, requested_via=caller.client_id[:60],
        requested_at=dt.datetime.now(dt.UTC),
    )  # fmt: skip
    session.add(output)
    session.flush()
    return output


def approve(session: Session, output_id: int, caller: Caller) -> BulkOutput:
    """The 管理責任者's prior approval: someone else, holding the approval right."""
    output = _output(session, output_id)
    if output.status != "awaiting_approval":
        raise Conflict("承認を待っている出力ではありません", field="output_id")
    if _same(caller.operator, output.requested_by):
        raise Refused("依頼した人とは別の管理責任者が承認します", field="approved_by")
    approver = _staff(session, caller.operator, "approved_by", APPROVAL_DUTY)
    output.approved_by, output.approved_at = approver.login, dt.datetime.now(dt.UTC)
    output.status = "ready"
    return output


def write_out(
    session: Session,
    keys: FieldKeys,
    lg_code: str,
    output_id: int,
    caller: Caller,
    body: BulkWriteOut,
) -> tuple[BulkOutput, bytes]:
    """Write the file: approved (or under the threshold), to a checked medium, witnessed."""
    output = _output(session, output_id)
    if output.status == "written":
        raise Conflict("この出力は書出し済みです", field="output_id")
    if output.status != "ready":
        raise ApprovalRequired("管理責任者の事前承認がない出力です", field="approved_by")
    writer = _staff(session, caller.operator, "written_by", REQUEST_DUTY)
    witness = _witness(session, keys, body, (output.requested_by, writer.login))
    ledgers.medium_ready(session, body.media_id, dt.datetime.now(clock.JST).date())
    rows = _matching(session, lg_code, output.address_prefix)
    if len(rows) > threshold() and output.approved_by is None:  # grown since the request
        raise ApprovalRequired("件数が基準を超えたため管理責任者の事前承認が必要です",
                               field="approved_by")  # fmt: skip
    content = _csv(rows)
    output.written_at, output.written_records = dt.datetime.now(dt.UTC), len(rows)
    output.media_id, output.witness = body.media_id, witness.login
    output.file_sha256, output.status = hashlib.sha256(content).hexdigest(), "written"
    outputs.record_output(
        session, operator=caller.audit_name, terminal=caller.terminal,
        form=f"本人確認情報の一括出力（媒体 {body.media_id}、立会い {witness.login}）",
        targets=tuple(f"code={row.resident_code}" for row in rows), purpose=output.purpose,
    )  # fmt: skip
    return output, content


def _witness(
    session: Session, keys: FieldKeys, body: BulkWriteOut, not_these: tuple[str, ...]
) -> Operator:
    """立会い (XFER-2-4): another active staff member of this node, present and proving it
    with their own one-time code."""
    if any(_same(body.witness_login, login) for login in not_these):
        raise Refused("依頼した人・書き出す人とは別の職員が立ち会います", field="witness_login")
    witness = accounts.by_login(session, body.witness_login)
    if witness is None or witness.status != "active" or not rights.rights_of(session, witness.id):
        raise Refused("このノードの権限を持つ職員ではありません", field="witness_login")
    if accounts.is_locked(witness, accounts.now()):  # before the code is checked (issue #14)
        raise Refused(accounts.LOCKED, field="witness_code", code="locked")
    try:
        second_factor.verify_totp(session, keys, witness, body.witness_code)
    except Refused as refused:
        raise WitnessCodeRefused(refused.message, witness.login) from None
    return witness


class WitnessCodeRefused(Refused):
    """A wrong witness code. It counts against the witness's second factor like a wrong
    code at log-in (the same secret: guessing it here must not give more tries), in a
    transaction of its own, since the write-out's is rolled back (`count_witness_failure`)."""

    def __init__(self, message: str, witness_login: str) -> None:
        super().__init__(message, field="witness_code")
        self.witness_login = witness_login


def count_witness_failure(session: Session, witness_login: str) -> None:
    witness = accounts.by_login(session, witness_login)
    if witness is not None:
        accounts.count_second_factor_failure(witness, Policy.from_env(), accounts.now())


def _staff(session: Session, login: str, field: str, duty: str) -> Operator:
    """The end operator named in the request, an active staff member of this node holding
    the duty's update right (000 ACL-01)."""
    operator = accounts.by_login(session, login)
    if operator is None or operator.status != "active":
        raise Refused("このノードの職員として登録されていません", field=field)
    if not rights.has_right(session, operator.id, duty, "update"):
        approval = duty == APPROVAL_DUTY
        raise Refused(
            "管理責任者の承認権限がありません" if approval else "出力の権限がありません",
            field=field,
        )
    return operator


def _same(a: str, b: str) -> bool:
    return a.strip().lower() == b.strip().lower()


def _matching(session: Session, lg_code: str, prefix: str) -> list[CsIdentityRow]:
    """The request's condition: this municipality's current records, by 住所 prefix. The
    住所 is sealed (core/sealed.py), so the prefix is matched on the decrypted rows."""
    stmt = select(CsIdentityRow).where(
        CsIdentityRow.lg_code == lg_code,
        CsIdentityRow.is_current.is_(True),
        CsIdentityRow.removed.is_(False),
    )
    rows = session.scalars(stmt.order_by(CsIdentityRow.resident_code))
    return [row for row in rows if row.address.startswith(prefix.strip())]


def _csv(rows: list[CsIdentityRow]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for row in rows:
        reason = CHANGE_REASON_LABELS.get(ChangeReason(row.change_reason), row.change_reason)
        writer.writerow([row.resident_code, row.name_kanji, row.name_kana,
                         row.birth_date.isoformat(), SEX.get(row.sex, row.sex), row.address,
                         reason, row.change_date.isoformat()])  # fmt: skip
    return out.getvalue().encode("utf-8")


def _output(session: Session, output_id: int) -> BulkOutput:
    output = session.get(BulkOutput, output_id)
    if output is None:
        raise NotFound("一括出力の依頼が見つかりません", field="output_id")
    return output
