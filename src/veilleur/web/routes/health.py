"""``GET /health``: whether the API reaches its database at the expected schema. Any logged-in role.

It is protected like every route: a load balancer probes it with a token of its own (a user of
any role, e.g. ``expert``, with no password).

Imports ``storage``, ``web.deps`` and FastAPI.
"""
from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from veilleur.web.deps import CurrentActor, StoreDep

router = APIRouter(tags=["health"])


class Health(BaseModel):
    status: str
    database: str
    schema_version: str | None


@router.get("/health", response_model=Health, summary="Is the API up and its database reachable")
def health(actor: CurrentActor, store: StoreDep) -> Health:
    """``ok`` when the database answers at the latest schema; raises 503 (StoreError) otherwise."""
    from veilleur.storage import migrate

    store.check_schema()
    return Health(status="ok", database=store.dialect, schema_version=migrate.current(store.engine))
