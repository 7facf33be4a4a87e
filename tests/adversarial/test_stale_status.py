"""Finding 4 of issue 12: a revoked diploma does not pass with an old, expired, foreign or
substituted status list."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session

from adversarial.support import by_name, institution_signer, issue, verify, write
from cli_support import run_cli
from conftest import Tenant
from diploma_exchange.config import Settings
from diploma_exchange.proofs import eddsa_jcs_2022
from diploma_exchange.services import verification
from diploma_exchange.status import Bitstring, encode_list

LIST_PREFIX = "https://diplomas.example.kz/status-lists/"


def list_of(client: TestClient, credential: dict[str, Any], purpose: str) -> dict[str, Any]:
    entry = next(e for e in credential["credentialStatus"] if e["statusPurpose"] == purpose)
    response = client.get(entry["statusListCredential"].removeprefix("https://diplomas.example.kz"))
    assert response.status_code == 200
    return response.json()  # type: ignore[no-any-return]


def revoke(client: TestClient, kaznu: Tenant, credential: dict[str, Any]) -> None:
    response = client.post(
        f"/v1/diplomas/{credential['id']}/status-changes",
        json={"action": "revoke", "reasonCode": "fraud"},
        headers=kaznu.headers,
    )
    assert response.status_code == 201, response.text


def test_published_lists_expire_and_say_how_long_to_cache(
    client: TestClient, kaznu: Tenant, settings: Settings
) -> None:
    published = list_of(client, issue(client, kaznu), "revocation")
    valid_from = datetime.fromisoformat(published["validFrom"])
    valid_until = datetime.fromisoformat(published["validUntil"])
    assert valid_until - valid_from == timedelta(seconds=settings.status_list_validity_seconds)
    assert published["credentialSubject"]["ttl"] == settings.status_list_ttl_seconds * 1000


def test_an_expired_list_is_refused_and_the_report_gives_the_lists_age(
    client: TestClient, kaznu: Tenant, engine: Engine, settings: Settings
) -> None:
    credential = issue(client, kaznu)
    with Session(engine) as s:
        fresh = verification.verify(s, settings, credential).to_json()
        later = datetime.now(UTC) + timedelta(seconds=settings.status_list_validity_seconds * 2)
        # the stored list is refreshed on use; simulate a verifier holding only the old copy
        stale = verification.verify(s, settings, credential, now=later).to_json()
    revocation = next(c for c in fresh["checks"] if c["name"] == "status.revocation")
    assert revocation["status"] == "passed" and "listAgeSeconds" in revocation["details"]
    assert "old" in revocation["message"]
    assert by_name(stale)["status.revocation"] == ("error", "status-list-expired")
    assert stale["verdict"] == "indeterminate"


def test_a_pre_revocation_list_given_to_the_cli_loses_to_the_live_one(
    client: TestClient, kaznu: Tenant, tmp_path: Path, engine: Engine, settings: Settings
) -> None:
    credential = issue(client, kaznu)
    before = list_of(client, credential, "revocation")  # saved before the revocation
    revoke(client, kaznu, credential)
    assert verify(client, credential)["verdict"] == "invalid"
    env = {
        "DIPLOMA_EXCHANGE_DATABASE_URL": settings.database_url,
        "DIPLOMA_EXCHANGE_PUBLIC_BASE_URL": "https://diplomas.example.kz",
        "DIPLOMA_EXCHANGE_KEY_PASSPHRASE": "test-passphrase",
    }
    result = run_cli(
        "verify",
        str(write(tmp_path, "vc.json", credential)),
        "--status-list",
        str(write(tmp_path, "old-list.json", before)),
        "--offline",
        "--json",
        env=env,
    )
    report = json.loads(result.stdout)
    assert by_name(report)["status.revocation"] == ("failed", "revoked"), report
    assert result.returncode == 1


def _verify_with_list(
    engine: Engine,
    settings: Settings,
    credential: dict[str, Any],
    supplied: dict[str, Any],
    now: datetime | None = None,
) -> dict[str, Any]:
    """The service's verifier, with ``supplied`` standing in for the revocation list."""
    from diploma_exchange.services.lookups import LayeredStatusLists

    with Session(engine) as s:
        verifier = verification.for_service(s, settings)
        url = next(
            e["statusListCredential"]
            for e in credential["credentialStatus"]
            if e["statusPurpose"] == "revocation"
        )

        class Substituting:
            def get(self, wanted: str) -> Any:
                if wanted.split("#")[0] == url:
                    return supplied
                return original.get(wanted)

        original = verifier.lookups.status_lists
        assert isinstance(original, LayeredStatusLists)
        from dataclasses import replace

        swapped = type(verifier)(replace(verifier.lookups, status_lists=Substituting()))
        return swapped.verify(credential, now=now).to_json()


def test_another_issuers_list_cannot_speak_for_this_diploma(
    client: TestClient, kaznu: Tenant, enu: Tenant, engine: Engine, settings: Settings
) -> None:
    ours = issue(client, kaznu)
    theirs = list_of(client, issue(client, enu), "revocation")
    report = _verify_with_list(engine, settings, ours, theirs)
    assert by_name(report)["status.revocation"] == ("error", "status-list-unverifiable")
    assert report["verdict"] == "indeterminate"


def test_another_list_of_the_same_issuer_cannot_speak_for_this_entry(
    client: TestClient, kaznu: Tenant, engine: Engine, settings: Settings
) -> None:
    """Substitution: a genuine, signed, current list of KazNU, but not the one named."""
    credential = issue(client, kaznu)
    revoke(client, kaznu, credential)
    other = copy.deepcopy(list_of(client, credential, "revocation"))
    other["id"] = LIST_PREFIX + "00000000-0000-4000-8000-000000000000"
    other["credentialSubject"]["encodedList"] = list_of(
        client, issue(client, kaznu, 1), "suspension"
    )["credentialSubject"]["encodedList"]
    other = eddsa_jcs_2022.add_proof(
        {k: v for k, v in other.items() if k != "proof"},
        institution_signer(engine, "kaznu"),
        created=datetime.now(UTC).replace(microsecond=0),
    )
    report = _verify_with_list(engine, settings, credential, other)
    assert by_name(report)["status.revocation"] == ("error", "status-list-unverifiable")


def test_a_list_signed_with_a_compromised_key_is_refused(
    client: TestClient, kaznu: Tenant, engine: Engine, settings: Settings
) -> None:
    credential = issue(client, kaznu)
    revoke(client, kaznu, credential)
    thief = institution_signer(engine, "kaznu")
    moment = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=1)
    response = client.post(
        "/v1/institutions/kaznu/keys/key-1/compromise",
        json={"compromisedAt": moment.strftime("%Y-%m-%dT%H:%M:%SZ")},
        headers=kaznu.headers,
    )
    assert response.status_code == 200
    # The live list was re-signed with the new key, and still says "revoked".
    assert by_name(verify(client, credential))["status.revocation"] == ("failed", "revoked")
    # The thief signs a clean list with the stolen key.
    clean = copy.deepcopy(list_of(client, credential, "revocation"))
    clean["credentialSubject"]["encodedList"] = encode_list(Bitstring(131_072))
    forged = eddsa_jcs_2022.add_proof(
        {k: v for k, v in clean.items() if k != "proof"}, thief, created=moment - timedelta(days=1)
    )
    report = _verify_with_list(engine, settings, credential, forged)
    assert by_name(report)["status.revocation"] == ("error", "status-list-unverifiable")
    assert report["verdict"] != "valid"


def test_a_list_past_half_its_validity_is_re_signed_when_served(
    settings: Settings, engine: Engine, kaznu: Tenant
) -> None:
    from diploma_exchange.api.app import create_app

    short = settings.model_copy(update={"status_list_validity_seconds": 300})
    with TestClient(create_app(short, engine)) as c:
        credential = issue(c, kaznu)
        first = list_of(c, credential, "revocation")
    long = settings.model_copy(update={"status_list_validity_seconds": 30 * 86_400})
    with TestClient(create_app(long, engine)) as c:
        served = list_of(c, credential, "revocation")
        again = list_of(c, credential, "revocation")
        assert verify(c, credential)["verdict"] == "valid"
    assert datetime.fromisoformat(first["validUntil"]) < datetime.now(UTC) + timedelta(hours=1)
    assert datetime.fromisoformat(served["validUntil"]) > datetime.now(UTC) + timedelta(days=29)
    assert served["proof"][0]["proofValue"] != first["proof"][0]["proofValue"]
    assert again == served  # re-signed once, then served as is
