"""支援措置 (住民基本台帳事務における支援措置, 総務省通知): for victims of DV, stalking and
child abuse, third parties' requests for the person's record are refused, recorded and
shown to the supervisor while a measure runs."""
