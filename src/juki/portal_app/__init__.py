"""マイナポータルアプリ: the holder's app, which reads the log-in number a browser shows,
has the card sign the portal's challenge after the holder typed the PIN into it (through
the reader: the PIN never leaves the card's side), and presents the 利用者証明用
certificate and the signature to the portal (`portal/api.py`)."""
