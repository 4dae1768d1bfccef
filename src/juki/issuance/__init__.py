"""The issuance contractor's カード発行システム (000 §2.4, §3.3 1-⑧/⑨, C20–C22): it takes J-LIS's
commission for each card, makes the card (the chip's 住基 and 券面事項入力補助 applications
as J-LIS signed them), reports the result, and — once J-LIS has accepted it — ships the card
to the municipality of the destination address. It keeps the commission's personal data
only until the card leaves (OUT-06). See `docs/card.md`."""
