"""Setting changes in the journal: who ran veilleur with which settings, and what changed.

Settings live in a file and the environment, so a change is noticed when veilleur opens the
store: every key of the effective settings is fingerprinted (SHA-256 of its value; secrets are
never written, only their fingerprint), compared with the last ``setting_change`` entry, and a
new entry names the keys that changed. The first start journals every key as added.

Imports ``compliance.journal``, ``settings`` and ``storage``.
"""
from __future__ import annotations

import getpass
import hashlib
import json
from typing import Any

from pydantic import BaseModel, SecretBytes, SecretStr

from veilleur.compliance.journal import Journal
from veilleur.settings import Settings
from veilleur.storage import journal as chain
from veilleur.storage.journal import Entry
from veilleur.storage.sql import SqlStore


def _plain(value: Any) -> Any:
    if isinstance(value, SecretStr | SecretBytes):
        secret = value.get_secret_value()
        return {"secret_sha256": hashlib.sha256(secret if isinstance(secret, bytes) else secret.encode()).hexdigest()}
    if isinstance(value, BaseModel):
        return {k: _plain(getattr(value, k)) for k in type(value).model_fields}
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value if isinstance(value, str | int | float | bool | type(None)) else str(value)


def fingerprints(settings: Settings) -> dict[str, str]:
    """Each top-level section's and each scalar key's fingerprint, by dotted key."""
    found: dict[str, str] = {}

    def walk(prefix: str, value: Any) -> None:
        if isinstance(value, dict) and value and "secret_sha256" not in value:
            for key, inner in value.items():
                walk(f"{prefix}.{key}" if prefix else key, inner)
            return
        text = json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)
        found[prefix] = hashlib.sha256(text.encode()).hexdigest()[:16]

    walk("", _plain(settings))
    return found


def record_settings(store: SqlStore, settings: Settings, actor: str | None = None) -> Entry | None:
    """Journal the settings if they differ from the last journaled ones; return the new entry."""
    current = fingerprints(settings)
    with store.engine.begin() as conn:
        last = chain.latest(conn, "setting_change")
        before = (last.details or {}).get("fingerprints", {}) if last else {}
        if before == current:
            return None
        changed = sorted(k for k in current.keys() | before.keys() if current.get(k) != before.get(k))
        action = "settings changed" if last else "settings first seen"
        details = {"changed": changed, "fingerprints": current}
        return Journal(store).append(actor or f"user:{_user()}", action, "setting_change", "settings", details,
                                     conn=conn)


def _user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"
