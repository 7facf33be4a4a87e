"""``db upgrade``, ``serve`` and ``demo`` (what ``make run`` runs)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from diploma_exchange.cli.common import (
    Exit,
    _engine,
    _fail,
    app,
    console,
    db_app,
)
from diploma_exchange.config import Settings, get_settings

# --- db / serve / demo -----------------------------------------------------------------------


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply all migrations to the configured database."""
    settings = get_settings()
    _engine(settings)
    console.print(f"database at {settings.database_url} is up to date")


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to bind.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port.")] = 8000,
    workers: Annotated[int, typer.Option(min=1, help="Worker processes.")] = 1,
    ssl_certfile: Annotated[
        Path | None,
        typer.Option(
            "--ssl-certfile",
            help="PEM certificate (chain) to serve https with; needs --ssl-keyfile.",
        ),
    ] = None,
    ssl_keyfile: Annotated[
        Path | None,
        typer.Option("--ssl-keyfile", help="PEM private key of --ssl-certfile."),
    ] = None,
) -> None:
    """Migrate the database and serve the API (https with --ssl-certfile/--ssl-keyfile)."""
    import uvicorn

    from diploma_exchange.api.serving import LOG_CONFIG, NoDelayH11Protocol

    tls = _tls_options(ssl_certfile, ssl_keyfile)
    _engine(get_settings())
    uvicorn.run(
        "diploma_exchange.api.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="info",
        log_config=LOG_CONFIG,
        http=NoDelayH11Protocol,
        ssl_certfile=tls[0],
        ssl_keyfile=tls[1],
    )


def _tls_options(certfile: Path | None, keyfile: Path | None) -> tuple[str | None, str | None]:
    """uvicorn's ``ssl_certfile``/``ssl_keyfile``, both or neither, each a readable file whose
    PEM loads (checked here so that a bad path is a usage error, not a traceback)."""
    if certfile is None and keyfile is None:
        return None, None
    if certfile is None or keyfile is None:
        raise _fail("--ssl-certfile and --ssl-keyfile go together", Exit.USAGE)
    for option, path in (("--ssl-certfile", certfile), ("--ssl-keyfile", keyfile)):
        if not path.is_file():
            raise _fail(f"{option}: {path} is not a readable file", Exit.USAGE)
    import ssl

    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    try:
        context.load_cert_chain(certfile, keyfile)
    except (ssl.SSLError, OSError) as exc:
        raise _fail(
            f"--ssl-certfile/--ssl-keyfile: cannot serve https with {certfile} and {keyfile}: "
            f"{exc}",
            Exit.USAGE,
        ) from exc
    return str(certfile), str(keyfile)


def _port_in_use(host: str, port: int) -> bool:
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.settimeout(1.0)
        return probe.connect_ex((host, port)) == 0


def _running_diploma_exchange(host: str, port: int) -> bool:
    """Whether the server on ``host:port`` is this service (its health check answers)."""
    import httpx

    try:
        response = httpx.get(f"http://{host}:{port}/healthz", timeout=2.0)
    except httpx.HTTPError:
        return False
    return response.status_code == 200 and "json" in response.headers.get("content-type", "")


@app.command()
def demo(
    keys_dir: Annotated[Path, typer.Option(help="Folder with the demo keys.")] = Path("keys/demo"),
    run: Annotated[
        bool, typer.Option("--serve/--no-serve", help="Start the server afterwards.")
    ] = True,
    host: Annotated[str, typer.Option(help="Interface to bind.")] = "127.0.0.1",
    port: Annotated[
        int, typer.Option(min=1, max=65535, help="Port; every printed link uses it.")
    ] = 8000,
    ssl_certfile: Annotated[
        Path | None, typer.Option("--ssl-certfile", help="Serve https with this PEM certificate.")
    ] = None,
    ssl_keyfile: Annotated[
        Path | None, typer.Option("--ssl-keyfile", help="PEM private key of --ssl-certfile.")
    ] = None,
) -> None:
    """Seed a demo NIC, two universities and a few diplomas, print the URLs and API keys, serve.

    Safe to repeat: the demo data is created once, the graduates' claim links stay the same,
    and when the port is taken (e.g. by an earlier `make run`) nothing is seeded or started.
    """
    from sqlmodel import Session

    tls = _tls_options(ssl_certfile, ssl_keyfile) if run else (None, None)

    from diploma_exchange.services import demo as demo_service

    if run and _port_in_use(host, port):
        where = f"http://{'localhost' if host in ('127.0.0.1', '0.0.0.0') else host}:{port}/"
        if _running_diploma_exchange(host, port):
            typer.echo(
                f"diploma-exchange is already running at {where} (an earlier `make run`); "
                "its demo data and the claim links it printed are unchanged. Use that one, "
                f"stop it (Ctrl-C in its terminal), or start another with `make run PORT={port + 11}`."
            )
            raise typer.Exit(0)
        raise _fail(
            f"port {port} on {host} is taken by another program; choose another, e.g. "
            f"`make run PORT={port + 11}` (or `diploma-exchange demo --port {port + 11}`)",
            Exit.USAGE,
        )
    if "DIPLOMA_EXCHANGE_PUBLIC_BASE_URL" not in os.environ:
        # every printed link, and the server started below, use the port asked for
        scheme = "https" if tls[0] else "http"
        os.environ["DIPLOMA_EXCHANGE_PUBLIC_BASE_URL"] = f"{scheme}://localhost:{port}"
        get_settings.cache_clear()
    settings = get_settings()
    if not keys_dir.is_dir():
        raise _fail(
            f"demo keys folder {keys_dir} not found (run from the project root)", Exit.USAGE
        )
    engine = _engine(settings)
    with Session(engine, expire_on_commit=False) as session:
        summary = demo_service.seed(session, settings, keys_dir)
        session.commit()
    base = settings.public_base_url.rstrip("/")
    lines = ["", "diploma-exchange demo  (DEMO KEYS: public, never for real diplomas)", ""]
    # the DIDs' host (not the interface to bind, which `host` still names for uvicorn below)
    did_host = settings.public_host.replace(":", "%3A")
    if any(f"did:web:{did_host}" not in record.did for record in summary.institutions):
        lines += [
            "  NOTE: the demo data was created for another address; its DIDs keep that one.",
            f"  To re-create it for {base}, delete {settings.database_url} and run again.",
            "",
        ]
    for record in summary.institutions:
        role = "NIC administrator" if record.kind == "nic" else "university"
        lines += [
            f"  {record.name}  [{role}]",
            f"    DID:     {record.did}",
            f"    API key: {summary.api_keys.get(record.slug, '(none)')}",
        ]
    lines += [
        "",
        f"  API docs:            {base}/docs",
        f"  OpenAPI:             {base}/openapi.json",
        f"  Health:              {base}/healthz",
        f"  Diploma context:     {base}/contexts/diploma-exchange/v1",
        f"  Diploma JSON Schema: {base}/schemas/diploma-credential/v1.json",
        f"  A DID document:      {base}/institutions/kaznu/did.json",
        f"  Key event log:       {base}/institutions/kaznu/key-events",
        f"  NIC trust list:      {base}/trust-list",
        f"  Demo diplomas:       {len(summary.diploma_ids)} issued",
        "",
        f"  Web front end:       {base}/",
        f"  Verify a diploma:    {base}/verify",
        "  Graduates' one-time claim links (the same on every start, until claimed):",
        *[f"    {c.url}" for c in summary.claim_codes[:3]],
        "",
        "  Try:",
        f"    curl -s -H 'Authorization: Bearer {summary.api_keys.get('kaznu', '<key>')}' {base}/v1/diplomas",
        "",
    ]
    if base != Settings.model_fields["public_base_url"].default:
        # Commands on this data in another shell (verify, revoke, issue...) sign and resolve
        # with the base URL: without it they would use the default one, whose status list
        # URLs are not this demo's.
        lines += [
            "  Command line on this demo data (in another shell, before diploma-exchange ...):",
            f"    export DIPLOMA_EXCHANGE_PUBLIC_BASE_URL={base}",
            "",
        ]
    typer.echo("\n".join(lines))
    if run:
        import uvicorn

        from diploma_exchange.api.serving import LOG_CONFIG, NoDelayH11Protocol

        uvicorn.run(
            "diploma_exchange.api.app:create_app",
            factory=True,
            host=host,
            port=port,
            log_level="info",
            log_config=LOG_CONFIG,
            http=NoDelayH11Protocol,
            ssl_certfile=tls[0],
            ssl_keyfile=tls[1],
        )
