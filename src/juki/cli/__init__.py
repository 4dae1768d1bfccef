"""The `juki` command line (pyproject: `juki = "juki.cli:app"`; `python -m juki.cli`). With
no flags every command acts on the network that `juki up` started from this directory (its
address is in .juki/network.json). `app.py` builds the app from one module per command
group; `common.py` holds what they share.

Imports sit at the top of each module, except those of juki.network and of the node
packages (juki.registry, juki.cs, …): they wait inside the commands that use them.
juki.network's topology imports every node package — their APIs, consoles, models and
templates — so at the top they would load for `juki --help` and every group's help too,
roughly doubling its time (about 1.4 s of CPU deferred against 2.8 s at the top on the
development machine; python -X importtime puts juki.network.topology at most of the
difference)."""

from juki.cli.app import app

__all__ = ["app"]
