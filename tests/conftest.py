"""Shared fixtures: every database test runs on SQLite and on PostgreSQL.

PostgreSQL is used when ``DIPLOMA_EXCHANGE_TEST_POSTGRES_URL`` is set or 127.0.0.1:5432
answers; under ``CI=true`` an unreachable PostgreSQL fails the run instead of skipping. Each
backend gets a fresh database for the session (a new SQLite file; a new PostgreSQL database
created from the server's ``postgres`` database), migrated once with Alembic; after each test
all rows are deleted, so tests are isolated but migration runs once.
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session, SQLModel

from diploma_exchange.api.app import create_app
from diploma_exchange.config import Settings
from diploma_exchange.db.engine import make_engine, upgrade
from diploma_exchange.services import institutions, trust
from diploma_exchange.trust.accreditation import Scope
from vector_files import in_ci

#: Secrets never appear in logs: the whole session is logged at DEBUG and scanned.
pytest_plugins = ["log_scan"]

PUBLIC_BASE_URL = "https://diplomas.example.kz"
DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def _postgres_url() -> str | None:
    url = os.environ.get("DIPLOMA_EXCHANGE_TEST_POSTGRES_URL")
    if url:
        return url
    try:
        with socket.create_connection(("127.0.0.1", 5432), timeout=0.5):
            return DEFAULT_PG
    except OSError:
        return None


@dataclass
class Backend:
    name: str
    url: str
    engine: Engine


def _make_postgres(base_url: str) -> tuple[str, Engine, str]:
    url = make_url(base_url)
    if url.drivername == "postgresql":
        url = url.set(drivername="postgresql+psycopg")
    admin = make_engine(
        url.set(database="postgres").render_as_string(hide_password=False),
        isolation_level="AUTOCOMMIT",
    )
    name = f"dx_test_{uuid.uuid4().hex[:12]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    test_url = url.set(database=name).render_as_string(hide_password=False)
    return test_url, make_engine(test_url), name


def _drop_postgres(base_url: str, name: str) -> None:
    url = make_url(base_url)
    if url.drivername == "postgresql":
        url = url.set(drivername="postgresql+psycopg")
    admin = make_engine(
        url.set(database="postgres").render_as_string(hide_password=False),
        isolation_level="AUTOCOMMIT",
    )
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session", params=["sqlite", "postgres"])
def backend(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Backend]:
    if request.param == "sqlite":
        path = tmp_path_factory.mktemp("db") / "test.db"
        url = f"sqlite:///{path}"
        engine = make_engine(url)
        upgrade(engine)
        yield Backend("sqlite", url, engine)
        engine.dispose()
        return
    base = _postgres_url()
    if base is None:
        message = "PostgreSQL is not reachable (set DIPLOMA_EXCHANGE_TEST_POSTGRES_URL)"
        if in_ci():
            pytest.fail(message)
        pytest.skip(message)
    url, engine, name = _make_postgres(base)
    upgrade(engine)
    yield Backend("postgres", url, engine)
    engine.dispose()
    _drop_postgres(base, name)


def _wipe(engine: Engine) -> None:
    with engine.begin() as conn:
        for table in reversed(SQLModel.metadata.sorted_tables):
            conn.execute(table.delete())


@pytest.fixture
def engine(backend: Backend) -> Iterator[Engine]:
    yield backend.engine
    _wipe(backend.engine)


@pytest.fixture
def settings(backend: Backend) -> Settings:
    return Settings(
        environment="test",
        database_url=backend.url,
        public_base_url=PUBLIC_BASE_URL,
        key_passphrase="test-passphrase",  # type: ignore[arg-type]
        # Tests verify far more often than a client may (tests/api/test_abuse_limits.py
        # checks the limits with their own settings).
        verify_per_client_per_minute=1_000_000,
        verify_global_per_minute=1_000_000,
        recognition_per_client_per_minute=1_000_000,
        recognition_global_per_minute=1_000_000,
        # Checkpoints on demand only: no publisher thread writing behind a test's back.
        log_checkpoint_interval_seconds=0,
    )


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with Session(engine, expire_on_commit=False) as s:
        yield s


@pytest.fixture
def client(settings: Settings, engine: Engine) -> Iterator[TestClient]:
    with TestClient(create_app(settings, engine)) as c:
        yield c


@dataclass
class Tenant:
    slug: str
    did: str
    api_key: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.api_key}"}


@pytest.fixture
def admin_key(engine: Engine) -> str:
    with Session(engine, expire_on_commit=False) as s:
        _, token = institutions.create_api_key(s, role=institutions.ROLE_ADMIN, label="test admin")
        s.commit()
    return token


ACCREDITED_SINCE = datetime(2015, 1, 1, tzinfo=UTC)


@pytest.fixture
def nic(engine: Engine, settings: Settings) -> str:
    """This service's NIC identity (it signs accreditations, key logs and the trust list)."""
    with Session(engine, expire_on_commit=False) as s:
        record, _ = institutions.register_institution(
            s, settings, slug="nic", name="National Centre (test NIC)", kind="nic"
        )
        s.commit()
    return record.did


def _tenant(
    engine: Engine, settings: Settings, slug: str, name: str, accredited: bool = True
) -> Tenant:
    with Session(engine, expire_on_commit=False) as s:
        record, _ = institutions.register_institution(s, settings, slug=slug, name=name)
        _, token = institutions.create_api_key(
            s, role=institutions.ROLE_INSTITUTION, institution=record
        )
        if accredited:
            trust.accredit(
                s,
                settings,
                record,
                scope=Scope(),
                accrediting_body="IAAR (test)",
                valid_from=ACCREDITED_SINCE,
            )
        s.commit()
    return Tenant(slug, record.did, token)


@pytest.fixture
def kaznu(engine: Engine, settings: Settings, nic: str) -> Tenant:
    return _tenant(engine, settings, "kaznu", "Al-Farabi Kazakh National University")


@pytest.fixture
def enu(engine: Engine, settings: Settings, nic: str) -> Tenant:
    return _tenant(engine, settings, "enu", "L.N. Gumilyov Eurasian National University")


@pytest.fixture
def project_root() -> Path:
    return Path(__file__).resolve().parents[1]
