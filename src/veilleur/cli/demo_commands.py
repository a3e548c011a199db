"""``veilleur demo``: the whole pipeline on the bundled demo corpus, into a fresh SQLite database."""
from __future__ import annotations

import shutil
from pathlib import Path

import typer

from veilleur.cli.common import friendly, load_settings, open_store, out
from veilleur.errors import ConfigError

REVIEWS_MAPPING = ["id=review_id", "text=title,body", "created_at=date", "platform=store", "author=author"]


def find_demo_dir(given: Path | None) -> Path:
    candidates = [given] if given else [Path("data/demo"), Path(__file__).resolve().parents[3] / "data" / "demo"]
    for candidate in candidates:
        if candidate and (candidate / "posts.jsonl").is_file():
            return candidate
    raise ConfigError(f"demo corpus not found (looked in {', '.join(str(c) for c in candidates)})")


@friendly
def demo(corpus: Path | None = typer.Option(None, help="demo folder (default: data/demo)"),
         data_dir: Path = typer.Option(Path("veilleur-data/demo"), help="where the demo database goes"),
         ) -> None:
    """Load the demo corpus through the whole pipeline into SQLite and print a summary."""
    from veilleur.cli.ingest_commands import make_connector, print_report, run_ingest
    from veilleur.cli.summary import print_stats

    folder = find_demo_dir(corpus)
    if data_dir.exists():
        shutil.rmtree(data_dir)
    settings = load_settings(folder / "veilleur.toml", data_dir=str(data_dir), database_url=None)
    store = open_store(settings, migrate=True)
    out.rule("[bold]veilleur demo")
    out.print(f"organisation: {settings.organisation.group}; database: {settings.effective_database_url}")
    for name, fmt_args in (("posts.jsonl", ([], None)), ("reviews.csv", (REVIEWS_MAPPING, None))):
        path = folder / name
        if path.exists():
            from veilleur.cli.ingest_commands import Format

            connector = make_connector(path, Format.AUTO, *fmt_args, None, settings.pipeline.batch_size)
            print_report(run_ingest(settings, store, connector, f"ingest {name}"))
    print_stats(store.stats())
    _rooms(settings, store, folder, data_dir)
    out.print(f"\nTry: veilleur search \"appli\" --config {folder / 'veilleur.toml'} "
              f"(with VEILLEUR_DATA_DIR={data_dir})")


def _rooms(settings, store, folder: Path, data_dir: Path) -> None:
    """The rooms on the demo month: knowledge base, inbox, watch (alerts queued for delivery), report."""
    from datetime import UTC, datetime

    from veilleur.cli.inbox_commands import print_inbox_demo
    from veilleur.cli.report_commands import print_report_demo
    from veilleur.cli.watch_commands import print_watch_demo
    from veilleur.inbox.knowledge import KnowledgeBase

    knowledge = KnowledgeBase(store, settings.knowledge)
    for path in sorted((folder.parent / "knowledge").glob("*.toml")):
        knowledge.import_toml(path, actor="system:demo", now=datetime.now(UTC))
    print_inbox_demo(settings, store)
    print_watch_demo(settings, store)
    out.rule("[bold]rapport")
    print_report_demo(settings, store, data_dir / "rapport")
