"""The shipped model bundle: the featurizer and every linear head, loaded once per process.

Lives in ``resources/fr/models/`` (rebuilt bit-for-bit by ``veilleur train``): ``meta.json``
(versions, heads, training corpus digest), vocabularies as JSON, arrays as ``.npy`` loaded with
``allow_pickle=False``. Imports ``pipeline.features``, ``pipeline.lexicon``, ``pipeline.linear``.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

from veilleur.errors import ConfigError
from veilleur.pipeline.features import Featurizer
from veilleur.pipeline.lexicon import Lexicon, default_lexicon
from veilleur.pipeline.linear import LinearHead

DEFAULT_FOLDER = "models"


@dataclass
class ModelBundle:
    featurizer: Featurizer
    heads: dict[str, LinearHead]
    meta: dict

    @property
    def version(self) -> str:
        return str(self.meta.get("version", "0"))

    def save(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.featurizer.save(folder)
        for head in self.heads.values():
            head.save(folder)
        meta = {**self.meta, "heads": {name: head.meta() for name, head in sorted(self.heads.items())}}
        (folder / "meta.json").write_text(json.dumps(meta, indent=1, sort_keys=True, ensure_ascii=False) + "\n",
                                          encoding="utf-8")

    @classmethod
    def load(cls, folder: Path, lexicon: Lexicon | None = None) -> ModelBundle:
        meta_path = folder / "meta.json"
        if not meta_path.is_file():
            raise ConfigError(f"no model bundle in {folder} (run `veilleur train`)")
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        featurizer = Featurizer.load(folder, lexicon or default_lexicon())
        heads = {name: LinearHead.load(folder, name, head_meta) for name, head_meta in meta["heads"].items()}
        return cls(featurizer, heads, meta)


def default_folder() -> Path:
    return Path(str(resources.files("veilleur.pipeline.resources.fr").joinpath(DEFAULT_FOLDER)))


@cache
def load_bundle(folder: str | None = None) -> ModelBundle:
    """The bundle in ``folder`` (default: the shipped one), loaded once per process."""
    return ModelBundle.load(Path(folder) if folder else default_folder())
