"""証明書交付センター (J-LIS's certificate-issuance centre for コンビニ交付, 001a §2.6, 001b
F-CONV, I-26): kiosk terminals open sessions, present the holder's 利用者証明用 certificate
with the card's signature over the session's challenge, and collect the PDF the holder's
municipality made, sealed to the session's key. See `docs/kiosk.md`."""
