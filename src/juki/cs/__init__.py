"""市町村CS (municipal communication server). Spec 001a §2.2, §3.1, §3.6-3.8, §4.2."""
