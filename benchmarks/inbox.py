"""Benchmark of the inbox intake: analysed posts → cases (routing, SLA clocks, journal, round robin).

Stores N synthetic analysed posts about Banque Hélios (the demo organisation and agents: questions,
complaints, fraud, rumours, thread replies, posts about competitors), then times ``Intake.sync``
from an empty inbox, several times, and prints the median posts/s and cases opened. Usage:

    .venv/bin/python benchmarks/inbox.py [--posts 3000] [--runs 3] [--database-url postgresql+psycopg://...]

Default back end: a fresh SQLite file in a temporary folder.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from rich.console import Console
from sqlalchemy import text

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # tests.factories
console = Console()
KINDS = [("@BanqueHelios quel est le plafond du LDD ?", "question", (), "normal"),
         ("@Helios_Aide mon appli plante depuis ce matin", "complaint", ("digital",), "normal"),
         ("@BanqueHelios on m'a piraté mon compte !", "complaint", ("fraud_security",), "high"),
         ("Il paraît que Hélios va fermer 200 agences", "rumor", (), "normal"),
         ("Hélios sponsorise le marathon de Paris", "information", (), "low")]


def docs(n: int):
    from tests.factories import doc

    from veilleur.core.post import Author

    start, made = datetime(2026, 10, 5, 7, 0, tzinfo=UTC), []
    for i in range(n):
        text, intent, topics, urgency = KINDS[i % len(KINDS)]
        d = doc(i + 1, f"{text} ({i})", created_at=start + timedelta(minutes=7 * i),
                author=Author(handle=f"client{i % 400}"), conversation_id=f"t{i // 3}" if i % 4 == 0 else None)
        a = d.analysis
        a.bank, a.entity, a.intent, a.topics, a.urgency = "Banque Hélios", "helios", intent, list(topics), urgency
        a.sentiment, a.abusive, a.pii, a.language = "neutral", False, [], "fr"
        made.append(d)
    return made


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=3000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    from veilleur.inbox.intake import Intake
    from veilleur.settings import get_settings
    from veilleur.storage.sql import SqlStore

    folder = Path(tempfile.mkdtemp(prefix="veilleur-inbox-bench-"))
    url = args.database_url or f"sqlite:///{folder / 'bench.db'}"
    settings = get_settings(ROOT / "data/demo/veilleur.toml", data_dir=str(folder), database_url=url)
    store = SqlStore(url)
    store.upgrade()
    store.save(docs(args.posts))
    rates, opened = [], 0
    for _ in range(args.runs):
        with store.engine.begin() as conn:  # an empty inbox each run; posts stay
            for table in ("inbox_case_events", "inbox_notes", "inbox_replies", "inbox_complaints",
                          "inbox_case_posts", "inbox_cases", "inbox_cursor", "inbox_round_robin"):
                conn.execute(text(f"DELETE FROM {table}"))
        began = time.perf_counter()
        report = Intake(store, settings).sync()
        rates.append(report.read / (time.perf_counter() - began))
        opened = report.opened
    console.print(f"inbox intake on {store.dialect}: {args.posts} posts, {opened} cases opened; "
                  f"median {statistics.median(rates):.0f} posts/s over {args.runs} runs "
                  f"(min {min(rates):.0f}, max {max(rates):.0f})")


if __name__ == "__main__":
    main()
