"""``veilleur report --bank X --period 2026-10``: the monthly report (HTML + PNG charts), and the demo's.

Imports ``cli.common`` at once and the report lazily (plotly and matplotlib load only when a
report is written).
"""
from __future__ import annotations

from pathlib import Path

import typer

from veilleur.cli.common import ConfigOption, console, friendly, load_settings, open_store, out

DEMO_BANK = "Banque Hélios"
DEMO_PERIOD = "2026-10"


@friendly
def report(bank: str = typer.Option(..., "--bank", help="the bank, as named in organisation.brands"),
           period: str = typer.Option(..., "--period", help="2026-10 (a month), 2026-10-09 or 2026-10-01..2026-10-15"),
           out_dir: Path = typer.Option(Path("rapports"), "--out", help="folder the report and its PNGs go to"),
           config: Path | None = ConfigOption) -> None:
    """Write a self-contained HTML report (offline charts) and PNG charts for slides."""
    from veilleur.analytics.report import write_report

    settings = load_settings(config)
    store = open_store(settings)
    with console.status(f"report on {bank} over {period}…"):
        files = write_report(store, settings, bank, period, out_dir)
    _print(files)


def _print(files) -> None:
    f = files.figures
    out.print(f"report: {files.html}", highlight=False, soft_wrap=True)
    out.print(f"charts: {', '.join(p.name for p in files.pngs)} in {files.pngs[0].parent}", highlight=False,
              soft_wrap=True)
    out.print(f"{f.posts} posts, net e-reputation {f.reputation.net:+.1f} points "
              f"[{f.reputation.low:+.1f}; {f.reputation.high:+.1f}], {len(f.alerts)} alerts", highlight=False)


def print_report_demo(settings, store, out_dir: Path) -> Path:
    """Write the demo month's report of Banque Hélios into ``out_dir`` and print its path (``make demo``)."""
    from veilleur.analytics.report import write_report

    files = write_report(store, settings, DEMO_BANK, DEMO_PERIOD, out_dir)
    _print(files)
    return files.html
