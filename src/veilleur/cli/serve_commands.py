"""``veilleur serve``: the REST API (``web.app``) under uvicorn.

Imports ``cli.common`` at once; the web app and uvicorn lazily (``--help`` stays quick).
"""
from __future__ import annotations

from pathlib import Path

import typer

from veilleur.cli.common import ConfigOption, console, friendly, load_settings, open_store


@friendly
def serve(host: str | None = typer.Option(None, "--host", help="address to listen on (default: access.host)"),
          port: int | None = typer.Option(None, "--port", help="port to listen on (default: access.port)"),
          workers: int = typer.Option(1, "--workers", min=1, help="uvicorn worker processes"),
          config: Path | None = ConfigOption) -> None:
    """Serve the REST API (OpenAPI documentation at /docs); every route needs a token."""
    import uvicorn

    from veilleur.web.app import create_app

    settings = load_settings(config)
    store = open_store(settings)  # refuses a schema that is not at head, before listening
    host, port = host or settings.access.host, port or settings.access.port
    console.print(f"veilleur API on http://{host}:{port} (documentation: /docs)", highlight=False)
    if workers == 1:
        uvicorn.run(create_app(settings, store=store), host=host, port=port, log_level="info")
        return
    store.close()
    # Several processes need an import string; each worker builds its own app from the same settings file.
    if config is not None:
        import os

        os.environ["VEILLEUR_CONFIG"] = str(config)
    uvicorn.run("veilleur.web.app:app_from_environment", factory=True, host=host, port=port, workers=workers,
                log_level="info")
