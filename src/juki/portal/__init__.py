"""マイナポータル (the person's portal, 情報提供等記録開示システム: 番号法 附則第6条第3項; run by
デジタル庁): a holder logs in with the card's 利用者証明用 certificate and PIN — never with
the 個人番号 — and sees the 情報提供等記録 of their 特定個人情報 (番号法 第23条): who asked
whom, for what, under which 事務, when, and what came of it. See `docs/portal.md`."""
