"""The ``diploma-exchange`` command line: serve, demo data, keys, issue, verify, OpenAPI.

One module per command group; importing them registers their commands on
:data:`~diploma_exchange.cli.common.app` (in the order ``--help`` lists them):

- ``server``: ``db upgrade``, ``serve``, ``demo``
- ``keys``: ``keys generate|rotate|compromise``
- ``institutions``: ``institutions create|accredit|withdraw``, ``trust ...`` (and
  ``cli_eu_trust``: ``trust import-eu-lists``)
- ``issue``: ``issue``
- ``status``: ``refresh-status-lists``, ``revoke``, ``suspend``, ``reinstate``
- ``verify``: ``verify``
- ``recognition``: ``assess``
- ``openapi``: ``export-openapi``
- ``audit``: ``audit verify|head|show``
- ``backup``: ``backup``, ``verify-backup``, ``restore``
- ``log``: ``log ...`` (the transparency log)
"""

from __future__ import annotations

import importlib
import sys

from diploma_exchange.cli.common import (
    Exit,
    _engine,
    _fail,
    app,
    console,
    out,
    say_line,
    styled,
    tr,
)
from diploma_exchange.cli.log import log_app

# Registering the commands, in the order `--help` lists them.
COMMAND_GROUPS = (
    "server",
    "keys",
    "institutions",
    "issue",
    "status",
    "verify",
    "recognition",
    "openapi",
    "audit",
    "backup",
)
for _group in COMMAND_GROUPS:
    importlib.import_module(f"diploma_exchange.cli.{_group}")
importlib.import_module("diploma_exchange.cli_eu_trust")  # `trust import-eu-lists`
app.add_typer(log_app, name="log")

# Re-exported (after the groups above, so that the registration order stays theirs).


from diploma_exchange.cli.institutions import trust_app
from diploma_exchange.cli.openapi import openapi_document
from diploma_exchange.cli.server import demo, serve
from diploma_exchange.cli.verify import _print_report, _read_limited

__all__ = [
    "Exit",
    "_engine",
    "_fail",
    "_print_report",
    "_read_limited",
    "app",
    "console",
    "demo",
    "main",
    "openapi_document",
    "out",
    "say_line",
    "serve",
    "styled",
    "trust_app",
]


def main() -> None:
    """Console-script entry: usage errors exit with 64, since 1 and 2 are verdicts of ``verify``.

    Typer vendors its own copy of click, so its exceptions are recognised by shape (a
    ``show()`` method and an ``exit_code``) rather than by importing a private module.
    """
    try:
        code = app(standalone_mode=False)
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception as exc:
        names = {cls.__name__ for cls in type(exc).__mro__}
        if "UsageError" in names and hasattr(exc, "show"):
            exc.show()
            sys.exit(int(Exit.USAGE))
        if "ClickException" in names and hasattr(exc, "show"):
            exc.show()
            sys.exit(int(Exit.INPUT))
        if "Abort" in names:
            sys.exit(130)
        if "OperationalError" in names and type(exc).__module__.startswith("sqlalchemy"):
            # The database cannot be reached or refused the connection: say so in one line
            # (the driver's first line names host and port, never the password), not a trace.
            reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()
            raise SystemExit(
                _fail(
                    tr("cli.error.database", reason=reason[0] if reason else type(exc).__name__),
                    Exit.UNAVAILABLE,
                ).exit_code
            ) from None
        raise
    sys.exit(code if isinstance(code, int) else 0)


if __name__ == "__main__":  # pragma: no cover
    main()
