"""The two reports the PIAs' reviews need from the system:

- the user list, exported every six months and reconciled by hand with the ユーザ管理台帳
  (000 ACL-05), each right with the written application it was granted on (002 REQ-AUTH-03,
  REQ-AUTH-05: the grant reference);
- the privileged-activity report, checked every month against the usage records
  (000 ACL-04): what holders of privileged rights did, and every change to accounts and
  rights.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from juki.core.audit.tables import audit_log
from juki.core.clock import JST, as_utc
from juki.duties.operators.duties import ACCESS_NAMES, DUTIES
from juki.duties.operators.tables import Operator, OperatorRight, TotpGrant

STATUS_NAMES = {
    "active": "有効", "suspended": "利用停止", "retired": "失効", "pending": "誓約書待ち",
}  # fmt: skip


def affiliation_of(operator: Operator) -> str:
    """所属 as the lists show it: the section, and the contractor for a contractor's staff."""
    if operator.affiliation == "contractor":
        pledge = f"誓約書 {operator.pledge_on}" if operator.pledge_on else "誓約書未受領"
        return f"委託先 {operator.contractor_name}（{pledge}）"
    return operator.section or "職員"


def user_list_csv(session: Session) -> str:
    """One line per (operator, granted right); an operator without rights has one line."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        ["ログインID", "氏名", "職員番号", "所属", "状態", "事務", "権限", "承認者", "承認日時",
         "申請書の番号", "最終ログイン", "登録日時", "ワンタイムパスワード許可期限"]
    )  # fmt: skip
    for operator in session.scalars(select(Operator).order_by(Operator.login)):
        rights: list[OperatorRight | None] = list(
            session.scalars(
                select(OperatorRight)
                .where(OperatorRight.operator_id == operator.id, OperatorRight.status == "granted")
                .order_by(OperatorRight.duty)
            )
        )
        totp = session.scalars(
            select(TotpGrant.expires_at).where(
                TotpGrant.operator_id == operator.id, TotpGrant.revoked_at.is_(None)
            )
        ).first()
        base = [
            operator.login, operator.person_name, operator.employee_no, affiliation_of(operator),
            STATUS_NAMES.get(operator.status, operator.status),
        ]  # fmt: skip
        tail = [_jst(operator.last_login_at), _jst(operator.created_at), _jst(totp)]
        for right in rights or [None]:
            if right is None:
                writer.writerow([*base, "", "", "", "", "", *tail])
                continue
            writer.writerow(
                [*base, DUTIES[right.duty].name if right.duty in DUTIES else right.duty,
                 ACCESS_NAMES.get(right.access, right.access), right.decided_by or "",
                 _jst(right.decided_at), right.application_ref or "", *tail]
            )  # fmt: skip
    return out.getvalue()


@dataclass(frozen=True)
class ActivityLine:
    at: dt.datetime
    operator: str
    terminal: str
    function: str
    targets: list[str]
    result: str


def privileged_activity(session: Session, month: dt.date) -> list[ActivityLine]:
    """The month's audit entries by operators who held a privileged right at any time in it,
    plus every account or rights change whoever made it."""
    start = dt.datetime(month.year, month.month, 1, tzinfo=JST)
    end = dt.datetime(
        month.year + (month.month == 12), month.month % 12 + 1, 1, tzinfo=JST
    )  # fmt: skip
    privileged = {duty.code for duty in DUTIES.values() if duty.privileged}
    holders: set[str] = set()
    for right, login in session.execute(
        select(OperatorRight, Operator.login).join(
            Operator, Operator.id == OperatorRight.operator_id
        )
    ):
        granted = right.decided_at is not None and right.status in ("granted", "revoked")
        if right.duty in privileged and granted:
            ended = right.revoked_at is not None and as_utc(right.revoked_at) < start
            if not ended and as_utc(right.decided_at or start) < end:
                holders.add(login)
    rows = session.execute(
        select(audit_log)
        .where(audit_log.c.at >= start.astimezone(dt.UTC), audit_log.c.at < end.astimezone(dt.UTC))
        .order_by(audit_log.c.seq)
    )
    lines = []
    for row in rows:
        admin_change = row.function.startswith(("operators.", "rights."))
        if row.operator in holders or admin_change:
            lines.append(
                ActivityLine(
                    at=as_utc(row.at).astimezone(JST), operator=row.operator,
                    terminal=row.terminal, function=row.function,
                    targets=json.loads(row.targets), result=row.result,
                )
            )  # fmt: skip
    return lines


def _jst(moment: dt.datetime | None) -> str:
    return as_utc(moment).astimezone(JST).strftime("%Y-%m-%d %H:%M") if moment else ""
