"""``export-openapi``: the API's OpenAPI document."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from diploma_exchange.cli.common import (
    app,
    console,
)
from diploma_exchange.config import Settings

# --- OpenAPI ---------------------------------------------------------------------------------


def openapi_document() -> dict[str, Any]:
    """The OpenAPI document of the API (independent of the local settings)."""
    from diploma_exchange.api.app import create_app

    settings = Settings(database_url="sqlite://", environment="development")
    return create_app(settings).openapi()


@app.command("export-openapi")
def export_openapi(
    out_file: Annotated[Path, typer.Option("--out", help="Where to write it.")] = Path(
        "openapi/openapi.json"
    ),
) -> None:
    """Write the OpenAPI 3.1 document (checked in under openapi/; a test catches drift)."""
    out_file.parent.mkdir(parents=True, exist_ok=True)
    out_file.write_text(
        json.dumps(openapi_document(), indent=2, ensure_ascii=False, sort_keys=False) + "\n"
    )
    console.print(f"wrote {out_file}")
