"""Provision of 本人確認情報 to other bodies by the legal tables (住基法 別表), deny by
default: the body, the duty (事務) and the legal article must be a row of the table; the
answer carries only that row's items; every attempt, refused ones included, is in the
provision record (000 F2-PRV-01/05; 002 REQ-PRV-01/03/08)."""
