"""``db upgrade``, ``serve`` and ``demo`` (what ``make run`` runs)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.text import Text

from diploma_exchange.cli.backup import _shown
from diploma_exchange.cli.common import (
    Exit,
    _engine,
    _fail,
    app,
    console,
    db_app,
    tr,
    trn,
)
from diploma_exchange.config import Settings, get_settings

# --- db / serve / demo -----------------------------------------------------------------------


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply all migrations to the configured database."""
    settings = get_settings()
    _engine(settings)
    console.print(Text(tr("cli.db.up_to_date", url=_shown(settings.database_url))), soft_wrap=True)


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
        raise _fail(tr("cli.tls.together"), Exit.USAGE)
    for option, path in (("--ssl-certfile", certfile), ("--ssl-keyfile", keyfile)):
        if not path.is_file():
            raise _fail(tr("cli.tls.not_file", option=option, path=path), Exit.USAGE)
    import ssl

    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    try:
        context.load_cert_chain(certfile, keyfile)
    except (ssl.SSLError, OSError) as exc:
        raise _fail(
            tr("cli.tls.cannot", cert=certfile, key=keyfile, reason=exc), Exit.USAGE
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
            typer.echo(tr("cli.demo.running", url=where, port=port + 11))
            raise typer.Exit(0)
        raise _fail(tr("cli.demo.port_taken", port=port, host=host, other=port + 11), Exit.USAGE)
    if "DIPLOMA_EXCHANGE_PUBLIC_BASE_URL" not in os.environ:
        # every printed link, and the server started below, use the port asked for
        scheme = "https" if tls[0] else "http"
        os.environ["DIPLOMA_EXCHANGE_PUBLIC_BASE_URL"] = f"{scheme}://localhost:{port}"
        get_settings.cache_clear()
    settings = get_settings()
    if not keys_dir.is_dir():
        raise _fail(tr("cli.demo.no_keys", dir=keys_dir), Exit.USAGE)
    engine = _engine(settings)
    with Session(engine, expire_on_commit=False) as session:
        summary = demo_service.seed(session, settings, keys_dir)
        session.commit()
    typer.echo("\n".join(_demo_banner(settings, summary)))
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


def _demo_banner(settings: Settings, summary: Any) -> list[str]:
    """What ``demo`` prints for a person, in the CLI's language: the institutions (names as
    stored, plain text), their DIDs and API keys, the links to try and the claim links."""
    base = settings.public_base_url.rstrip("/")
    lines = ["", tr("cli.demo.title"), ""]
    host = settings.public_host.replace(":", "%3A")
    if any(f"did:web:{host}" not in record.did for record in summary.institutions):
        lines += [
            "  " + tr("cli.demo.moved"),
            "  " + tr("cli.demo.recreate", base=base, db=_shown(settings.database_url)),
            "",
        ]
    api_key = tr("cli.demo.api_key") + ":"
    did_width = max(len("DID:"), len(api_key)) + 1
    for record in summary.institutions:
        key = summary.api_keys.get(record.slug, tr("cli.demo.none"))
        role = tr("cli.demo.role.nic" if record.kind == "nic" else "cli.demo.role.university")
        lines += [
            f"  {record.name}  [{role}]",
            f"    {'DID:'.ljust(did_width)}{record.did}",
            f"    {api_key.ljust(did_width)}{key}",
        ]
    links = [
        (tr("cli.demo.api_docs"), f"{base}/docs"),
        ("OpenAPI", f"{base}/openapi.json"),
        (tr("cli.demo.health"), f"{base}/healthz"),
        (tr("cli.demo.context"), f"{base}/contexts/diploma-exchange/v1"),
        (tr("cli.demo.schema"), f"{base}/schemas/diploma-credential/v1.json"),
        (tr("cli.demo.did_document"), f"{base}/institutions/kaznu/did.json"),
        (tr("cli.demo.key_events"), f"{base}/institutions/kaznu/key-events"),
        (tr("cli.demo.trust_list"), f"{base}/trust-list"),
        (tr("cli.demo.diplomas"), trn("cli.demo.issued", len(summary.diploma_ids))),
        None,
        (tr("cli.demo.web"), f"{base}/"),
        (tr("cli.demo.verify"), f"{base}/verify"),
    ]
    width = max(len(link[0]) for link in links if link is not None) + 2
    lines.append("")
    for link in links:
        lines.append("" if link is None else f"  {(link[0] + ':').ljust(width)}{link[1]}")
    token = summary.api_keys.get("kaznu", "<key>")
    lines += [
        "  " + tr("cli.demo.claim_links"),
        *[f"    {c.url}" for c in summary.claim_codes[:3]],
        "",
        "  " + tr("cli.demo.try"),
        f"    curl -s -H 'Authorization: Bearer {token}' {base}/v1/diplomas",
        "",
    ]
    if base != Settings.model_fields["public_base_url"].default:
        # Commands on this data in another shell (verify, revoke, issue...) sign and resolve
        # with the base URL: without it they would use the default one, whose status list
        # URLs are not this demo's.
        lines += [
            "  " + tr("cli.demo.export"),
            f"    export DIPLOMA_EXCHANGE_PUBLIC_BASE_URL={base}",
            "",
        ]
    return lines
