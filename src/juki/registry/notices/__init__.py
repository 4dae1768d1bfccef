"""届出 (住基法 第22条–第25条, 第30条の4; 番号法 第7条) and the changes the register makes
on them (001a §3.1, §3.2):

- `arrivals` — 出生届, 転入届 (one person or a household), and the 転入通知 each 転入 sends;
- `moves` — 転居届, 転出届 (and the 転出証明書), 死亡 and the other 消除;
- `changes` — 氏名の変更, 住民票コード・個人番号の変更, 職権修正 as applied, 世帯変更,
  異動の取消し;
- `corrections` — 職権修正 under two-person control (001a §5.1, §5.2);
- `intake` — the 届出受付記録 of a 届出 taken at the counter (001a ACQ-2-1);
- `number_checks` — the CS's 個人番号の真正性確認 before a 転入 (001a ACQ-3-2).

The services are split by what they record rather than kept in one `service.py`: each of
the three is a few hundred lines. Which of them a 届出 passes through first, and when, is
`notice_checks`'.
"""
