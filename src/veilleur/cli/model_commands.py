"""``veilleur train`` (rebuild the shipped models) and ``veilleur eval`` (score the analysis on a file)."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import typer
from rich.table import Table
from rich.text import Text

from veilleur.cli.common import ConfigOption, console, friendly, load_settings, out
from veilleur.errors import ConfigError


def _repo_file(relative: str) -> Path:
    for base in (Path.cwd(), Path(__file__).resolve().parents[3]):
        if (base / relative).exists():
            return base / relative
    raise ConfigError(f"{relative} not found (give the path explicitly)")


@friendly
def train(corpus: Path | None = typer.Option(None, help="training split (default: data/corpus/train.jsonl)"),
          output: Path | None = typer.Option(None, "--out", help="bundle folder (default: the shipped one)")) -> None:
    """Rebuild the analysis models from the labelled corpus, deterministically (same corpus, same bytes)."""
    from veilleur.pipeline.bundle import default_folder
    from veilleur.pipeline.training import train as run_training

    corpus = corpus or _repo_file("data/corpus/train.jsonl")
    output = output or default_folder()
    with console.status("training") as status:
        bundle = run_training(corpus, output, progress=lambda step: status.update(f"training: {step}"))
    out.print(f"trained on {bundle.meta['posts']} posts → {output} "
              f"({bundle.meta['words']} word and {bundle.meta['chars']} character features)")


def _print_label(label: str, result: dict, worst: int) -> None:
    headline = result.get("micro_f1", result.get("f1", result["macro_f1"]))
    name = "micro-F1" if "micro_f1" in result else "F1(true)" if "f1" in result else "macro-F1"
    out.rule(f"[bold]{label}[/]  n={result['n']}  accuracy={result['accuracy']:.3f}  "
             f"macro-F1={result['macro_f1']:.3f}  {name}={headline:.3f}")
    table = Table("value", "precision", "recall", "F1", "support")
    for value, m in result["per_value"].items():
        table.add_row(value, f"{m['precision']:.3f}", f"{m['recall']:.3f}", f"{m['f1']:.3f}", str(m["support"]))
    out.print(table)
    confusion = result["confusion"]
    if label not in ("topics", "pii"):
        values = list(confusion)
        matrix = Table("expected ↓ / predicted →", *values, title="confusion")
        for v in values:
            matrix.add_row(v, *[str(confusion[v][p]) for p in values])
        out.print(matrix)
    errors = Table("expected", "predicted", "conf.", "text", "cues", title=f"worst errors (up to {worst})")
    for e in result["worst_errors"][:worst]:
        errors.add_row(str(e["expected"]), str(e["predicted"]), f"{e['confidence']:.2f}", Text(e["text"][:120]),
                       Text(", ".join(e["cues"])[:60]))
    out.print(errors)


@friendly
def evaluate(file: Path = typer.Argument(..., help="JSON Lines with text and label fields (labels.md)"),
             json_out: Path | None = typer.Option(None, "--json", help="write the report as JSON ('-': stdout)"),
             worst: int = typer.Option(20, min=0, help="how many worst errors to show"),
             config: Path | None = ConfigOption) -> None:
    """Run the analysis on a labelled file and score every label it has."""
    from veilleur.pipeline.analyze import analyze_lines
    from veilleur.pipeline.evaluation import evaluate as score
    from veilleur.pipeline.factory import build_pipeline

    if not file.is_file():
        raise ConfigError(f"no such file: {file}")
    settings = load_settings(config)
    rows = []
    for n, line in enumerate(file.open(encoding="utf-8"), 1):
        if line.strip():
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                raise ConfigError(f"{file.name}:{n}: not valid JSON ({exc})") from exc
            if not isinstance(row, dict) or not isinstance(row.get("text"), str):
                raise ConfigError(f"{file.name}:{n}: each line needs a 'text' string")
            rows.append(row)
    pipeline = build_pipeline(settings)
    with console.status(f"analysing {len(rows)} posts"):
        outputs = list(analyze_lines((json.dumps({"text": r["text"], "id": r.get("id")}) for r in rows), pipeline,
                                     settings.pipeline.max_analysis_chars))
    report = score(rows, outputs, worst=worst)
    if json_out is not None:
        text = json.dumps(report, ensure_ascii=False, indent=1)
        if str(json_out) == "-":
            sys.stdout.write(text + "\n")
            return
        json_out.write_text(text + "\n", encoding="utf-8")
    for label, result in report.items():
        if isinstance(result, dict):
            _print_label(label, result, worst)
