"""The transparency log over HTTP: every issuance, status change and key event becomes an
entry; checkpoint, tiles and entry bundles are served per C2SP; proofs and bundles verify."""

from __future__ import annotations

import base64
from typing import Any

from fastapi.testclient import TestClient

from conftest import Tenant
from diploma_exchange.proofs.secured import secured_digest
from diploma_exchange.transparency import merkle, tiles
from diploma_exchange.transparency.bundle import LogBundle, TrustedLog, WitnessPolicy, verify_bundle
from diploma_exchange.transparency.checkpoint import open_checkpoint
from diploma_exchange.transparency.entries import IssuanceEntry, KeyEntry, StatusEntry, parse_entry
from diploma_exchange.transparency.note import parse_vkey
from helpers import diploma_payload


def issue(client: TestClient, tenant: Tenant, i: int = 0) -> dict[str, Any]:
    response = client.post("/v1/diplomas", json=diploma_payload(i), headers=tenant.headers)
    assert response.status_code == 201, response.text
    return response.json()["verifiableCredential"]  # type: ignore[no-any-return]


def publish(client: TestClient, admin_key: str) -> str:
    response = client.post("/v1/log/checkpoints", headers={"Authorization": f"Bearer {admin_key}"})
    assert response.status_code == 201, response.text
    return response.json()["checkpoint"]  # type: ignore[no-any-return]


def test_issuance_status_and_key_events_are_logged_and_proven(
    client: TestClient, kaznu: Tenant, admin_key: str
) -> None:
    credential = issue(client, kaznu)
    digest = secured_digest(credential)
    revoked = client.post(
        f"/v1/diplomas/{credential['id']}/status-changes",
        json={"action": "suspend", "reasonCode": "investigation"},
        headers=kaznu.headers,
    )
    assert revoked.status_code in (200, 201), revoked.text
    note = publish(client, admin_key)
    info = client.get("/log/v1/info").json()
    verifier = parse_vkey(info["vkey"])
    checkpoint = open_checkpoint(note, [verifier], origin=info["origin"]).checkpoint
    assert info["origin"] == "diplomas.example.kz/log"

    served = client.get("/log/checkpoint")
    assert served.status_code == 200
    assert served.headers["content-type"] == "text/plain; charset=utf-8"
    assert "max-age=2" in served.headers["cache-control"]
    assert open_checkpoint(served.text, [verifier]).checkpoint == checkpoint

    # Every entry, from the entry bundles, hashes to the level-0 tile; the tiles to the root.
    size = checkpoint.size
    entries: list[bytes] = []
    for ref in tiles.iter_entry_tiles(0, size):
        response = client.get(f"/log/{ref.path()}")
        assert response.status_code == 200, ref.path()
        assert "immutable" in response.headers["cache-control"]
        entries.extend(tiles.decode_bundle(response.content))
    level0 = client.get(f"/log/{tiles.TileRef(0, 0, size).path()}").content
    assert level0 == b"".join(merkle.leaf_hash(e) for e in entries)
    assert merkle.root_of(tiles.split_hashes(level0)) == checkpoint.root

    parsed = [parse_entry(e) for e in entries]
    kinds = [type(e) for e in parsed]
    assert KeyEntry in kinds and StatusEntry in kinds
    issued = [(i, e) for i, e in enumerate(parsed) if isinstance(e, IssuanceEntry)]
    assert [(e.digest, e.issuer, e.key) for _, e in issued] == [
        (digest, kaznu.did, credential["proof"][0]["verificationMethod"])
    ]
    # No personal data: the graduate's name appears nowhere in the log.
    name = credential["credentialSubject"]["graduate"]["fullName"]["en"]
    assert all(name.encode() not in e for e in entries)

    index = issued[0][0]
    proof = client.get("/log/v1/proof/inclusion", params={"index": index, "treeSize": size})
    hashes = [base64.b64decode(h) for h in proof.json()["proof"]]
    assert merkle.verify_inclusion(
        merkle.leaf_hash(entries[index]), index, size, hashes, checkpoint.root
    )

    bundle = client.get(f"/v1/diplomas/{credential['id']}/log-bundle", headers=kaznu.headers)
    assert bundle.status_code == 200, bundle.text
    public = client.get(f"/log/v1/bundles/{digest}")
    assert public.json() == bundle.json()
    verdict = verify_bundle(
        LogBundle.from_json(bundle.json()),
        credential_digest=digest,
        issuer=kaznu.did,
        verification_method=credential["proof"][0]["verificationMethod"],
        trusted_logs=[TrustedLog(info["origin"], (verifier,))],
        policy=WitnessPolicy(),
        now=__import__("datetime").datetime.now(__import__("datetime").UTC),
    )
    assert verdict.code == "log.included", verdict
    assert verdict.details["statusEntries"][0]["action"] == "suspend"


def test_tiles_that_do_not_exist_are_404_and_paths_are_canonical(
    client: TestClient, kaznu: Tenant, admin_key: str
) -> None:
    issue(client, kaznu)
    publish(client, admin_key)
    assert client.get("/log/tile/0/000").status_code == 404  # full tile: only partial exists
    assert client.get("/log/tile/0/000.p/255").status_code == 404
    assert client.get("/log/tile/0/0").status_code == 400  # not 3 digits
    assert client.get("/log/tile/0/x000/000.p/1").status_code == 400  # not canonical
    assert client.get("/log/tile/00/000.p/1").status_code == 400
    assert client.get("/log/tile/entries/000.p/1").status_code == 200


def test_bundles_sign_a_checkpoint_on_demand_at_most_once_a_second(
    client: TestClient, kaznu: Tenant, admin_key: str
) -> None:
    first = issue(client, kaznu, 0)
    publish(client, admin_key)
    second = issue(client, kaznu, 1)
    # The first diploma is in the checkpoint just signed: its bundle comes at once.
    ok = client.get(f"/log/v1/bundles/{secured_digest(first)}")
    assert ok.status_code == 200
    # The second is not, and a checkpoint was signed a moment ago: retry in a second.
    pending = client.get(f"/log/v1/bundles/{secured_digest(second)}")
    assert pending.status_code == 503, pending.text
    assert pending.json()["code"] == "log-checkpoint-pending"
    assert pending.headers["retry-after"] == "1"
    assert client.get(f"/log/v1/bundles/{'0' * 64}").status_code == 404
    assert client.get("/log/v1/bundles/not-a-digest").status_code == 400


def test_the_verifier_checks_the_log(client: TestClient, kaznu: Tenant, engine: Any) -> None:
    """issuance.log in the verification report: passed for a diploma issued here, failed
    (log.after-key-event) for one logged after its key's compromise with a back-dated proof."""
    from datetime import UTC, datetime, timedelta

    from sqlmodel import Session

    from diploma_exchange.credentials import sample_diploma_data
    from diploma_exchange.services import institutions, issuance

    credential = issue(client, kaznu, 0)
    report = client.post("/v1/verifications", json=credential).json()
    checks = {c["name"]: c for c in report["checks"]}
    assert checks["issuance.log"]["status"] == "passed"
    assert checks["issuance.log"]["code"] == "log.included"

    settings = client.app.state.settings  # type: ignore[attr-defined]
    with Session(engine, expire_on_commit=False) as session:
        record = institutions.get_institution(session, "kaznu")
        stolen = institutions.signer_for(session, settings, record)
        institutions.compromise_key(
            session,
            settings,
            record,
            stolen.verification_method.split("#")[1],
            compromised_at=datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=2),
        )
        session.commit()
    past = datetime.now(UTC).replace(microsecond=0) - timedelta(days=30)
    with Session(engine, expire_on_commit=False) as session:
        principal = institutions.Principal(
            "institution", "insider", institutions.get_institution(session, "kaznu")
        )
        backdated = issuance.issue_diplomas(
            session,
            settings,
            principal,
            [sample_diploma_data(1)],
            signer=stolen,
            clock=lambda: past,
        ).credentials[0]
        session.commit()
    report = client.post("/v1/verifications", json=backdated).json()
    checks = {c["name"]: c for c in report["checks"]}
    assert report["verdict"] == "invalid"
    assert checks["issuance.log"]["status"] == "failed"
    assert checks["issuance.log"]["code"] == "log.after-key-event"
