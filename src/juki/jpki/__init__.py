"""公的個人認証サービス (JPKI): J-LIS's certification authorities for the two certificates on
each My Number card, their revocation lists and OCSP responder, and the index from a
certificate's serial to its holder (000 §6.4). See `docs/jpki.md` for what follows the
public law and what is juki's own choice."""
