"""キオスク端末 (S13 of 001b: the convenience store's multi-copy machine): its card reader,
its client of J-LIS's 証明書交付センター, and the Japanese screen the holder uses
(`juki kiosk terminal`). The holder's PIN goes from the screen to the card through the
reader and nowhere else; the PDF arrives sealed to a key made for the one session."""
