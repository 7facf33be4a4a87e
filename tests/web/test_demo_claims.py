"""`make run` seeds demo diplomas and prints claim links for the unclaimed ones: the same
links on every start, so a second `make run` never kills the links the first one printed."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session

from conftest import PUBLIC_BASE_URL
from diploma_exchange.api.app import create_app
from diploma_exchange.config import Settings
from diploma_exchange.services import demo


def test_demo_seed_mints_claim_codes_that_work(
    engine: Engine, settings: Settings, project_root: Path
) -> None:
    dev = Settings(
        environment="development",
        database_url=settings.database_url,
        public_base_url=PUBLIC_BASE_URL,
    )
    with Session(engine, expire_on_commit=False) as session:
        first = demo.seed(session, dev, project_root / "keys" / "demo", diplomas_per_university=2)
        session.commit()
    assert len(first.claim_codes) == len(first.diploma_ids) == 4
    with Session(engine, expire_on_commit=False) as session:
        second = demo.seed(session, dev, project_root / "keys" / "demo", diplomas_per_university=2)
        session.commit()
    assert [c.code for c in second.claim_codes] == [c.code for c in first.claim_codes]
    with TestClient(create_app(dev, engine), base_url=PUBLIC_BASE_URL) as web:
        ok = web.post("/claim", data={"code": first.claim_codes[0].code}, follow_redirects=False)
        assert ok.status_code == 303
    with Session(engine, expire_on_commit=False) as session:
        third = demo.seed(session, dev, project_root / "keys" / "demo", diplomas_per_university=2)
        session.commit()
    assert len(third.claim_codes) == 3  # the claimed diploma gets no new way in
    assert {c.code for c in third.claim_codes} < {c.code for c in first.claim_codes}
