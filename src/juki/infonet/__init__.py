"""情報提供ネットワークシステム, the information-provision network (issue #16; 000 §6.3,
001a §2.5, §4.4): institutions exchange 特定個人情報 without the 個人番号, each holding a
person under its own 情報提供用個人識別符号 (符号); the network checks every request against
the legal table (利用特定個人情報の提供に関する命令 第二条の表), converts one institution's
符号 into another's and records every provision.

Being built. So far: the legal table with its validating loader (`legal_table.py`,
墨田区's 60 rows as provider of 住民票関係情報) and the keyed derivation of 符号 (`codes.py`).
The node itself, the 中間サーバー and 団体内統合宛名 come next (docs/status.md)."""
