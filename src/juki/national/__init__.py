"""住基全国サーバ (Juki national server), J-LIS. Spec 000 §2.3, §3.2, §4.2."""
