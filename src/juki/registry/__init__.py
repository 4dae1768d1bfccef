"""既存住民基本台帳システム (the municipality's resident register). Spec 001a §2.1, §3.

One sub-package per family of work, each with the same small files where it has them:
`models.py` (its tables, all on the one `Base` of `residents/models.py`), `schemas.py`
(pydantic bodies, extra fields refused) and `service.py` (rules that take a unit of work
and know nothing of HTTP), or services named by what they record:

- `residents/` — the 住民票 itself (001a §4.1.3, 84 items): record, history, events and
  their journey up 住基ネット, the 住民票コード pool, the counter's search and statistics;
- `households/` — 世帯 and the rule that each has one 世帯主 (住基法 第7条第4号);
- `notices/` — the 届出 (住基法 第22条–第25条): 出生, 転入, 転居, 転出, 死亡, 氏名の変更,
  住民票コード・個人番号の変更, 世帯変更, 異動の取消し, 職権修正, with the 届出受付記録
  and the 個人番号の真正性確認 a 転入 needs;
- `foreign/` — foreign residents' 届出 and notices (住基法 第4章の3);
- `ex_officio/` — 職権記載・回復・消除, 失踪宣告 and 戸籍通知 (施行令 第12条; 住基法 第9条);
- `transfers/` — 特例転入 and the 転入通知 between municipalities (001a §3.3);
- `notice_checks/` — 届出点検 (001a ACQ-1-3; 001b C-01): the door every 届出 goes through;
- `cards/` — 個人番号 recorded from J-LIS, 送付先情報 (001a §3.7) and the cards reported;
- `support/` — 支援措置 (DV・ストーカー・児童虐待等);
- `certificates/` — 住民票の写し and other certificates, 広域交付 (住基法 第12条–第12条の4);
- `linkage/` — 庁内連携 (001a §3.12);
- `disclosure/` — 開示 of a person's own record (001a §5.9).

Families import downwards only, never in a circle (`lint-imports` keeps it so):

    notice_checks   → foreign, ex_officio, transfers → notices → households → residents
    disclosure      → notices, linkage, support, households, residents
    certificates    → support, households, residents
    linkage         → households, residents
    cards, support  → residents

Above them all: `models.py` gathers every family's tables in the role's `SCHEMA`;
`handlers.py` (messages from the CS), `api.py` and `console/` (the HTTP faces) call the
families' services.
"""
