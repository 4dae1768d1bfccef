"""The holder's side of the My Number card: a virtual card that lives in a file with its
holder, never on a server (`virtual_card.py`: two key pairs sealed under their PINs, the
certificates, the retry counters), and the card's answers to the commands a reader sends
to a real card's JPKI application (`apdu.py`, ISO/IEC 7816-4). Imports only core."""
