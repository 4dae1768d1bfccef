"""Signed envelopes, transactional outbox, ordered exactly-once inbox (design §3)."""
