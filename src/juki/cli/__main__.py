"""`python -m juki.cli …`: the same app as the `juki` console script (the tests start
`juki node serve` processes this way, with the interpreter that runs them)."""

from juki.cli.app import app

app()
