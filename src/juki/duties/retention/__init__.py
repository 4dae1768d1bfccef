"""Retention (保管・消去): each file's rule as configuration (`rules.toml`), a purge job that
erases what has expired and records what it erased (消去履歴), run on a clock the caller
gives (tests move it)."""
