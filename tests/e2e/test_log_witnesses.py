"""Two NICs on one machine witness each other's logs (c2sp.org/tlog-witness): each app
posts its checkpoints to the other's add-checkpoint endpoint, the cosignatures come back on
the served checkpoint, a k-of-n policy counts them, and a forked checkpoint is refused."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session

from diploma_exchange.api.app import create_app
from diploma_exchange.config import Settings
from diploma_exchange.db.engine import make_engine, upgrade
from diploma_exchange.proofs.keys import generate_private_key
from diploma_exchange.proofs.secured import secured_digest
from diploma_exchange.services import institutions, transparency
from diploma_exchange.transparency.bundle import (
    LogBundle,
    LogStatus,
    TrustedLog,
    WitnessPolicy,
    verify_bundle,
)
from diploma_exchange.transparency.checkpoint import Checkpoint, sign_checkpoint
from diploma_exchange.transparency.note import NoteSigner, parse_vkey
from diploma_exchange.transparency.witness import encode_request
from helpers import diploma_payload


@dataclass
class Nic:
    settings: Settings
    engine: Engine
    client: TestClient
    admin: dict[str, str]
    university: dict[str, str]


def _nic(tmp_path: Path, name: str, host: str) -> Iterator[Nic]:
    url = f"sqlite:///{tmp_path / name}.db"
    settings = Settings(
        environment="test",
        database_url=url,
        public_base_url=f"https://{host}",
        key_passphrase="test-passphrase",  # type: ignore[arg-type]
        log_checkpoint_interval_seconds=0,
    )
    engine = make_engine(url)
    upgrade(engine)
    with Session(engine, expire_on_commit=False) as session:
        institutions.register_institution(session, settings, slug="nic", name=name, kind="nic")
        uni, _ = institutions.register_institution(session, settings, slug="uni", name="Uni")
        _, admin = institutions.create_api_key(session, role=institutions.ROLE_ADMIN)
        _, key = institutions.create_api_key(
            session, role=institutions.ROLE_INSTITUTION, institution=uni
        )
        session.commit()
    with TestClient(create_app(settings, engine), base_url=f"https://{host}") as client:
        yield Nic(
            settings,
            engine,
            client,
            {"Authorization": f"Bearer {admin}"},
            {"Authorization": f"Bearer {key}"},
        )
    engine.dispose()


@pytest.fixture
def kz(tmp_path: Path) -> Iterator[Nic]:
    yield from _nic(tmp_path, "kz", "nic.kz.example")


@pytest.fixture
def jp(tmp_path: Path) -> Iterator[Nic]:
    yield from _nic(tmp_path, "jp", "nic.jp.example")


def _poster(nics: dict[str, Nic]) -> transparency.Poster:
    """Routes a witness request to the app serving the URL's host (no network)."""

    def post(url: str, body: bytes) -> tuple[int, bytes]:
        target = nics[urlsplit(url).hostname or ""]
        response = target.client.post(
            urlsplit(url).path, content=body, headers={"Content-Type": "text/plain"}
        )
        return response.status_code, response.content

    return post


def _introduce(a: Nic, b: Nic) -> None:
    """``b`` witnesses ``a``'s log: each side configures the other out of band."""
    a_info = a.client.get("/log/v1/info").json()
    b_info = b.client.get("/log/v1/info").json()
    added = b.client.post(
        "/v1/log/witnessed-logs",
        json={"origin": a_info["origin"], "vkey": a_info["vkey"], "url": a_info["tilesPrefix"]},
        headers=b.admin,
    )
    assert added.status_code == 201, added.text
    witness = a.client.post(
        "/v1/log/witnesses",
        json={"vkey": b_info["witnessVkey"], "url": b_info["witnessPrefix"]},
        headers=a.admin,
    )
    assert witness.status_code == 201, witness.text


def test_two_nics_witness_each_other(kz: Nic, jp: Nic) -> None:
    nics = {"nic.kz.example": kz, "nic.jp.example": jp}
    _introduce(kz, jp)
    _introduce(jp, kz)
    poster = _poster(nics)
    issued = kz.client.post("/v1/diplomas", json=diploma_payload(0), headers=kz.university)
    credential = issued.json()["verifiableCredential"]
    jp.client.post("/v1/diplomas", json=diploma_payload(1), headers=jp.university)

    for nic in (kz, jp):
        nic.client.post("/v1/log/checkpoints", headers=nic.admin)
        result = transparency.request_cosignatures(nic.engine, nic.settings, poster)
        assert result.failed == {} and len(result.cosigned) == 1
    # A second round: the witness checks consistency from the size it cosigned before.
    kz.client.post("/v1/diplomas", json=diploma_payload(2), headers=kz.university)
    kz.client.post("/v1/log/checkpoints", headers=kz.admin)
    second = transparency.request_cosignatures(kz.engine, kz.settings, poster)
    assert second.failed == {}
    witnessed = jp.client.get("/v1/log/witnessed-logs", headers=jp.admin).json()
    assert witnessed[0]["size"] == second.size

    checkpoint = kz.client.get("/log/checkpoint").text
    jp_witness = parse_vkey(jp.client.get("/log/v1/info").json()["witnessVkey"])
    assert f"\u2014 {jp_witness.name} " in checkpoint
    # The monitoring endpoint of the witness serves the same cosigned checkpoint.
    import hashlib

    origin = kz.settings.effective_log_origin
    served = jp.client.get(f"/witness/{hashlib.sha256(origin.encode()).hexdigest()}/checkpoint")
    assert served.status_code == 200 and served.text.split("\n\n")[0] == checkpoint.split("\n\n")[0]

    bundle = LogBundle.from_json(
        kz.client.get(f"/v1/diplomas/{credential['id']}/log-bundle", headers=kz.university).json()
    )
    kz_log = parse_vkey(kz.client.get("/log/v1/info").json()["vkey"])
    kz_witness = parse_vkey(kz.client.get("/log/v1/info").json()["witnessVkey"])
    common = {
        "credential_digest": secured_digest(credential),
        "issuer": credential["issuer"]["id"],
        "verification_method": credential["proof"][0]["verificationMethod"],
        "trusted_logs": [TrustedLog(origin, (kz_log,))],
        "now": datetime.now(UTC),
    }
    one_of_two = verify_bundle(bundle, policy=WitnessPolicy((jp_witness, kz_witness), 1), **common)
    assert one_of_two.status is LogStatus.PASSED
    assert [w["name"] for w in one_of_two.details["witnesses"]] == [jp_witness.name]
    two_of_two = verify_bundle(bundle, policy=WitnessPolicy((jp_witness, kz_witness), 2), **common)
    assert two_of_two.status is LogStatus.INDETERMINATE and two_of_two.code == "log.witnesses"

    # KZ's operator signs a forked checkpoint (same size + 1, other root) with KZ's real key:
    # JP's witness refuses it, so it can never carry JP's cosignature.
    with Session(kz.engine) as session:
        signer = transparency._note_signer(session, kz.settings, "log")
    forked = sign_checkpoint(Checkpoint(origin, second.size + 1, b"\x07" * 32), signer)
    status, body = poster(
        "https://nic.jp.example/witness/add-checkpoint",
        encode_request(second.size, [b"\x07" * 32], forked),
    )
    assert status == 422, body
    # An unknown log and a checkpoint signed by another key are refused as the spec says.
    status, _ = poster(
        "https://nic.jp.example/witness/add-checkpoint",
        encode_request(0, [], forked.replace(origin, "nic.xx.example/log", 1)),
    )
    assert status == 404
    impostor = NoteSigner(origin, generate_private_key())
    status, _ = poster(
        "https://nic.jp.example/witness/add-checkpoint",
        encode_request(
            second.size,
            [],
            sign_checkpoint(Checkpoint(origin, second.size, b"\x07" * 32), impostor),
        ),
    )
    assert status == 403
    status, _ = poster("https://nic.jp.example/witness/add-checkpoint", b"old 1\n\nnot a note")
    assert status == 400


def test_a_partner_log_declared_in_its_trust_list_is_witnessed(kz: Nic, jp: Nic) -> None:
    """KZ's signed trust list declares its log; importing it makes JP witness (and trust) it."""
    trust_list = kz.client.get("/trust-list").json()
    declared = trust_list["credentialSubject"]["transparencyLog"]
    info = kz.client.get("/log/v1/info").json()
    assert declared["origin"] == info["origin"] and declared["vkey"] == info["vkey"]
    assert declared["witness"]["vkey"] == info["witnessVkey"]
    nic_key = kz.client.get("/v1/institutions/nic/keys").json()[0]["publicKeyMultibase"]
    partner = jp.client.post(
        "/v1/partners",
        json={
            "did": trust_list["issuer"],
            "name": "KZ NIC",
            "countryCode": "KZ",
            "publicKeyMultibase": nic_key,
        },
        headers=jp.admin,
    )
    assert partner.status_code == 201, partner.text
    imported = jp.client.post(
        f"/v1/partners/{partner.json()['id']}/trust-list", json=trust_list, headers=jp.admin
    )
    assert imported.status_code in (200, 201), imported.text
    logs = jp.client.get("/v1/log/witnessed-logs", headers=jp.admin).json()
    assert [(log["origin"], log["partnerDid"]) for log in logs] == [
        (info["origin"], trust_list["issuer"])
    ]
    # Now KZ only has to name JP as its witness; JP already accepts KZ's checkpoints.
    jp_info = jp.client.get("/log/v1/info").json()
    kz.client.post(
        "/v1/log/witnesses",
        json={"vkey": jp_info["witnessVkey"], "url": jp_info["witnessPrefix"]},
        headers=kz.admin,
    )
    kz.client.post("/v1/log/checkpoints", headers=kz.admin)
    poster = _poster({"nic.kz.example": kz, "nic.jp.example": jp})
    assert transparency.request_cosignatures(kz.engine, kz.settings, poster).failed == {}


def test_a_verifier_abroad_checks_a_partners_diploma_in_its_log(kz: Nic, jp: Nic) -> None:
    """JP verifies KZ diplomas against KZ's log (declared in KZ's trust list): included,
    not included (signed outside KZ's service), or indeterminate when the log is down."""
    import httpx

    from diploma_exchange.dids.remote import SafeFetcher
    from diploma_exchange.proofs import eddsa_jcs_2022
    from diploma_exchange.services.log_evidence import LogEvidenceSource

    trust_list = kz.client.get("/trust-list").json()
    nic_key = kz.client.get("/v1/institutions/nic/keys").json()[0]["publicKeyMultibase"]
    partner = jp.client.post(
        "/v1/partners",
        json={
            "did": trust_list["issuer"],
            "name": "KZ",
            "countryCode": "KZ",
            "publicKeyMultibase": nic_key,
        },
        headers=jp.admin,
    ).json()
    jp.client.post(f"/v1/partners/{partner['id']}/trust-list", json=trust_list, headers=jp.admin)
    credential = kz.client.post(
        "/v1/diplomas", json=diploma_payload(0), headers=kz.university
    ).json()["verifiableCredential"]
    kz.client.post("/v1/log/checkpoints", headers=kz.admin)

    up = True

    def handler(request: httpx.Request) -> httpx.Response:
        if not up:
            raise httpx.ConnectError("down", request=request)
        answer = kz.client.get(request.url.path)
        return httpx.Response(answer.status_code, content=answer.content, headers=answer.headers)

    fetcher = SafeFetcher(allow_hosts=["nic.kz.example"], transport=httpx.MockTransport(handler))
    with Session(jp.engine) as session:
        source = LogEvidenceSource(session, jp.settings, fetcher=fetcher)
        assert source.check_credential(credential).code == "log.included"  # type: ignore[union-attr]
        with Session(kz.engine) as kz_session:
            uni = institutions.get_institution(kz_session, "uni")
            stolen = institutions.signer_for(kz_session, kz.settings, uni)
        unsigned = {k: v for k, v in credential.items() if k != "proof"}
        unsigned["id"] = "urn:uuid:00000000-0000-4000-8000-00000000000f"
        forged = eddsa_jcs_2022.add_proof(unsigned, stolen, created=datetime.now(UTC))
        verdict = source.check_credential(forged)
        assert verdict is not None and verdict.status is LogStatus.FAILED
        assert verdict.code == "log.not-included"
        up = False
        down = source.check_credential(credential)
        assert down is not None and down.status is LogStatus.INDETERMINATE
        assert down.code == "log.unavailable"
        # Offline, with the bundle that came with the diploma, the log is not needed.
        bundle = kz.client.get(
            f"/v1/diplomas/{credential['id']}/log-bundle", headers=kz.university
        ).json()
        assert source.check_credential(credential, bundle).code == "log.included"  # type: ignore[union-attr]
        # An issuer no trusted log covers: the check does not apply.
        other = dict(credential, issuer={"id": "did:web:elsewhere.example"})
        assert source.check_credential(other) is None
