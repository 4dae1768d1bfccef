"""住民票 (001a §2.1, §4.1.3; 住基法 第7条): the record of each person, its 84 items, a full
copy of it after every change (履歴), the events that carry each change up 住基ネット and
what comes back (001a §3.1 1-⑥, 000 P2.1 1-⑤), the 住民票コード pool J-LIS grants
(住基法施行規則 第1条), and the counter's search and statistics.

The lowest family: every other one builds on it, and its `models.py` holds the register's
one declarative `Base`.
"""
