"""The README works verbatim for a newcomer (issue 16): what it names exists, and its
walkthrough runs.

- every relative link of the project's Markdown (README.md, SECURITY.md, docs/*.md, the other
  READMEs) points at an existing file, and at an existing heading when it has an anchor;
- every HTTP path the README names (in code, curl commands and request examples) is a route of
  the application;
- every ``diploma-exchange`` command and option the README names exists in the command line;
- every ``make`` target it names is in the Makefile, and every repository path it names exists;
- the quick start itself, on the demo data `make run` seeds: issuing ``examples/diploma.json``
  with the demo university's key is a 201 (not a 409 against a demo diploma), the response has
  the fields the README's one-liners read, a repeat with the README's Idempotency-Key replays,
  the verification is ``valid``, and the command-line suspension and reinstatement it shows
  change the verdict as it says.
"""

from __future__ import annotations

import itertools
import json
import re
import shlex
import subprocess
import sys
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import typer
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session
from starlette.routing import compile_path

from cli_support import run_cli
from conftest import PUBLIC_BASE_URL
from diploma_exchange.api.app import create_app
from diploma_exchange.config import Settings

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
MARKDOWN = [
    README,
    ROOT / "SECURITY.md",
    ROOT / "keys" / "README.md",
    ROOT / "benchmarks" / "README.md",
    ROOT / "tests" / "hostile" / "README.md",
    ROOT / "src" / "diploma_exchange" / "recognition" / "data" / "README.md",
    *sorted((ROOT / "docs").glob("*.md")),
]


def readme() -> str:
    return README.read_text(encoding="utf-8")


def without_fences(text: str) -> str:
    """The Markdown outside fenced code blocks (links in code are not links)."""
    return re.sub(r"^```.*?^```", "", text, flags=re.MULTILINE | re.DOTALL)


def fenced_blocks(text: str) -> list[str]:
    return re.findall(r"^```[^\n]*\n(.*?)^```", text, flags=re.MULTILINE | re.DOTALL)


def code_spans(text: str) -> list[str]:
    """Inline code of the Markdown outside fenced blocks (a span may wrap a line)."""
    spans = re.findall(r"`([^`]+)`", without_fences(text))
    return [" ".join(span.split()) for span in spans if "\n\n" not in span]


# --- links ----------------------------------------------------------------------------------


def github_anchor(heading: str) -> str:
    """The anchor GitHub gives a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", heading.strip())  # links keep their text
    text = unicodedata.normalize("NFC", text).lower()
    text = "".join(ch for ch in text if ch.isalnum() or ch in " -_")
    return text.replace(" ", "-")


def anchors(path: Path) -> set[str]:
    text = without_fences(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    seen: dict[str, int] = {}
    for heading in re.findall(r"^#{1,6}\s+(.+?)\s*#*\s*$", text, flags=re.MULTILINE):
        slug = github_anchor(heading)
        count = seen.get(slug, 0)
        seen[slug] = count + 1
        found.add(slug if count == 0 else f"{slug}-{count}")
    found.update(re.findall(r"<a\s+(?:id|name)=\"([^\"]+)\"", text))
    return found


def relative_links(path: Path) -> Iterator[str]:
    text = without_fences(path.read_text(encoding="utf-8"))
    text = re.sub(r"`[^`\n]*`", "", text)  # inline code is not a link either
    for target in re.findall(r"\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)", text):
        if not re.match(r"[a-z][a-z0-9+.-]*:", target):  # http:, https:, mailto: ...
            yield target


def broken_links(path: Path) -> list[str]:
    broken = []
    for target in relative_links(path):
        file_part, _, anchor = target.partition("#")
        resolved = (path.parent / file_part).resolve() if file_part else path
        if not resolved.exists():
            broken.append(f"{target} (no such file)")
        elif anchor and resolved.suffix == ".md" and anchor not in anchors(resolved):
            broken.append(f"{target} (no heading #{anchor} in {resolved.name})")
    return broken


@pytest.mark.parametrize("path", MARKDOWN, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_relative_link_points_at_a_file_and_heading(path: Path) -> None:
    assert path.is_file(), f"{path} is listed here but does not exist"
    assert not broken_links(path), broken_links(path)


def test_the_link_check_finds_a_broken_link_and_anchor(tmp_path: Path) -> None:
    (tmp_path / "other.md").write_text("# A heading, with `code`\n", encoding="utf-8")
    page = tmp_path / "page.md"
    page.write_text(
        "[ok](other.md#a-heading-with-code) [gone](missing.md) [bad](other.md#nope)\n"
        "`[in code](missing.md)`\n```\n[in a block](missing.md)\n```\n",
        encoding="utf-8",
    )
    assert broken_links(page) == [
        "missing.md (no such file)",
        "other.md#nope (no heading #nope in other.md)",
    ]


# --- HTTP paths -----------------------------------------------------------------------------


def route_patterns() -> tuple[list[re.Pattern[str]], list[str]]:
    app = create_app(
        Settings(
            environment="test",
            database_url="sqlite://",
            public_base_url=PUBLIC_BASE_URL,
            key_passphrase="test-passphrase",
        )
    )
    try:  # FastAPI >= 0.16x keeps included routers unflattened in app.routes
        from fastapi.routing import iter_route_contexts

        entries: Any = list(iter_route_contexts(app.routes))
    except ImportError:  # pragma: no cover - older FastAPI
        entries = app.routes
    patterns, mounts = [], []
    for entry in entries:
        path = getattr(entry, "path", None)
        if not path:
            continue
        if type(getattr(entry, "original_route", entry)).__name__ == "Mount":
            mounts.append(path + "/")
        else:
            patterns.append(compile_path(path)[0])
    return patterns, mounts


HTTP_PATH = r"/[A-Za-z0-9._~{}<>%:-][A-Za-z0-9._~{}<>%:/-]*(?:\.\.\.|…)?"


def readme_http_paths(text: str) -> set[str]:
    """Paths the README gives as HTTP paths: in inline code, after an HTTP method in a code
    block, and in URLs of the local service (``http://127.0.0.1:$PORT/...``)."""
    found: set[str] = set()
    for span in code_spans(text):
        for match in re.finditer(rf"(?:^|\s|\()({HTTP_PATH})", span):
            found.add(match.group(1))
    for block in fenced_blocks(text):
        for match in re.finditer(rf"\b(?:GET|POST|PUT|PATCH|DELETE)\s+({HTTP_PATH})", block):
            found.add(match.group(1))
    for match in re.finditer(
        rf"https?://(?:127\.0\.0\.1|localhost)(?::[0-9]+|:\$\{{?PORT\}}?)?({HTTP_PATH})", text
    ):
        found.add(match.group(1))
    # a URL at the end of a sentence: "... at http://localhost:8000/verify."
    return {p[:-1] if p.endswith(".") and not p.endswith("...") else p for p in found}


def routes_of(path: str, patterns: list[re.Pattern[str]], mounts: list[str]) -> bool:
    concrete = re.sub(r"\{[^}/]*\}|<[^>/]*>", "x", path.split("?")[0])
    if concrete.endswith(("...", "…")):  # a prefix: "/log/tile/..."
        prefix = concrete.rstrip(".…")
        return any(
            p.pattern.startswith("^" + re.escape(prefix).replace("\\/", "/")) for p in patterns
        ) or any(prefix.startswith(m) for m in mounts)
    return any(p.match(concrete) for p in patterns) or any(concrete.startswith(m) for m in mounts)


def unrouted(paths: set[str]) -> list[str]:
    patterns, mounts = route_patterns()
    first_segments = {p.pattern.lstrip("^/").split("/")[0].replace("\\", "") for p in patterns} | {
        m.strip("/") for m in mounts
    }
    missing = []
    for path in sorted(paths):
        segments = path.strip("/").split("/")
        # A single segment outside the application's namespaces is a JSON pointer (`/id`,
        # `/keyType`) or a PDF name (`/AF`), not a path; anything longer must be routed.
        if len(segments) == 1 and segments[0].rstrip(".…") not in first_segments:
            continue
        if not routes_of(path, patterns, mounts):
            missing.append(path)
    return missing


def test_every_http_path_in_the_readme_is_a_route() -> None:
    paths = readme_http_paths(readme())
    assert {"/v1/diplomas", "/v1/verifications", "/credentials/verify", "/s/{token}"} <= paths
    assert not unrouted(paths), (
        f"the README names paths the service does not have: {unrouted(paths)}"
    )


def test_the_route_check_finds_a_path_that_does_not_exist() -> None:
    assert unrouted({"/v1/diplomas/{id}/status-changes", "/log/tile/...", "/id"}) == []
    assert unrouted({"/v1/diploma", "/v2/diplomas", "/log/tiles/..."}) == [
        "/log/tiles/...",
        "/v1/diploma",
        "/v2/diplomas",
    ]


# --- the command line -----------------------------------------------------------------------


def cli_root() -> Any:
    """The command tree (Typer's click group: ``commands``, ``params``)."""
    from diploma_exchange.cli import app

    command = typer.main.get_command(app)
    assert hasattr(command, "commands")
    return command


def readme_cli_invocations(text: str) -> list[str]:
    """Every ``diploma-exchange ...`` the README shows, up to the end of its code span or
    command (continuation lines joined)."""
    found = []
    for span in code_spans(text):
        for match in re.finditer(r"(?:^|[\s(])diploma-exchange\s+(.*)$", span):
            found.append(match.group(1))
    for block in fenced_blocks(text):
        joined = block.replace("\\\n", " ")
        for line in joined.splitlines():
            for match in re.finditer(r"(?:^|[\s(/])diploma-exchange\s+([^#;&|]*)", line):
                found.append(match.group(1))
    # "Other commands: `diploma-exchange serve ...`, `db upgrade`, `institutions create ...`":
    # the list of command spans after it names commands without the program name.
    listing = re.search(r"Other commands: (.*?)\n\n", without_fences(text), flags=re.DOTALL)
    if listing:
        for span in re.findall(r"`([^`]+)`", listing.group(1).replace("\n", " ")):
            if span.startswith(("POST ", "GET ", "make ", "diploma-exchange ")):
                continue  # a route, a make target, or a command found above
            found.append(span)
    return found


def cli_problems(invocation: str, root: Any) -> list[str]:
    problems: list[str] = []
    words = invocation.replace("[", " ").replace("]", " ").split()
    commands: list[Any] = [root]
    used: list[str] = []
    for word in words:
        groups = [c for c in commands if hasattr(c, "commands")]
        if not groups or word.startswith("-"):
            break
        names = word.split("|")  # `log info|checkpoint|monitor`, `revoke|suspend|reinstate`
        found = [g.commands.get(name) for g in groups for name in names]
        if any(c is None for c in found):
            if used:  # an argument (FILE, SLUG...), not a command
                break
            return [f"no command {word!r} in `diploma-exchange {invocation}`"]
        commands = [c for c in found if c is not None]
        used.append(word)
    if not used:
        return [f"no command in `diploma-exchange {invocation}`"]
    for word in words:
        if not word.startswith("--"):
            continue
        for option in word.split("|"):
            name = option.split("=")[0].rstrip(",.;)")
            for command in commands:
                declared = {o for p in command.params for o in (*p.opts, *p.secondary_opts)}
                if name not in declared and name != "--help":
                    problems.append(f"`diploma-exchange {' '.join(used)}` has no option {name}")
    return problems


def test_every_command_and_option_in_the_readme_exists() -> None:
    root = cli_root()
    invocations = readme_cli_invocations(readme())
    assert any(i.startswith("verify diploma.json") for i in invocations)
    problems = [p for i in invocations for p in cli_problems(i, root)]
    assert not problems, problems


def test_the_command_check_finds_a_missing_command_and_option() -> None:
    root = cli_root()
    assert cli_problems("verify FILE --offline --policy default", root) == []
    assert cli_problems("log info|checkpoint|monitor", root) == []
    assert cli_problems("verifyy FILE", root) == [
        "no command 'verifyy' in `diploma-exchange verifyy FILE`"
    ]
    assert cli_problems("keys rotate --institution x --colour red", root) == [
        "`diploma-exchange keys rotate` has no option --colour"
    ]


def test_every_make_target_and_repository_path_in_the_readme_exists() -> None:
    text = readme()
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    targets = set(re.findall(r"^([a-z][\w.-]*):", makefile, flags=re.MULTILINE))
    shown = code_spans(text) + fenced_blocks(text)
    named = {t for part in shown for t in re.findall(r"\bmake ([a-z][\w-]*)", part)}
    assert {"run", "test", "conformance"} <= named
    assert not named - targets, f"make targets the Makefile lacks: {sorted(named - targets)}"
    roots = (
        "src/",
        "tests/",
        "tools/",
        "docs/",
        "examples/",
        "keys/",
        "benchmarks/",
        "openapi/",
        ".ci/",
    )
    missing = []
    for span in code_spans(text) + [w for b in fenced_blocks(text) for w in b.split()]:
        for token in re.findall(r"@?([\w./-]+)", span):
            path = token.rstrip(".,;:)")
            if not path.startswith(roots) or "*" in path or "{" in path:
                continue
            if not (ROOT / path).exists():
                missing.append(path)
    assert not missing, f"paths the README names that do not exist: {sorted(set(missing))}"


# --- the quick start ------------------------------------------------------------------------


def quick_start_block() -> str:
    """The README's first shell block after "The two commands" that issues a diploma."""
    for block in fenced_blocks(readme()):
        if "examples/diploma.json" in block and "/v1/diplomas" in block:
            return block.replace("\\\n", " ")
    raise AssertionError("the README has no quick-start block issuing examples/diploma.json")


def curl_command(block: str, path: str) -> list[str]:
    for line in block.splitlines():
        if line.startswith("curl") and f"{path} " in line:
            return shlex.split(line.split(">")[0])
    raise AssertionError(f"no curl to {path} in the quick start")


def headers_of(command: list[str]) -> dict[str, str]:
    headers = {}
    for flag, value in itertools.pairwise(command):
        if flag == "-H":
            name, _, content = value.partition(":")
            headers[name.strip()] = content.strip()
    return headers


@pytest.fixture
def demo_world(engine: Engine, settings: Settings) -> Iterator[tuple[Settings, TestClient]]:
    """The database `make run` serves: the demo NIC, universities and diplomas."""
    from diploma_exchange.services import demo

    dev = Settings(
        environment="development",
        database_url=settings.database_url,
        public_base_url=PUBLIC_BASE_URL,
        log_checkpoint_interval_seconds=0,
    )
    with Session(engine, expire_on_commit=False) as session:
        demo.seed(session, dev, ROOT / "keys" / "demo")
        session.commit()
    with TestClient(create_app(dev, engine), base_url=PUBLIC_BASE_URL) as client:
        yield dev, client


def test_the_quick_start_runs_on_the_demo_data(
    demo_world: tuple[Settings, TestClient],
) -> None:
    dev, client = demo_world
    block = quick_start_block()
    # the key the README takes from keys/demo/api-keys.json
    (slug,) = re.findall(r'api-keys\.json"\)\)\["(\w+)"\]', block)
    key = json.loads((ROOT / "keys" / "demo" / "api-keys.json").read_text())[slug]
    issue = curl_command(block, "/v1/diplomas")
    headers = {k: v.replace("$KEY", key) for k, v in headers_of(issue).items()}
    body = (ROOT / "examples" / "diploma.json").read_bytes()

    issued = client.post("/v1/diplomas", content=body, headers=headers)
    assert issued.status_code == 201, (
        "examples/diploma.json must issue on the demo data (not collide with a demo diploma): "
        + issued.text
    )
    answer = issued.json()
    for field in re.findall(r'json\.load\(open\("issued\.json"\)\)\["(\w+)"\]', block):
        assert field in answer, (
            f"the README reads issued.json[{field!r}]; the API has {list(answer)}"
        )
    if "Idempotency-Key" in headers:  # the README says a repeat replays
        again = client.post("/v1/diplomas", content=body, headers=headers)
        assert again.status_code == 201 and again.json()["id"] == answer["id"], again.text

    verify = curl_command(block, "/v1/verifications")
    credential = json.dumps(answer["verifiableCredential"])
    report = client.post("/v1/verifications", content=credential, headers=headers_of(verify))
    assert report.status_code == 200 and report.json()["verdict"] == "valid", report.text

    # the command-line steps it shows: suspend (invalid), reinstate (valid again)
    env = {
        "DIPLOMA_EXCHANGE_DATABASE_URL": dev.database_url,
        "DIPLOMA_EXCHANGE_PUBLIC_BASE_URL": dev.public_base_url,
        "DIPLOMA_EXCHANGE_LOG_CHECKPOINT_INTERVAL_SECONDS": "0",
    }
    steps = re.findall(r"diploma-exchange (suspend|reinstate) \"\$\(.*?\)\" +(.*)", block)
    assert [s for s, _ in steps] == ["suspend", "reinstate"], steps
    expected = {"suspend": "invalid", "reinstate": "valid"}
    for command, options in steps:
        result = run_cli(command, answer["id"], *shlex.split(options), env=env, cwd=ROOT)
        assert result.returncode == 0, result.stdout + result.stderr
        after = client.post("/v1/verifications", content=credential, headers=headers_of(verify))
        assert after.json()["verdict"] == expected[command], (command, after.text)


def test_the_readme_python_one_liners_run(tmp_path: Path) -> None:
    """The quick start's `python3 -c` lines (run by the newcomer's own Python) read what the
    API returns: here on a file shaped like the answer, so a renamed field fails above and a
    quoting mistake fails here."""
    (tmp_path / "keys" / "demo").mkdir(parents=True)
    (tmp_path / "keys" / "demo" / "api-keys.json").write_text('{"kaznu": "dx_k"}')
    (tmp_path / "issued.json").write_text(
        '{"id": "urn:uuid:1", "verifiableCredential": {"id": "urn:uuid:1"}, "claim": {}}'
    )
    for line in quick_start_block().splitlines():
        for code in re.findall(r"python3 -c '([^']*)'", line):
            ran = subprocess.run(
                [sys.executable, "-c", code],
                check=False,
                cwd=tmp_path,
                capture_output=True,
                text=True,
            )
            assert ran.returncode == 0 and ran.stdout.strip(), (code, ran.stderr)
