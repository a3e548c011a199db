"""Rich tables for the store's ``Stats`` (used by ``stats`` and ``demo``)."""
from __future__ import annotations

from rich.table import Table
from rich.text import Text

from veilleur.cli.common import out
from veilleur.storage.base import Stats

BAR = "█"


def _counts(title: str, counts: dict, limit: int = 12) -> Table:
    table = Table(title=title, title_justify="left")
    table.add_column(title.split()[-1])
    table.add_column("posts", justify="right")
    for key, n in list(counts.items())[:limit]:
        table.add_row(Text(str(key)), str(n))
    if len(counts) > limit:
        table.add_row(f"… {len(counts) - limit} more", str(sum(list(counts.values())[limit:])))
    return table


def _bars(title: str, counts: dict, width: int = 40) -> Table:
    table = Table(title=title, title_justify="left", show_header=False, box=None)
    top = max(counts.values(), default=1)
    for key, n in counts.items():
        table.add_row(str(key), f"{n:>5}", BAR * max(1, round(width * n / top)) if n else "")
    return table


def print_stats(s: Stats) -> None:
    out.print(f"[bold]{s.posts}[/] posts ({s.analysed} analysed) by {s.authors} authors; "
              f"[bold]{s.dead_letters}[/] dead letters")
    out.print(_counts("Posts by bank", s.by_bank))
    out.print(_counts("Posts by platform", s.by_platform))
    out.print(_counts("Posts by language", s.by_language))
    if any(k != "(none)" for k in s.by_sentiment):
        out.print(_bars("Posts by sentiment", s.by_sentiment))
        out.print(_bars("Posts by intent", s.by_intent))
    out.print(_bars("Posts by day (Europe/Paris)", s.by_day))
    busiest = dict(sorted(s.by_hour.items(), key=lambda kv: -kv[1])[:5])
    out.print(_bars("Busiest hours (Europe/Paris)", {f"{h:02d}:00": n for h, n in busiest.items()}))
    if s.dead_by_reason:
        out.print(_counts("Dead letters by reason", s.dead_by_reason))
