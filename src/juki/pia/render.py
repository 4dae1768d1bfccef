"""The assessment as Markdown (Jinja2) and as HTML (Python-Markdown, tables)."""

from __future__ import annotations

from pathlib import Path

import markdown
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from juki.pia.report import PiaReport

_env = Environment(
    loader=FileSystemLoader(Path(__file__).with_name("templates")),
    undefined=StrictUndefined,
    autoescape=False,  # Markdown; the HTML is made from it below  # noqa: S701
    trim_blocks=False,
    lstrip_blocks=True,
)
_env.filters["code"] = lambda text: f"`{text}`"

HTML_PAGE = """<!doctype html>
<html lang="ja"><head><meta charset="utf-8">
<title>{title}</title>
<style>
body {{ font-family: "Noto Sans CJK JP", sans-serif; max-width: 70rem; margin: 2rem auto;
       padding: 0 1rem; line-height: 1.6; }}
table {{ border-collapse: collapse; width: 100%; font-size: .9rem; }}
th, td {{ border: 1px solid #999; padding: .25rem .5rem; vertical-align: top; }}
th {{ background: #eef; }}
code {{ font-size: .85em; }}
</style></head><body>
{body}
</body></html>
"""


def to_markdown(report: PiaReport) -> str:
    return _env.get_template("pia.md.j2").render(r=report)


def to_html(report: PiaReport, text: str | None = None) -> str:
    body = markdown.markdown(text or to_markdown(report), extensions=["tables"])
    return HTML_PAGE.format(title=f"特定個人情報保護評価書 {report.node_id}", body=body)
