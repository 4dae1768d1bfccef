"""The shared kernel. Imports no node package; every node package may import it."""
