"""``GET /settings``: the settings in force, for admins, with every secret masked.

Pydantic's ``SecretStr`` values come out as ``**********``; on top of that, any value whose key
ends in a word naming a secret (``_key``, ``password``, ``secret``, ``token``, ``credentials``) is
masked, so that a secret typed as a plain string by mistake does not leak either. Changing
settings stays a matter of the settings file and a restart (journaled as ``setting_change`` at start).

Imports ``core``, ``web.deps`` and FastAPI.
"""
from __future__ import annotations

import re
from typing import Any

from fastapi import APIRouter

from veilleur.core.actor import Role
from veilleur.web.deps import SettingsDep, role_dependency

router = APIRouter(tags=["users"])
Admin = role_dependency(Role.ADMIN)
SECRET_KEY = re.compile(r"(^|_)(key|password|passwd|secret|token|credentials?)$", re.IGNORECASE)
MASK = "**********"


def masked(value: Any, key: str = "") -> Any:
    """``value`` with the values of secret-looking keys replaced by a mask, recursively."""
    if isinstance(value, dict):
        return {k: masked(v, str(k)) for k, v in value.items()}
    if isinstance(value, list):
        return [masked(v, key) for v in value]
    if value not in (None, "", [], {}) and SECRET_KEY.search(key):
        return MASK
    return value


@router.get("/settings", summary="The settings in force (secrets masked)")
def show_settings(actor: Admin, settings: SettingsDep) -> dict[str, Any]:
    return masked(settings.model_dump(mode="json"))
