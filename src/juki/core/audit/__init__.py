"""A tamper-evident audit log per node (issue #4, the PIAs' アクセスログ): every read and
write of personal information, hash-chained, with signed checkpoints."""
