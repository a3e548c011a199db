"""Build the configured pipeline from the settings and the stage registry.

A stage class may offer ``from_settings(settings)``; otherwise it is built without arguments.
A stage named in ``pipeline.transformers`` is a ``TransformerStage`` running the bank's own
local model instead, under the same name, requirements and assignments.
Imports ``errors``, ``pipeline.base``, ``pipeline.transformer_head``, ``registry`` and ``settings``.
"""
from __future__ import annotations

from veilleur.errors import ConfigError
from veilleur.pipeline.base import Pipeline
from veilleur.pipeline.transformer_head import TransformerStage
from veilleur.registry import DEFAULT_ORDER, available, resolve
from veilleur.settings import Settings


def stage_names(settings: Settings) -> list[str]:
    if settings.pipeline.stages is not None:
        return list(settings.pipeline.stages)
    known = set(available("stages"))
    return [name for name in DEFAULT_ORDER if name in known]


def build_pipeline(settings: Settings) -> Pipeline:
    names = stage_names(settings)
    unused = sorted(set(settings.pipeline.transformers) - set(names))
    if unused:
        raise ConfigError(f"pipeline.transformers.{unused[0]}: the pipeline has no stage {unused[0]!r} "
                          f"(stages: {', '.join(names)})")
    stages = []
    for name in names:
        cls = resolve("stages", name)
        factory = getattr(cls, "from_settings", None)
        if name in settings.pipeline.transformers:
            stages.append(TransformerStage.replacing(cls, name, settings))
        else:
            stages.append(factory(settings) if factory else cls())
    return Pipeline(stages, batch_size=settings.pipeline.batch_size)
