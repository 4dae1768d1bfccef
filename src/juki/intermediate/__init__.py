"""中間サーバー (an institution's intermediate server on the information-provision network,
001a §2.4): it holds each person's 符号 against the 団体内統合宛名番号 and never shows it,
and (slice 2 of issue #16) the 副本 it answers from. See `docs/infonet.md`."""
