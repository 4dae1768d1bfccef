"""`juki pia <node>`: a node's privacy impact assessment (特定個人情報保護評価書), written
by juki.pia."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from juki.cli.common import HOME, Home, console, one_node
from juki.pia import catalogue, render
from juki.pia.report import collect


def pia(
    node: Annotated[str, typer.Argument(help="The node to assess, e.g. prefecture:13")],
    home: Home = HOME,
    out: Annotated[Path, typer.Option(help="Directory for pia-<node>.md and .html")] = Path("pia"),
) -> None:
    """Write a node's privacy impact assessment (特定個人情報保護評価書) from the code, the
    configuration and the running node: files, flows, requirements with their enforcing
    tests, live evidence. Markdown and HTML."""
    found = one_node(home, node)
    report = collect(found, catalogue.load())
    out.mkdir(parents=True, exist_ok=True)
    stem = out / f"pia-{node.replace(':', '-')}"
    text = render.to_markdown(report)
    stem.with_suffix(".md").write_text(text, encoding="utf-8")
    stem.with_suffix(".html").write_text(render.to_html(report, text), encoding="utf-8")
    console.print(
        f"{stem}.md / .html — of {len(report.requirements)} requirements: "
        f"{report.counted('enforced')} enforced, {report.counted('partial')} partly, "
        f"{report.counted('platform')} by the platform, {report.unmapped} 未対応; "
        f"{len(report.not_built)} on components not built"
    )
