"""開示 (000 §Ⅴ; 002 §6.3, §10.9): a person's request to see their 本人確認情報 held by
the prefecture or J-LIS, answered with a PDF (the current record and its history, the
provisions of it to other bodies, or "no record"), and a correction request tracked until
the municipality, which keeps the source record, resolves it."""
