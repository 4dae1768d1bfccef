"""The duties (事務) a right can be granted for, per node role: the rows of the access-right
↔ duty matrix (000 ACL-01). A right is `update` (更新権限) or `read` (照会権限のみ);
update includes read."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Access = Literal["update", "read"]
ACCESS_NAMES = {"update": "更新", "read": "照会のみ"}
ALL_ROLES = frozenset(
    {
        "registry",
        "cs",
        "prefecture",
        "national",
        "numbering",
        "card",
        "jpki",
        "kiosk",
        "issuance",
        "infonet",
        "atena",
        "intermediate",
        "portal",
    }
)


@dataclass(frozen=True)
class Duty:
    code: str
    name: str  # Japanese, as on the screens and reports
    roles: frozenset[str]
    privileged: bool = False  # 特権: its use is in the monthly privileged-activity report
    # Where a contractor's staff may hold it: only the contracted counter work at the
    # municipality (001a OUT-2); nothing privileged, no export; and at the tiers nothing
    # that reads the files (002 REQ-CON-02: the operating consignee has no view rights).
    contractor_roles: frozenset[str] = frozenset()


DUTIES: dict[str, Duty] = {
    duty.code: duty
    for duty in (
        Duty(
            "resident_records",
            "住民記録事務（届出の受付・記載・照会）",
            frozenset({"registry"}),
            contractor_roles=frozenset({"registry"}),
        ),
        Duty(
            "certificates",
            "証明書交付事務",
            frozenset({"registry"}),
            contractor_roles=frozenset({"registry"}),
        ),
        Duty("support_measures", "支援措置事務", frozenset({"registry"})),
        Duty("correction_approval", "本人確認情報の修正の承認", frozenset({"registry"})),
        # 届出の点検 (001a ACQ-1-3, ACQ-3-4; 001b C-01): someone other than the clerk who
        # entered a 届出 checks it before it reaches the register. The municipality's own
        # staff only: a contractor may enter 届出 (001a OUT-2) but never check them.
        Duty("notice_check", "届出の点検（入力した者以外による確認）", frozenset({"registry"})),
        # 個人番号カード事務 at the counter: reissuing a 交付申請書 whose 4情報 changed after it
        # was sent (000 P3.4, F3-ACQ-06). It sends the person's 送付先情報, 個人番号 included,
        # to J-LIS: the municipality's own staff only.
        Duty(
            "card_counter",
            "個人番号カード事務（交付申請書の再発行、カードの交付・一時停止・廃止等）",
            frozenset({"registry"}),
        ),
        # A recipient section's system (庁内連携, 001a §3.12): only its approved items.
        Duty("internal_linkage", "庁内連携（移転・提供）", frozenset({"registry"})),
        Duty(
            "identity_inquiry",
            "本人確認情報の照会・提供",
            frozenset({"cs", "prefecture", "national"}),
        ),
        # 開示 of 本人確認情報 at the tiers (002 §6.3), of the register at the municipality
        # (001a DISC-2: registry/disclosure/service.py).
        Duty(
            "disclosure",
            "開示・訂正請求の対応",
            frozenset({"registry", "prefecture", "national"}),
        ),
        Duty(
            "consistency_check",
            "本人確認情報整合",
            frozenset({"cs", "prefecture", "national"}),
        ),
        Duty(
            "bulk_output",
            "一括提供・外部媒体への出力",
            frozenset({"cs", "prefecture", "national", "card"}),
            privileged=True,
        ),
        # The 管理責任者's prior approval of a bulk output above the threshold (001a USE-5-4).
        Duty(
            "bulk_output_approval",
            "大量出力の事前承認（管理責任者）",
            frozenset({"cs"}),
            privileged=True,
        ),
        Duty("number_generation", "個人番号の生成", frozenset({"numbering"})),
        # The prefecture's exceptional correction of its own file (002 REQ-ACQ-09): entered
        # by one holder, applied only when a second holder approves.
        Duty(
            "manual_correction",
            "本人確認情報の手動修正（特権）",
            frozenset({"prefecture"}),
            privileged=True,
        ),
        # 002 REQ-STAT-01, REQ-ACL-01: statistics, each job stating its purpose; at the
        # card management system, counts by processing state only (000 F3-USE-04).
        Duty("statistics", "統計処理", frozenset({"prefecture", "national", "card"})),
        # 交付申請 handed over by the application-receipt contractor (000 §3.3 1-⑥/⑦).
        Duty("card_applications", "交付申請書の登録（申請書受付）", frozenset({"card"})),
        # J-LIS's 券面事項 signer certificate, for software that reads the card's
        # 券面事項入力補助 application (the counter's, a relying party's: card/signer.py).
        Duty("card_face_verify", "券面事項入力補助の署名者証明書の取得", frozenset({"card"})),
        # The issuance contractor's staff at its own カード発行システム (000 §2.4): the
        # commissions received, the cards made and shipped (issuance/).
        Duty(
            "card_manufacture", "個人番号カードの製造・送付（カード発行）", frozenset({"issuance"})
        ),
        # The print contractor's system (000 §3.3 1-②/③, C16): fetches the sealed print
        # file, confirms its receipt and reports its own erasure (OUT-06).
        Duty("card_print", "通知カード・交付申請書の印刷（印刷事業者）", frozenset({"card"})),
        # 申請状況照会 (000 F3-ACQ-03: only specific authorised persons query File 3): a
        # J-LIS operator reads where one 申請書ID stands, by that key only (card/inquiry.py).
        Duty("card_inquiry", "交付申請の状況照会（申請書ID）", frozenset({"card"})),
        # The call centre contractor (000 P3.2, P3.3): enquiries and 一時停止 by the
        # caller's 4情報, and the certificates' 一時保留 at JPKI (C25).
        Duty("card_call_centre", "問合せ対応・一時停止（コールセンター）", frozenset({"card"})),
        Duty("jpki_hold", "電子証明書の一時保留（コールセンター）", frozenset({"jpki"})),
        # J-LIS's side of the contracts: the print file sent to the contractor, the roster
        # of the contractor's staff (OUT-02/03), retention and contract end (OUT-06).
        Duty(
            "card_contracts",
            "委託先の管理（印刷ファイルの送付・従事者名簿・契約終了）",
            frozenset({"card"}),
            privileged=True,
        ),
        # 公的個人認証サービス: a relying party's status questions (CA certificates, CRLs,
        # OCSP: 公的個人認証法 第17条, 第36条, for those J-LIS has agreed with), and J-LIS's
        # own resolution of a certificate's serial to its holder (000 §6.4).
        Duty(
            "jpki_verify",
            "電子証明書の有効性確認（署名検証者・利用者証明検証者）",
            frozenset({"jpki"}),
        ),
        Duty("jpki_serial_index", "シリアル番号による住民票コードの特定", frozenset({"jpki"})),
        # 証明書交付センター: a kiosk terminal's requests for a holder's certificate (001b
        # I-26); each terminal system a registered client, seeing only its own sessions.
        Duty("kiosk_terminal", "キオスク端末からの証明書交付請求", frozenset({"kiosk"})),
        # The information-provision network at each institution (001a §2.3, §2.4): a business
        # system finds its person's 団体内統合宛名番号 by its own 宛名番号, and asks through
        # the 中間サーバー under a row of the legal table (情報照会) and reads the answer.
        Duty("atena_lookup", "団体内統合宛名番号の照会（宛名番号から）", frozenset({"atena"})),
        Duty("info_query", "情報照会（中間サーバー）", frozenset({"intermediate"})),
        # The 中間サーバー's staff view one person's 副本 as it stands (001a NWS-7-2).
        Duty("fukuhon_view", "副本の照会（中間サーバー）", frozenset({"intermediate"})),
        # Answers held for review (自動応答不可, NWS-5-3): staff re-check and provide or
        # withhold them (intermediate/review.py).
        Duty(
            "provision_review",
            "自動応答不可の情報提供の審査（中間サーバー）",
            frozenset({"intermediate"}),
        ),
        # Copying data out of the system (CSV, files): administrators only (001a USE-4-2,
        # 002 REQ-USE-06); never a contractor (001a OUT-4).
        Duty("data_export", "データの複写・外部出力", ALL_ROLES, privileged=True),
        Duty("audit_review", "証跡（アクセス記録）の確認", ALL_ROLES),
        Duty("account_admin", "利用者・権限の管理", ALL_ROLES, privileged=True),
    )
}


def duties_for(role: str) -> list[Duty]:
    return [duty for duty in DUTIES.values() if role in duty.roles]


def covers(granted: str, needed: str) -> bool:
    """An update right covers reading; a read-only right covers reading only."""
    return granted == "update" or granted == needed
