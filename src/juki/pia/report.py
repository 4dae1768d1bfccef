"""Collect what a node's assessment states: its files (record items, counts, retention),
where data comes from and goes to (permitted message paths, legal-table provisions), the
requirements with their enforcing tests, and live evidence from its database."""

from __future__ import annotations

import datetime as dt
import importlib
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Table, func, or_, select

from juki.core.audit.tables import audit_log, audit_metadata
from juki.core.clock import JST
from juki.core.messages import MessageType
from juki.core.messaging.node import Node
from juki.core.messaging.paths import PERMITTED
from juki.core.messaging.tables import REFUSAL_TYPE, REPLAY_TYPE, refusals
from juki.core.migrate import tables_of
from juki.duties.ledgers import service as ledgers
from juki.duties.ledgers.kinds import KINDS
from juki.duties.operators.tables import Operator, OperatorRight, TotpGrant
from juki.duties.provision import legal_table
from juki.duties.retention import engine as retention
from juki.duties.retention.tables import retention_purges
from juki.pia.catalogue import Catalogue, Enforcement, Requirement

ROLE_NAMES = {
    "registry": "既存住民基本台帳システム（市町村）",
    "cs": "市町村コミュニケーションサーバ（CS）",
    "prefecture": "都道府県サーバ",
    "national": "住基全国サーバ（地方公共団体情報システム機構）",
    "numbering": "個人番号生成システム（地方公共団体情報システム機構）",
    "card": "個人番号カード管理システム（地方公共団体情報システム機構）",
    "jpki": "公的個人認証サービス（地方公共団体情報システム機構）",
    "kiosk": "証明書交付センター（地方公共団体情報システム機構）",
    "issuance": "カード発行システム（委託事業者（カード発行事務））",
    "infonet": "情報提供ネットワークシステム（デジタル庁）",
    "atena": "団体内統合宛名システム（情報照会者・情報提供者の機関）",
    "intermediate": "中間サーバー（情報照会者・情報提供者の機関）",
    "portal": "マイナポータル（情報提供等記録開示システム、デジタル庁）",
}
FILES = {
    "registry": [("住民基本台帳ファイル（住民票・除票）", "residents"),
                 ("住民票の履歴", "resident_history"), ("交付履歴", "certificate_issues"),
                 ("届出点検の入力（点検待ち・差戻し、暗号化）", "pending_notices"),
                 ("届いたカードのチップの内容（交付まで、暗号化）", "card_shipments"),
                 ("チップの内容の再書込み（引渡しまで、暗号化）", "chip_rewrite_requests")],
    "cs": [("CS本人確認情報ファイル", "identity_file"), ("送付先情報ファイル", "destination_file")],
    "prefecture": [("都道府県知事保存本人確認情報ファイル", "identity_file"),
                   ("提供・移転の記録", "provision_log"), ("開示の記録", "disclosures"),
                   ("利用停止請求", "use_suspensions")],
    "national": [("機構保存本人確認情報ファイル", "identity_file"),
                 ("提供の記録", "provision_log"), ("開示の記録", "disclosures"),
                 ("利用停止請求", "use_suspensions"),
                 ("符号の取得のための住民票コードの提供の記録", "fugo_provisions"),
                 ("情報提供ネットワークシステムへ提供した住民票コード", "fugo_notified_codes")],
    "numbering": [("個人番号管理ファイル", "individual_number_file"),
                  ("生成した個人番号の台帳", "generated_numbers")],
    "card": [("個人番号カード用管理ファイル", "card_file"),
             ("交付申請の顔写真・申請書イメージ（暗号化）", "card_application_images"),
             ("送付先情報・交付申請・異動情報の受領の記録", "exchange_log"),
             ("個人番号カード管理情報の提供の記録", "provision_log"),
             ("印刷ファイル（印刷事業者あて、受領確認まで）", "print_files"),
             ("委託先従事者名簿", "contractor_staff"),
             ("媒体による提供（外部媒体使用簿・受渡し）", "media_ledger"),
             ("転入の異動情報を待つ継続利用の報告（暗号化）", "card_waiting_continuations")],
    "jpki": [("発行した電子証明書（署名用・利用者証明用、暗号化）", "jpki_certificates"),
             ("電子証明書の状態の履歴（一時保留・失効）", "jpki_status_events"),
             ("最新の4情報の鍵付きダイジェスト（異動等失効情報から）", "jpki_identity_digests")],
    "kiosk": [("キオスク端末の受付（利用履歴、暗号化PDFは受取りまで）", "kiosk_sessions")],
    "issuance": [("発行委託（カード送付まで暗号化して保持）", "issuance_orders")],
    "infonet": [("情報照会者・情報提供者の登録", "infonet_institutions"),
                ("照会許可用照合リストの送付の記録（行ごとの要約）", "infonet_permit_lists_sent"),
                ("符号の連携（連携用符号と機関別符号、住民票コードは保持しない）",
                 "infonet_fugo_links"),
                ("符号の発行・拒否・付け替えの記録", "infonet_fugo_records"),
                ("情報提供等記録（照会・提供・拒否、回答は暗号化のまま中継し保持しない）",
                 "infonet_provision_records")],
    "atena": [("団体内統合宛名（個人番号は暗号化）", "atena_persons"),
              ("業務システムの宛名番号との対応", "atena_system_links")],
    "intermediate": [("符号管理（団体内統合宛名番号と符号）", "intermediate_fugo"),
                     ("符号の取得を待つ処理通番", "intermediate_fugo_requests"),
                     ("符号の取得の記録", "intermediate_fugo_events"),
                     ("副本（住民票関係情報、暗号化）", "intermediate_fukuhon"),
                     ("自動応答不可の審査（保留した回答、審査者・理由は暗号化）",
                      "intermediate_held_answers"),
                     ("副本と原本の突合", "intermediate_fukuhon_checks"),
                     ("副本と原本の突合の結果（統合宛名番号ごと）",
                      "intermediate_fukuhon_check_items"),
                     ("情報提供等記録（照会・提供、回答は照会者の鍵で暗号化）",
                      "intermediate_provision_log")],
    "portal": [("利用者（マイナポータルの符号のみ）", "portal_holders"),
               ("ログインの受付（カードの署名を待つ間、5分）", "portal_logins"),
               ("情報提供等記録の照会と回答（暗号化）", "portal_records_requests")],
}  # fmt: skip
MESSAGE_NAMES = {
    MessageType.IDENTITY_UPDATE: "本人確認情報の更新",
    MessageType.IDENTITY_UPDATE_RESULT: "本人確認情報の更新結果",
    MessageType.NUMBER_REQUEST: "個人番号の生成・変更の要求",
    MessageType.NUMBER_RESULT: "個人番号の生成結果",
    MessageType.CODE_CHANGE_NOTICE: "住民票コードの変更通知",
    MessageType.POOL_REQUEST: "住民票コードの割当要求",
    MessageType.POOL_GRANT: "住民票コードの割当",
    MessageType.CONSISTENCY_CHECK: "本人確認情報整合",
    MessageType.CONSISTENCY_RESULT: "本人確認情報整合の結果",
    MessageType.MOVE_OUT_CERT_REQUEST: "転出証明書情報の送信依頼",
    MessageType.MOVE_OUT_CERT: "転出証明書情報",
    MessageType.MOVE_IN_NOTICE: "転入通知",
    MessageType.WIDE_AREA_REQUEST: "広域交付住民票情報の請求",
    MessageType.WIDE_AREA_COPY: "広域交付住民票情報",
    MessageType.DESTINATION_INFO: "送付先情報",
    MessageType.DESTINATION_RECEIPT: "送付先情報の受領結果",
    MessageType.CARD_CHANGE: "住民の異動情報（個人番号カード管理システムへ）",
    MessageType.CARD_INFO: "個人番号カード管理情報",
    MessageType.CARD_REPORT: "カードの交付・一時停止・廃止等の報告",
    MessageType.JPKI_ISSUE: "電子証明書の発行申請",
    MessageType.JPKI_ISSUED: "電子証明書の発行結果",
    MessageType.JPKI_CARD_STATUS: "電子証明書の一時保留・保留解除・失効の申請",
    MessageType.JPKI_CHANGE: "異動等失効情報（公的個人認証サービスへ）",
    MessageType.CARD_COMMISSION: "個人番号カード発行情報（発行の委託）",
    MessageType.CARD_MADE: "カードの発行結果",
    MessageType.CARD_MADE_ANSWER: "発行結果の受理・不受理",
    MessageType.CARD_SHIPMENT: "カードの送付（チップの内容）",
    MessageType.CARD_CHIP_REQUEST: "チップの内容の再書込みの依頼",
    MessageType.CARD_CHIP: "チップの内容の再書込み（暗証番号の再設定・券面変更）",
    MessageType.CARD_STATUS_QUERY: "カードの利用状況の照会（カードによる本人確認）",
    MessageType.CARD_STATUS: "カードの利用状況（個人情報を含まない）",
    MessageType.KIOSK_IDENTIFY: "利用者証明用電子証明書の確認（証明書交付センターから）",
    MessageType.KIOSK_IDENTIFIED: "利用者証明用電子証明書の確認結果",
    MessageType.KIOSK_REQUEST: "証明書の交付請求（コンビニ交付）",
    MessageType.KIOSK_DOCUMENT: "証明書のPDF（暗号化）又は交付できない理由",
    MessageType.KIOSK_OUTCOME: "コンビニ交付の結果（受取り・未受取り）",
    MessageType.ATENA_UPDATE: "住民の異動（宛名番号・個人番号、団体内統合宛名システムへ）",
    MessageType.FUGO_ACQUIRE: "符号の取得の依頼（団体内統合宛名番号）",
    MessageType.FUGO_SERIAL: "処理通番",
    MessageType.FUGO_REQUEST: "符号の取得のための住民票コードの提供要求（処理通番・個人番号）",
    MessageType.FUGO_RESIDENT_CODE: "住民票コードの提供（情報提供ネットワークシステムへ）",
    MessageType.FUGO_ISSUED: "符号（処理通番に対して）",
    MessageType.FUGO_CODE_CHANGE: "住民票コードの変更（旧・新、情報提供ネットワークシステムへ）",
    MessageType.FUGO_REKEY: "符号の付け替え（旧・新）",
    MessageType.FUGO_SAME_PERSON: "同一人の団体内統合宛名番号（名寄せ）",
    MessageType.FUKUHON_REGISTER: "副本の登録（住民票関係情報、団体内統合宛名番号で）",
    MessageType.FUKUHON_CHECK: "副本の突合の依頼",
    MessageType.FUKUHON_ORIGINAL: "原本の要約（宛名番号又は団体内統合宛名番号と要約値）",
    MessageType.FUKUHON_CHECK_DONE: "原本の要約の送付の完了（件数）",
    MessageType.PERMIT_LIST: "照会許可用照合リスト",
    MessageType.PERMIT_LIST_WITHDRAW: "照会許可用照合リストからの削除（法令の表の改正）",
    MessageType.INFONET_QUERY: "情報照会（符号、項番、事務、特定個人情報）",
    MessageType.PROVISION_PERMIT: "提供許可証（提供者の符号、照会者の鍵）",
    MessageType.INFONET_ANSWER: "情報提供（照会者の鍵で暗号化）",
    MessageType.INFONET_RESULT: "照会の結果（暗号化のまま）",
    MessageType.PORTAL_IDENTIFY: "利用者証明用電子証明書の確認（マイナポータルから）",
    MessageType.PORTAL_IDENTIFIED: "利用者証明用電子証明書の確認結果",
    MessageType.PORTAL_CODE: "マイナポータルの符号のための住民票コード（シリアル番号から）",
    MessageType.PORTAL_RECORDS_ASK: "情報提供等記録の照会（本人、マイナポータルの符号で）",
    MessageType.PORTAL_RECORDS: "情報提供等記録（本人に示すもの）",
}


@dataclass
class FileSummary:
    name: str
    table: str
    items: list[str]
    rows: int
    current: int | None
    retention: list[str]


@dataclass
class Flow:
    direction: str  # 入手 (received) | 提供 (sent)
    counterpart: str
    messages: list[str]
    basis: str = ""  # the law or seed section that allows the flow


# The legal basis of a path (sender role, recipient role), as the PIA lists it: so far the
# information network's paths and the 住基ネット spine's; the others show "—".
FLOW_BASIS = {
    ("cs", "prefecture"): "住基法 第30条の6 (本人確認情報の通知)",
    ("prefecture", "national"): "住基法 第30条の7",
    ("national", "numbering"): "番号法 第8条 (個人番号とすべき番号の生成)",
    ("numbering", "national"): "番号法 第8条",
    ("registry", "atena"): "番号法 第9条第1項 (個人番号利用事務), 001a §2.3 1-④",
    ("atena", "intermediate"): "番号法 第9条第1項, 第19条第8号 (副本の登録: 001a §3.13)",
    ("intermediate", "atena"): "001b 5-① (処理通番)",
    ("atena", "registry"): "番号法 第21条の2 (符号の取得のための住民票コードの提供の求め)",
    ("national", "infonet"): "番号法 第21条の2 (住民票コードの提供), 000 C11/C12",
    ("infonet", "intermediate"): "番号法 第21条 (提供許可証・符号), 第21条の2",
    ("intermediate", "infonet"): "番号法 第19条第8号 (情報照会・情報提供), 第21条",
    ("portal", "jpki"): "公的個人認証法 第17条, 第22条 (利用者証明)",
    ("jpki", "portal"): "公的個人認証法 第17条",
    ("jpki", "national"): "000 §6.4 (シリアル番号から住民票コード), 番号法 第21条の2",
    ("infonet", "portal"): "番号法 第23条第3項, 附則第6条第3項 (情報提供等記録の開示)",
    ("portal", "infonet"): "番号法 第23条第3項 (本人による確認)",
}


@dataclass
class Evidence:
    audit_entries: int
    audit_checkpoints: int
    audit_problems: list[str]
    purges: list[tuple[str, str, int]]  # (rule, when, erased), the last run of each rule
    refusals: dict[str, int]
    operators: int
    rights: int
    totp_grants: int
    registers: list[tuple[str, int, int]] = field(default_factory=list)  # (name, entries, open)
    overdue: int = 0
    last_backup: str = ""
    last_self_inspection: str = ""


@dataclass
class PiaReport:
    node_id: str
    role: str
    title: str
    generated_at: dt.datetime
    commit: str
    files: list[FileSummary]
    flows: list[Flow]
    provisions: list[legal_table.LegalRow]
    requirements: list[tuple[Requirement, Enforcement | None]]
    evidence: Evidence
    not_built: list[Requirement] = field(default_factory=list)
    never_erased: list[str] = field(default_factory=list)

    @property
    def enforced(self) -> int:
        """Requirements with a mapping (enforced, partial or met by the platform)."""
        return sum(1 for _r, e in self.requirements if e is not None)

    def counted(self, status: str) -> int:
        return sum(1 for _r, e in self.requirements if e is not None and e.status == status)

    @property
    def unmapped(self) -> int:
        return len(self.requirements) - self.enforced


def collect(node: Node, catalogue: Catalogue) -> PiaReport:
    role = node.role
    tables = tables_of(importlib.import_module(f"juki.{role}.models").SCHEMA)
    with node.db.session() as session:
        files = [_file(session, name, tables[t], role) for name, t in FILES[role]]
        files.append(
            _file(session, "アクセス記録（監査ログ）", audit_metadata.tables["audit_log"], role)
        )
        evidence = _evidence(session, node)
    return PiaReport(
        node_id=node.node_id, role=role, title=ROLE_NAMES[role],
        generated_at=dt.datetime.now(dt.UTC), commit=_commit(), files=files,
        flows=_flows(role), provisions=legal_table.rows_for(node.node_id),
        requirements=[(r, catalogue.enforcement.get(r.id)) for r in catalogue.for_role(role)],
        evidence=evidence, not_built=catalogue.not_built_for_role(role),
        never_erased=[r.name for r in retention.rules_for(role) if r.never],
    )  # fmt: skip


def _file(session: Any, name: str, table: Table, role: str) -> FileSummary:
    rows = int(session.scalar(select(func.count()).select_from(table)) or 0)
    current = None
    if "is_current" in table.c:
        current = int(session.scalar(select(func.count()).where(table.c.is_current.is_(True))) or 0)
    rules = [r for r in retention.rules_for(role) if r.table == table.name]
    kept = [
        f"{r.name}: "
        + ("消去しない" if r.never else f"{r.period_ja}（{r.select}）")
        + f" — {r.source}"
        for r in rules
    ]
    return FileSummary(name, table.name, [c.name for c in table.c], rows, current, kept)


def _flows(role: str) -> list[Flow]:
    flows = []
    for (sender, recipient), types in sorted(PERMITTED.items()):
        names = sorted(MESSAGE_NAMES.get(MessageType(t), t) for t in types)
        basis = FLOW_BASIS.get((sender, recipient), "")
        if recipient == role:
            flows.append(Flow("入手", ROLE_NAMES.get(sender, sender), names, basis))
        if sender == role:
            flows.append(Flow("提供", ROLE_NAMES.get(recipient, recipient), names, basis))
    return flows


def _evidence(session: Any, node: Node) -> Evidence:
    verification = node.verify_audit(session)
    last: dict[str, tuple[str, str, int]] = {}
    for row in session.execute(select(retention_purges).order_by(retention_purges.c.id)):
        last[row.rule] = (row.rule, str(row.at)[:19], row.erased)
    refused = {
        "住基ネット電文の拒否（署名・経路・管轄）": _count(
            session,
            select(func.count()).where(
                or_(refusals.c.type.is_(None), refusals.c.type.not_in([REFUSAL_TYPE, REPLAY_TYPE]))
            ),
        ),
        "適用済みの電文の再受信（再送・再生、記録のみ）": _count(
            session, select(func.count()).where(refusals.c.type == REPLAY_TYPE)
        ),
        "接続の拒否（TLS ハンドシェイク: 証明書なし・認証局外）": _count(
            session, select(func.count()).where(refusals.c.type == REFUSAL_TYPE)
        ),
        "アクセスの拒否（監査ログ上）": _count(
            session, select(func.count()).where(audit_log.c.result.not_in(["ok", "replayed"]))
        ),
    }
    tables = tables_of(importlib.import_module(f"juki.{node.role}.models").SCHEMA)
    if "provision_log" in tables:
        log = tables["provision_log"]
        refused["提供の拒否（法令上の根拠なし等）"] = _count(
            session, select(func.count()).where(log.c.refused_reason.is_not(None))
        )
    return Evidence(
        audit_entries=verification.entries, audit_checkpoints=verification.checkpoints,
        audit_problems=verification.problems, purges=list(last.values()), refusals=refused,
        operators=_count(session, select(func.count()).where(Operator.status == "active")),
        rights=_count(session, select(func.count()).where(OperatorRight.status == "granted")),
        totp_grants=_count(session, select(func.count()).where(TotpGrant.revoked_at.is_(None))),
        **_registers(session),
    )  # fmt: skip


def _registers(session: Any) -> dict[str, Any]:
    """What the registers (台帳) show: entries and open ones per kind, what is overdue,
    the last backup and the last self-inspection."""
    counts = []
    for kind in KINDS.values():
        entries = ledgers.entries(session, kind.code)
        if entries:
            counts.append((kind.name, len(entries), sum(e.status == "open" for e in entries)))
    backups = ledgers.entries(session, "backup")
    inspections = ledgers.entries(session, "self_inspection")
    return {
        "registers": counts,
        "overdue": len(ledgers.overdue(session, dt.datetime.now(JST).date())),
        "last_backup": f"{backups[-1].recorded_at:%Y-%m-%d %H:%M} UTC" if backups else "",
        "last_self_inspection": (
            f"{inspections[-1].fields['fiscal_year']}年度" if inspections else ""
        ),
    }


def _count(session: Any, query: Any) -> int:
    return int(session.scalar(query) or 0)


def _commit() -> str:
    """The code's version, when it runs from a git checkout."""
    git = shutil.which("git")
    if git is None:
        return "unknown"
    try:
        done = subprocess.run(  # noqa: S603 - fixed arguments, no input
            [git, "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True,
            cwd=str(Path(__file__).parent),
        )  # fmt: skip
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return done.stdout.strip()
