"""団体内統合宛名システム (an institution's integrated addressee system, 001a §2.3): it maps
each person's 個人番号 to the institution's own 団体内統合宛名番号 and to each business
system's 宛名番号, and obtains the person's 符号 through the 中間サーバー and J-LIS
(001b flow 5). See `docs/infonet.md`."""
