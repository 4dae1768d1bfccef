"""既存住民基本台帳システム (the municipality's resident register). Spec 001a §2.1, §3.

This issue keeps the 本人確認情報 part of the record; the full 84-item 住民票, households
and certificates are the next issue's (docs/status.md).
"""
