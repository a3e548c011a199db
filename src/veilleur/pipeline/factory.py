"""Build the configured pipeline from the settings and the stage registry.

A stage class may offer ``from_settings(settings)``; otherwise it is built without arguments.
Imports ``pipeline.base``, ``registry`` and ``settings``.
"""
from __future__ import annotations

from veilleur.pipeline.base import Pipeline
from veilleur.registry import DEFAULT_ORDER, available, resolve
from veilleur.settings import Settings


def stage_names(settings: Settings) -> list[str]:
    if settings.pipeline.stages is not None:
        return list(settings.pipeline.stages)
    known = set(available("stages"))
    return [name for name in DEFAULT_ORDER if name in known]


def build_pipeline(settings: Settings) -> Pipeline:
    stages = []
    for name in stage_names(settings):
        cls = resolve("stages", name)
        factory = getattr(cls, "from_settings", None)
        stages.append(factory(settings) if factory else cls())
    return Pipeline(stages, batch_size=settings.pipeline.batch_size)
