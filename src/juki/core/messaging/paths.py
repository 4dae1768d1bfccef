"""Permitted paths: which role may send which message type to which role (design §3).

The PIAs fix these. 000 §2.2: the number generator (個人番号生成システム) connects only to
the national server, and the national server may send it only generation requests, change
requests and 住民票コード change notices. 002 §6.1 1-②a: the prefectural server accepts
updates only from a 市町村CS. A municipality's registry talks only to its own CS, and a CS
only to its own prefecture (and, for number requests and reconciliation, to the national
server; for 送付先情報, to J-LIS's card management system). Anything else is refused and
logged by the receiver.
"""

from __future__ import annotations

from juki.core.ids import prefecture_code_of
from juki.core.messages import MessageType as T

# Between municipalities, only through each one's CS (001a §2.2: CS ↔ other CS).
BETWEEN_MUNICIPALITIES = frozenset(
    {
        T.MOVE_OUT_CERT_REQUEST,
        T.MOVE_OUT_CERT,
        T.MOVE_IN_NOTICE,
        T.WIDE_AREA_REQUEST,
        T.WIDE_AREA_COPY,
    }
)

PERMITTED: dict[tuple[str, str], frozenset[str]] = {
    ("registry", "cs"): frozenset(
        {
            T.IDENTITY_UPDATE,
            T.NUMBER_REQUEST,
            T.POOL_REQUEST,
            T.NUMBER_CHECK,
            T.IDENTITY_CONFIRM,
            T.DESTINATION_INFO,
            T.CARD_REPORT,
            T.CARD_CHIP_REQUEST,
            T.CARD_STATUS_QUERY,
            T.JPKI_ISSUE,
            T.JPKI_CARD_STATUS,
            T.FUGO_REQUEST,
        }
    )
    | BETWEEN_MUNICIPALITIES,
    ("cs", "registry"): frozenset(
        {
            T.JPKI_ISSUED,
            T.IDENTITY_UPDATE_RESULT,
            T.NUMBER_RESULT,
            T.POOL_GRANT,
            T.NUMBER_CHECK_RESULT,
            T.IDENTITY_CONFIRMED,
            T.DESTINATION_RECEIPT,
            T.CARD_INFO,
            T.CARD_CHIP,
            T.CARD_STATUS,
        }
    )
    | BETWEEN_MUNICIPALITIES,
    ("cs", "cs"): BETWEEN_MUNICIPALITIES,
    ("cs", "prefecture"): frozenset({T.IDENTITY_UPDATE, T.CONSISTENCY_CHECK}),
    ("prefecture", "cs"): frozenset({T.IDENTITY_UPDATE_RESULT, T.CONSISTENCY_RESULT}),
    ("cs", "national"): frozenset(
        {
            T.NUMBER_REQUEST,
            T.POOL_REQUEST,
            T.CONSISTENCY_CHECK,
            T.NUMBER_CHECK,
            T.IDENTITY_CONFIRM,
            T.FUGO_REQUEST,
        }
    ),
    ("national", "cs"): frozenset(
        {
            T.NUMBER_RESULT,
            T.POOL_GRANT,
            T.CONSISTENCY_RESULT,
            T.NUMBER_CHECK_RESULT,
            T.IDENTITY_CONFIRMED,
        }
    ),
    ("prefecture", "national"): frozenset({T.IDENTITY_UPDATE}),
    ("national", "prefecture"): frozenset({T.IDENTITY_UPDATE_RESULT}),
    ("national", "numbering"): frozenset({T.NUMBER_REQUEST, T.CODE_CHANGE_NOTICE}),
    ("numbering", "national"): frozenset({T.NUMBER_RESULT}),
    # 個人番号カード管理システム (000 §2.4): 送付先情報 from each CS and the receipt back
    # (001a §3.7 7-②); from the national server only the relayed 異動情報 (C27). It
    # reads and updates nothing at the national server, so nothing goes that way.
    ("cs", "card"): frozenset(
        {
            T.DESTINATION_INFO,
            T.CARD_REPORT,
            T.CARD_CHIP_REQUEST,
            T.CARD_STATUS_QUERY,
            T.CONSISTENCY_CHECK,
        }
    ),
    ("card", "cs"): frozenset(
        {T.DESTINATION_RECEIPT, T.CARD_INFO, T.CARD_CHIP, T.CARD_STATUS, T.CONSISTENCY_RESULT}
    ),
    ("national", "card"): frozenset({T.CARD_CHANGE}),
    # カードの発行 (000 §2.4, C20–C22): J-LIS commissions each card from the issuance
    # contractor's system and hears what it made (a dedicated line); the contractor sends
    # the card to the destination municipality (a delivery, not a line: the chip's
    # contents go to that municipality's register and nowhere else).
    ("card", "issuance"): frozenset({T.CARD_COMMISSION, T.CARD_MADE_ANSWER}),
    ("issuance", "card"): frozenset({T.CARD_MADE}),
    ("issuance", "registry"): frozenset({T.CARD_SHIPMENT}),
    # 公的個人認証サービス (JPKI, 公的個人認証法 第3条, 第22条): the mayor's application for a
    # card's certificates and requests on them (hold, release, revoke) go through the CS,
    # answered the same way; the national server tells JPKI of changes to persons' records
    # (異動等失効情報, 第12条, 第31条; 000 §2.3: no 個人番号 on that link). Nothing passes
    # between the card system and JPKI (000 F3-USE-01); JPKI reads nothing anywhere.
    ("cs", "jpki"): frozenset({T.JPKI_ISSUE, T.JPKI_CARD_STATUS}),
    ("jpki", "cs"): frozenset({T.JPKI_ISSUED}),
    ("national", "jpki"): frozenset({T.JPKI_CHANGE}),
    # 証明書自動交付 (001b F-CONV, I-26: kiosk → 証明書交付センター → the municipality's
    # 証明書自動交付システム → センター → kiosk). The centre asks JPKI whether the presented
    # 利用者証明用 certificate is good and which municipality's it is, then that
    # municipality's register (over LGWAN, 001a §2.6: not through the CS) for the PDF.
    ("kiosk", "jpki"): frozenset({T.KIOSK_IDENTIFY}),
    ("jpki", "kiosk"): frozenset({T.KIOSK_IDENTIFIED}),
    ("kiosk", "registry"): frozenset({T.KIOSK_REQUEST, T.KIOSK_OUTCOME}),
    ("registry", "kiosk"): frozenset({T.KIOSK_DOCUMENT}),
    # 符号の取得 (001b flow 5; 000 P2.3, C10–C12; core/infonet_messages.py). Inside one
    # institution the register feeds its 団体内統合宛名システム (1-④), which asks its
    # 中間サーバー for a 処理通番 and sends the 個人番号 up the register's own path to
    # J-LIS (既存住基 → CS → national: the CS never talks to the 統合宛名, 001a USE-1-3).
    # J-LIS gives the network the 住民票コード only (F2-NW-07) and takes nothing from it
    # (F2-NW-other); the network gives 符号 to 中間サーバー only.
    ("registry", "atena"): frozenset({T.ATENA_UPDATE, T.FUKUHON_ORIGINAL, T.FUKUHON_CHECK_DONE}),
    ("atena", "registry"): frozenset({T.FUGO_REQUEST, T.FUKUHON_CHECK}),
    ("atena", "intermediate"): frozenset(
        {T.FUGO_ACQUIRE, T.FUKUHON_REGISTER, T.FUKUHON_ORIGINAL, T.FUKUHON_CHECK_DONE}
    ),
    ("intermediate", "atena"): frozenset({T.FUGO_SERIAL, T.FUGO_SAME_PERSON, T.FUKUHON_CHECK}),
    ("national", "infonet"): frozenset({T.FUGO_RESIDENT_CODE, T.FUGO_CODE_CHANGE}),
    # 情報照会・情報提供: every query goes through the network, which checks it against the
    # legal table and converts the 符号; 中間サーバー never talk to each other directly.
    ("infonet", "intermediate"): frozenset(
        {
            T.FUGO_ISSUED,
            T.FUGO_REKEY,
            T.PERMIT_LIST,
            T.PERMIT_LIST_WITHDRAW,
            T.PROVISION_PERMIT,
            T.INFONET_RESULT,
        }
    ),
    ("intermediate", "infonet"): frozenset({T.INFONET_QUERY, T.INFONET_ANSWER}),
    # マイナポータル (core/portal_messages.py): JPKI says whether the 利用者証明用 certificate
    # a holder logged in with is good now and, if it is, resolves its serial to the
    # holder's 住民票コード (000 §6.4) for J-LIS's national server, which gives the network
    # the code (as for any 符号, recorded and kept for C12); the network sends the portal
    # its own 符号 for the person against the log-in; the portal asks the network for the
    # person's 情報提供等記録 under that 符号.
    ("portal", "jpki"): frozenset({T.PORTAL_IDENTIFY}),
    ("jpki", "portal"): frozenset({T.PORTAL_IDENTIFIED}),
    ("jpki", "national"): frozenset({T.PORTAL_CODE}),
    ("infonet", "portal"): frozenset({T.FUGO_ISSUED, T.FUGO_REKEY, T.PORTAL_RECORDS}),
    ("portal", "infonet"): frozenset({T.PORTAL_RECORDS_ASK}),
}

# Pairs that belong to one institution: a register, its 統合宛名 and its 中間サーバー.
SAME_INSTITUTION = (
    frozenset({"registry", "cs"}),
    frozenset({"registry", "atena"}),
    frozenset({"atena", "intermediate"}),
)


def role_of(node_id: str) -> str:
    return node_id.split(":", 1)[0]


def code_of(node_id: str) -> str:
    return node_id.split(":", 1)[1] if ":" in node_id else ""


def _same_jurisdiction(sender: str, recipient: str) -> bool:
    """A registry pairs with its own CS and 統合宛名, which pairs with its own 中間サーバー;
    a CS with the prefecture it lies in."""
    roles = frozenset({role_of(sender), role_of(recipient)})
    if roles in SAME_INSTITUTION:
        return code_of(sender) == code_of(recipient)
    if role_of(sender) == role_of(recipient) == "cs":
        return code_of(sender) != code_of(recipient)
    if roles == {"cs", "prefecture"}:
        cs, pref = (sender, recipient) if role_of(sender) == "cs" else (recipient, sender)
        return prefecture_code_of(code_of(cs)) == code_of(pref)
    return True


def is_permitted(sender: str, recipient: str, message_type: str) -> bool:
    allowed = PERMITTED.get((role_of(sender), role_of(recipient)), frozenset())
    return message_type in allowed and _same_jurisdiction(sender, recipient)
