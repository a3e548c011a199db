"""``veilleur analyze``: JSON Lines of posts or bare texts in, one JSON object per line out."""
from __future__ import annotations

import sys
from pathlib import Path

import orjson
import typer

from veilleur.cli.common import ConfigOption, friendly, load_settings


@friendly
def analyze(
    file: Path | None = typer.Argument(None, help="input file (default: standard input)"),
    config: Path | None = ConfigOption,
) -> None:
    """Analyse posts without storing them: one output line per input line, same order.

    Output fields: the input's ``id`` (if any), then sentiment, intent, topics, abusive, urgency,
    pii, bank (null where no stage gives them yet), and ``details`` (scores, cues, spans).
    """
    from veilleur.pipeline.analyze import analyze_lines
    from veilleur.pipeline.factory import build_pipeline

    settings = load_settings(config)
    pipeline = build_pipeline(settings)
    source = file.open(encoding="utf-8", errors="replace") if file else sys.stdin
    write = sys.stdout.buffer.write
    try:
        for row in analyze_lines(source, pipeline, settings.pipeline.max_analysis_chars):
            write(orjson.dumps(row) + b"\n")
    finally:
        if file:
            source.close()
    sys.stdout.flush()
