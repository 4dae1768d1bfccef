"""The 84 items of the 住民基本台帳ファイル (001a §4.1.3, 別添2 (1)), numbered as the seed
numbers them, each mapped to where the register keeps it.

Most are columns of `ResidentItems`. Three are not stored on the person's row: 世帯主の氏名
(items 2, 3) come from the household's head, and 現住所自治体コード (item 6) is the
municipality's own code. 宛名番号 (item 12) is the row's key. The seed repeats two labels
(56 除票届出日, 78 外国人住定異動事由); we read them as the processing date of the removal
and the notice reason of the foreign resident's address, and say so here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from juki.core.messages import CHANGE_REASON_LABELS

Source = Literal["column", "household", "municipality", "key"]


@dataclass(frozen=True)
class RegisterItem:
    no: int
    label: str  # the seed's Japanese name
    name: str  # the name used in code
    source: Source = "column"


_ITEMS = """
1 世帯番号 household_id
2 世帯主カナ氏名 head_name_kana household
3 世帯主漢字氏名 head_name_kanji household
4 行政区コード district_code
5 現住所郵便番号 postal_code
6 現住所自治体コード lg_code municipality
7 現住所町字コード town_code
8 現住所 address
9 現住所方書コード address_annex_code
10 現住所方書 address_annex
11 異動事由 change_reason
12 宛名番号 addressee_id key
13 除票区分 removal_kind
14 住民異動日 change_date
15 住民届出日 notified_on
16 住定異動日 settled_on
17 住定異動事由 settled_reason
18 住定届出日 settled_notified_on
19 住定届出事由 settled_notice_reason
20 カナ氏名 name_kana
21 漢字氏名 name_kanji
22 性別コード sex
23 生年月日 birth_date
24 続柄コード relationship
25 本籍自治体コード domicile_lg_code
26 本籍郵便番号 domicile_postal_code
27 本籍 domicile
28 筆頭者漢字 family_head_name
29 旧姓漢字 previous_surname_kanji
30 住民票コード resident_code
31 前住所自治体コード previous_lg_code
32 前住所郵便番号 previous_postal_code
33 前住所 previous_address
34 前住所方書 previous_annex
35 前住所世帯主漢字 previous_head_name
36 転出予定地自治体コード destination_lg_code
37 転出予定地郵便番号 destination_postal_code
38 転出予定地 destination_address
39 転出予定地方書 destination_annex
40 転出予定地世帯主漢字 destination_head_name
41 転出確定地自治体コード confirmed_lg_code
42 転出確定地郵便番号 confirmed_postal_code
43 転出確定地 confirmed_address
44 転出確定地方書 confirmed_annex
45 転出確定地世帯主漢字 confirmed_head_name
46 最終住民登録地自治体コード last_registered_lg_code
47 最終住民登録地郵便番号 last_registered_postal_code
48 最終住民登録地 last_registered_address
49 最終住民登録地方書 last_registered_annex
50 最終住民登録地世帯主漢字 last_registered_head_name
51 未届期間開始 unreported_from
52 未届期間終了 unreported_until
53 付記事項 remarks
54 除票異動日 removed_on
55 除票届出日 removal_notified_on
56 除票処理日 removal_processed_on
57 除票届出事由 removal_reason
58 外国人本名カナ foreign_true_name_kana
59 外国人本名漢字 foreign_true_name
60 外国人通称カナ alias_kana
61 外国人通称漢字 alias
62 外国人併記名漢字 combined_name
63 外国人併記名カナ combined_name_kana
64 国籍コード nationality_code
65 国籍漢字 nationality
66 在留カード等番号 residence_card_no
67 在留資格コード residence_status_code
68 在留資格漢字 residence_status
69 30条の45区分 foreign_category
70 在留期間 period_of_stay
71 在留期限満了日 stay_expires_on
72 外国人生年月日 foreign_birth_date
73 外国人住民異動日 foreign_change_date
74 外国人住民届出日 foreign_notified_on
75 外国人住定異動日 foreign_settled_on
76 外国人住定異動事由 foreign_settled_reason
77 外国人住定届出日 foreign_settled_notified_on
78 外国人住定届出事由 foreign_settled_notice_reason
79 居住地届出フラグ residence_notified
80 通称履歴 alias_history
81 個人番号 individual_number_cipher
82 シリアル番号 serial_no
83 旧氏漢字 former_surname_kanji
84 旧氏ふりがな former_surname_kana
"""


def _parse() -> tuple[RegisterItem, ...]:
    items = []
    for line in _ITEMS.strip().splitlines():
        no, label, name, *source = line.split()
        items.append(RegisterItem(int(no), label, name, *source))  # type: ignore[arg-type]
    return tuple(items)


REGISTER_ITEMS = _parse()
STORED_COLUMNS = tuple(item.name for item in REGISTER_ITEMS if item.source == "column")


# Item 11 (異動事由) in Japanese: 住基ネット's reasons and the register's own (changes that
# stay in the register, 001a §4.1.3), as the console and the 開示 answer show them.
REASON_LABELS = {str(k.value): v for k, v in CHANGE_REASON_LABELS.items()} | {
    "household_change": "世帯変更",
    "cancellation": "異動の取消し",
    "number_recorded": "個人番号の記載",
    "move_in_notice": "転入通知の受理",
    "koseki_notice": "戸籍通知",
    "immigration_notice": "法務大臣からの通知",
    "alias": "通称の記載・削除",
}


def reason_label(reason: str) -> str:
    return REASON_LABELS.get(reason, reason)
