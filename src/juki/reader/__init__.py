"""Card-reader software: the ISO/IEC 7816-4 commands a reader at the counter or a kiosk
sends a My Number card (`jpki.py` the JPKI application; `text.py` the 券面事項入力補助
application; `juki_ap.py` the 住基 application). Works with anything that answers APDUs —
a real card through PC/SC, or the holder's virtual card (`holder/apdu.py`). Imports only
core: a reader never reaches a server."""
