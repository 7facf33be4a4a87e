"""Issue 12's property: for any credential and any policy, the verdict is ``valid`` only if every
mandatory check of that policy passed (or was waived by someone accountable) **on the secured
document** - and then the secured document is exactly what the issuer issued.

Hypothesis draws a policy (default, authenticity, or any set of check names) and one to three
mutations of a diploma issued by the real service: a value changed, added or removed anywhere
(document or proof), contexts appended (harmless, meaning-changing, unknown, VC 1.1), proofs
added, copied or dropped, ``created`` removed or re-dated, the issuer rewritten as a string.
Each mutant goes through the service's verifier. Whenever the verdict is ``valid``:

1. every check the policy requires is ``passed`` (or ``skipped`` and waived);
2. no considered check failed or errored;
3. the mutant's secured digest (the issuer proof's view of it) is the issued one: what the
   verifier vouched for is byte for byte (in RFC 8785 form) what was issued.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, event, given, note, settings
from hypothesis import strategies as st
from sqlalchemy.engine import Engine
from sqlmodel import Session

from conftest import Tenant
from diploma_exchange.config import Settings
from diploma_exchange.proofs.secured import secured_digest
from diploma_exchange.services import verification
from diploma_exchange.verification.report import (
    AUTHENTICITY_POLICY,
    DEFAULT_POLICY,
    CheckName,
    CheckStatus,
    Verdict,
    VerificationPolicy,
    VerificationReport,
    policy_from_checks,
)
from helpers import diploma_payload

PROPERTY_SETTINGS = settings(
    max_examples=150,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        # one issued diploma for every example: the verifier never writes
        HealthCheck.function_scoped_fixture,
    ],
)
sqlite_only = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)

CONTEXTS = [
    "https://www.w3.org/2018/credentials/v1",
    "https://w3id.org/security/data-integrity/v2",
    "https://example.invalid/unknown",
    {"@vocab": "https://evil.example/#"},
    {"name": {"@id": "https://evil.example/name"}},
    {"harmless": "https://example.org/harmless"},
]
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 5) | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=2) | st.dictionaries(st.text(max_size=4), inner, max_size=2)
    ),
    max_leaves=4,
)


@dataclass
class Issued:
    document: dict[str, Any]
    digest: str
    verify: Callable[[dict[str, Any], VerificationPolicy], VerificationReport]


@pytest.fixture
def issued(
    client: TestClient, kaznu: Tenant, engine: Engine, settings: Settings
) -> Iterator[Issued]:
    response = client.post("/v1/diplomas", json=diploma_payload(0), headers=kaznu.headers)
    assert response.status_code == 201, response.text
    document: dict[str, Any] = response.json()["verifiableCredential"]
    with Session(engine, expire_on_commit=False) as session:

        def verify(credential: dict[str, Any], policy: VerificationPolicy) -> VerificationReport:
            return verification.verify(session, settings, credential, policy=policy)

        assert verify(document, DEFAULT_POLICY).verdict is Verdict.VALID
        yield Issued(document, secured_digest(document), verify)


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out: list[tuple[Any, ...]] = []
    if isinstance(node, dict | list):
        items: Any = node.items() if isinstance(node, dict) else enumerate(node)
        for key, child in items:
            out.append((*prefix, key))
            out.extend(_paths(child, (*prefix, key)))
    return out


def _parent(doc: Any, path: tuple[Any, ...]) -> Any:
    for part in path[:-1]:
        doc = doc[part]
    return doc


@st.composite
def mutation(draw: st.DrawFn, document: dict[str, Any]) -> Callable[[dict[str, Any]], None]:
    kind = draw(
        st.sampled_from(
            [
                "set",
                "delete",
                "add",
                "context",
                "proof-copy",
                "proof-drop-created",
                "issuer",
                "proof-as-set",
                "reorder",
            ]
        )
    )
    if kind in ("set", "delete"):
        path = draw(st.sampled_from(_paths(document)))
        value = draw(JSON_VALUES)

        def change(doc: dict[str, Any]) -> None:
            try:
                parent = _parent(doc, path)
                if kind == "delete":
                    del parent[path[-1]]
                else:
                    parent[path[-1]] = value
            except (KeyError, IndexError, TypeError):
                pass

        return change
    if kind == "add":
        key, value = draw(st.text(min_size=1, max_size=6)), draw(JSON_VALUES)
        return lambda doc: doc.__setitem__(key, value)
    if kind == "context":
        extra = draw(st.lists(st.sampled_from(CONTEXTS), min_size=1, max_size=2))
        return lambda doc: doc.__setitem__("@context", [*doc["@context"], *extra])
    if kind == "proof-copy":
        field = draw(st.sampled_from(["created", "cryptosuite", "proofPurpose", "id"]))
        value = draw(st.sampled_from(["2020-01-01T00:00:00Z", "eddsa-rdfc-2022", "x", None]))

        def add_proof(doc: dict[str, Any]) -> None:
            proof = doc.get("proof")
            if isinstance(proof, dict):
                other = {**proof, field: value}
                doc["proof"] = [proof, other]

        return add_proof
    if kind == "proof-as-set":  # one proof as a set of one: the same proof
        return lambda doc: (
            doc.__setitem__("proof", [doc["proof"]]) if isinstance(doc.get("proof"), dict) else None
        )
    if kind == "reorder":  # member order is not data

        def reorder(doc: dict[str, Any]) -> None:
            items = list(doc.items())
            doc.clear()
            doc.update(reversed(items))

        return reorder
    if kind == "proof-drop-created":
        return lambda doc: (
            doc["proof"].pop("created", None) if isinstance(doc.get("proof"), dict) else None
        )

    def issuer_as_string(doc: dict[str, Any]) -> None:
        issuer = doc.get("issuer")
        if isinstance(issuer, dict):
            doc["issuer"] = issuer.get("id")

    return issuer_as_string


POLICIES = st.one_of(
    st.just(DEFAULT_POLICY),
    st.just(AUTHENTICITY_POLICY),
    st.sets(st.sampled_from([c.value for c in CheckName])).map(policy_from_checks),
)


@sqlite_only
@PROPERTY_SETTINGS
@given(data=st.data())
def test_valid_only_when_every_mandatory_check_passed_on_the_issued_data(
    issued: Issued, data: st.DataObject
) -> None:
    policy = data.draw(POLICIES, label="policy")
    mutant = copy.deepcopy(issued.document)
    for _ in range(data.draw(st.integers(1, 3), label="mutations")):
        data.draw(mutation(mutant), label="mutation")(mutant)
    report = issued.verify(mutant, policy)
    note(str(report.to_json()))
    event(f"verdict: {report.verdict.value}")
    if report.verdict is not Verdict.VALID:
        return
    statuses = {c.name: c for c in report.checks}
    for name in policy.required:
        check = statuses.get(name)
        assert check is not None, name
        assert check.status is CheckStatus.PASSED or (
            check.status is CheckStatus.SKIPPED and check.waived
        ), check
    for check in report.checks:
        if check.name in policy.considered:
            assert check.status not in (CheckStatus.FAILED, CheckStatus.ERROR), check
    proofs = mutant["proof"] if isinstance(mutant["proof"], list) else [mutant["proof"]]
    digests = {secured_digest(mutant, p) for p in proofs if isinstance(p, dict)}
    assert issued.digest in digests, "valid, but the secured data is not what was issued"
