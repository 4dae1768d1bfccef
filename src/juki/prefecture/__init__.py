"""都道府県サーバ (prefectural server). Spec 002 §4, §5.1-5.2, §6."""
