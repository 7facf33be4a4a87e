"""Credentials from other W3C-conformant issuers, through ``verify_credential``.

- every supported cryptosuite (eddsa-jcs-2022, eddsa-rdfc-2022, ecdsa-rdfc-2019 and
  ecdsa-jcs-2019 on P-256 and P-384), issued by a did:key or a did:web (document read from a
  file) institution: verifies, and a flipped field fails ``proof.signature`` with
  ``signature-mismatch``;
- VC Data Model 1.1 credentials (issuanceDate / expirationDate);
- proof sets and chains (the W3C vectors, and an issuer proof plus an endorser's);
- unsupported cryptosuites are indeterminate (``error``), never a forgery;
- the 1EdTech Open Badges validator samples: ``-err-`` samples are rejected for the reason
  their name gives; the others' signatures verify.

The 1EdTech samples name verification methods such as
``https://example.com/issuers/876543#z6Mk...``: HTTPS controller documents that are not
available offline (and that the pipeline does not dereference). Their signatures are checked
directly with the key written in the URL fragment (the samples' convention); the pipeline
itself reports those proofs as ``error`` / ``unresolvable-key``.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from diploma_exchange.credentials.samples import sample_diploma_credential
from diploma_exchange.dids.did_key import DidKeyResolver, did_key_from_public_key
from diploma_exchange.dids.document import CompositeResolver, DidDocument, DidResolver
from diploma_exchange.errors import DidResolutionError, KeyLoadError
from diploma_exchange.proofs import data_integrity, suites
from diploma_exchange.proofs.keys import (
    EcdsaSigner,
    KeyType,
    PublicKey,
    Signer,
    generate_ec_private_key,
    generate_private_key,
    public_key_from_multikey,
    public_key_multibase,
)
from diploma_exchange.verification import StaticTrustPolicy, verify_credential
from diploma_exchange.verification.checks.dates import check_period as check_validity_period
from diploma_exchange.verification.report import Check, CheckName, Verdict, VerificationReport
from diploma_exchange.verification.state import issuer_id
from diploma_exchange.verification.vcdm import (
    openbadges_problems,
    received_credential_problems,
    vcdm_problems,
)
from vector_files import names, require

NOW = datetime(2025, 1, 1, tzinfo=UTC)
CREATED = datetime(2024, 6, 1, 12, 0, tzinfo=UTC)
SAMPLES = "openbadges/validator-samples"


class FileDidWebResolver:
    """did:web documents read from ``<directory>/<host>/did.json`` (no network)."""

    def __init__(self, directory: Path) -> None:
        self._directory = directory

    def resolve(self, did: str) -> DidDocument:
        host = did.removeprefix("did:web:").split(":")[0]
        path = self._directory / host / "did.json"
        if not path.is_file():
            raise DidResolutionError(f"no offline DID document for {did}", code="not-found")
        return DidDocument.from_json(json.loads(path.read_text("utf-8")))


def resolver(directory: Path | None = None) -> DidResolver:
    resolvers: dict[str, DidResolver] = {"key": DidKeyResolver()}
    if directory is not None:
        resolvers["web"] = FileDidWebResolver(directory)
    return CompositeResolver(resolvers)


def verify(credential: Mapping[str, Any], directory: Path | None = None) -> VerificationReport:
    issuer = issuer_id(credential)
    return verify_credential(
        credential,
        resolver=resolver(directory),
        trust=StaticTrustPolicy([issuer] if issuer else []),
        now=NOW,
        validate_schema=received_credential_problems,
    )


def check(report: VerificationReport, name: CheckName) -> Check:
    return next(c for c in report.checks if c.name is name)


def status(report: VerificationReport, name: CheckName) -> tuple[str, str]:
    found = check(report, name)
    return found.status.value, found.code


def load(path: str) -> Any:
    return json.loads(require(path).read_text("utf-8"))


# --- every suite, from a did:key and a did:web issuer ---------------------------------------

SUITE_KEYS = [
    ("eddsa-jcs-2022", KeyType.ED25519),
    ("eddsa-rdfc-2022", KeyType.ED25519),
    ("ecdsa-rdfc-2019", KeyType.P256),
    ("ecdsa-rdfc-2019", KeyType.P384),
    ("ecdsa-jcs-2019", KeyType.P256),
    ("ecdsa-jcs-2019", KeyType.P384),
]
SUITE_IDS = [f"{suite}-{kind}" for suite, kind in SUITE_KEYS]


def new_key(kind: KeyType) -> Any:
    return generate_private_key() if kind is KeyType.ED25519 else generate_ec_private_key(kind)


def signer_of(private_key: Any, method: str) -> Signer | EcdsaSigner:
    if isinstance(private_key, type(generate_private_key())):
        return Signer(private_key, method)
    return EcdsaSigner(private_key, method)


def alumni_credential(issuer: str) -> dict[str, Any]:
    document: dict[str, Any] = load("eddsa/unsigned.json")
    document["issuer"] = issuer
    return document


def did_key_credential(suite: str, kind: KeyType) -> tuple[dict[str, Any], Any]:
    private_key = new_key(kind)
    did = did_key_from_public_key(private_key.public_key())
    method = f"{did}#{did.removeprefix('did:key:')}"
    secured = suites.add_proof(
        alumni_credential(did), suite, signer_of(private_key, method), created=CREATED
    )
    return secured, private_key


def write_did_web(directory: Path, did: str, keys: Mapping[str, PublicKey]) -> None:
    methods = [
        {
            "id": f"{did}#{fragment}",
            "type": "Multikey",
            "controller": did,
            "publicKeyMultibase": public_key_multibase(key),
        }
        for fragment, key in keys.items()
    ]
    document = {
        "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"],
        "id": did,
        "verificationMethod": methods,
        "assertionMethod": [m["id"] for m in methods],
    }
    host = did.removeprefix("did:web:")
    (directory / host).mkdir(parents=True, exist_ok=True)
    (directory / host / "did.json").write_text(json.dumps(document), "utf-8")


@pytest.mark.parametrize(("suite", "kind"), SUITE_KEYS, ids=SUITE_IDS)
def test_did_key_issuer_verifies_and_tampering_fails(suite: str, kind: KeyType) -> None:
    secured, _ = did_key_credential(suite, kind)
    report = verify(secured)
    assert status(report, CheckName.FORMAT_SCHEMA) == ("passed", "conforms")
    assert status(report, CheckName.PROOF_SIGNATURE) == ("passed", "verified")
    assert suite in check(report, CheckName.PROOF_SIGNATURE).message
    assert status(report, CheckName.PROOF_KEY_BINDING) == ("passed", "bound")
    assert status(report, CheckName.VALIDITY_PERIOD) == ("passed", "within-period")
    assert status(report, CheckName.KEY_VALIDITY)[0] == "passed"

    tampered = copy.deepcopy(secured)
    tampered["credentialSubject"]["alumniOf"] = "The School of Forgeries"
    report = verify(tampered)
    assert status(report, CheckName.PROOF_SIGNATURE) == ("failed", "signature-mismatch")
    assert report.verdict is Verdict.INVALID


@pytest.mark.parametrize(("suite", "kind"), SUITE_KEYS, ids=SUITE_IDS)
def test_did_web_issuer_from_file(tmp_path: Path, suite: str, kind: KeyType) -> None:
    did = "did:web:university.example"
    private_key = new_key(kind)
    write_did_web(tmp_path, did, {"key-1": private_key.public_key()})
    signer = signer_of(private_key, f"{did}#key-1")
    secured = suites.add_proof(alumni_credential(did), suite, signer, created=CREATED)
    report = verify(secured, tmp_path)
    assert status(report, CheckName.PROOF_SIGNATURE) == ("passed", "verified")
    assert status(report, CheckName.PROOF_KEY_BINDING) == ("passed", "bound")
    tampered = {**secured, "validFrom": "2023-01-02T00:00:00Z"}
    assert status(verify(tampered, tmp_path), CheckName.PROOF_SIGNATURE) == (
        "failed",
        "signature-mismatch",
    )


def test_key_of_the_wrong_type_in_the_did_document(tmp_path: Path) -> None:
    did = "did:web:university.example"
    signing_key = generate_ec_private_key(KeyType.P256)
    # The document lists an Ed25519 key under the fragment the proof names.
    write_did_web(tmp_path, did, {"key-1": generate_private_key().public_key()})
    secured = suites.add_proof(
        alumni_credential(did),
        "ecdsa-rdfc-2019",
        EcdsaSigner(signing_key, f"{did}#key-1"),
        created=CREATED,
    )
    report = verify(secured, tmp_path)
    assert status(report, CheckName.PROOF_SIGNATURE) == ("failed", "key-type-mismatch")


# --- the W3C signed vectors --------------------------------------------------------------

W3C_SIGNED = [
    "eddsa/eddsa-jcs-2022/signedJCS.json",
    "eddsa/eddsa-rdfc-2022/signedDataInt.json",
    "ecdsa/ecdsa-rdfc-2019-p256/signedECDSAP256.json",
    "ecdsa/ecdsa-rdfc-2019-p384/signedECDSAP384.json",
    "ecdsa/ecdsa-jcs-2019-p256/signedJCSECDSAP256.json",
    "ecdsa/ecdsa-jcs-2019-p384/signedJCSECDSAP384.json",
    *(f"eddsa/proof-set-chain/{name}" for name in names("eddsa/proof-set-chain", "signed*")),
]


@pytest.mark.parametrize("path", W3C_SIGNED)
def test_w3c_vectors_through_the_pipeline(path: str) -> None:
    report = verify(load(path))
    assert status(report, CheckName.PROOF_SIGNATURE) == ("passed", "verified")
    # The vectors' issuer is https://vc.example/issuers/5678, not the did:key that signed.
    assert status(report, CheckName.PROOF_KEY_BINDING) == (
        "failed",
        "key-not-controlled-by-issuer",
    )
    assert status(report, CheckName.FORMAT_SCHEMA) == ("passed", "conforms")


@pytest.mark.parametrize("path", W3C_SIGNED)
def test_w3c_vectors_tampered(path: str) -> None:
    tampered = load(path)
    tampered["credentialSubject"]["alumniOf"] = "Another School"
    report = verify(tampered)
    assert status(report, CheckName.PROOF_SIGNATURE) == ("failed", "signature-mismatch")


# --- proof sets in the pipeline ------------------------------------------------------------


def test_issuer_proof_plus_an_endorsement_proof() -> None:
    secured, _ = did_key_credential("eddsa-rdfc-2022", KeyType.ED25519)
    endorser = generate_ec_private_key(KeyType.P384)
    endorser_did = did_key_from_public_key(endorser.public_key())
    secured = suites.add_proof(
        secured,
        "ecdsa-jcs-2019",
        EcdsaSigner(endorser, f"{endorser_did}#{endorser_did.removeprefix('did:key:')}"),
        created=CREATED,
    )
    report = verify(secured)
    sig = check(report, CheckName.PROOF_SIGNATURE)
    assert (sig.status.value, sig.code) == ("passed", "verified")
    assert [p["status"] for p in sig.details["proofs"]] == ["passed", "passed"]
    # At least one proof by the issuer's assertion key: bound.
    assert status(report, CheckName.PROOF_KEY_BINDING) == ("passed", "bound")
    # Every proof must verify: break the endorser's.
    secured["proof"][1]["created"] = "2024-06-01T12:00:01Z"
    report = verify(secured)
    sig = check(report, CheckName.PROOF_SIGNATURE)
    assert (sig.status.value, sig.code) == ("failed", "signature-mismatch")
    assert sig.message.startswith("proof 2 of 2:")


def test_a_proof_set_without_an_issuer_proof_is_not_bound() -> None:
    document = alumni_credential(did_key_from_public_key(generate_private_key().public_key()))
    stranger = generate_private_key()
    stranger_did = did_key_from_public_key(stranger.public_key())
    method = f"{stranger_did}#{stranger_did.removeprefix('did:key:')}"
    secured = suites.add_proof(
        document, "eddsa-rdfc-2022", Signer(stranger, method), created=CREATED
    )
    secured = suites.add_proof(secured, "eddsa-jcs-2022", Signer(stranger, method), created=CREATED)
    report = verify(secured)
    assert status(report, CheckName.PROOF_SIGNATURE) == ("passed", "verified")
    assert status(report, CheckName.PROOF_KEY_BINDING) == ("failed", "key-not-controlled-by-issuer")


def test_unsupported_cryptosuite_is_indeterminate() -> None:
    secured, _ = did_key_credential("eddsa-rdfc-2022", KeyType.ED25519)
    secured["proof"]["cryptosuite"] = "bbs-2023"
    report = verify(secured)
    assert status(report, CheckName.PROOF_SIGNATURE) == ("error", "unsupported-cryptosuite")
    assert status(report, CheckName.PROOF_KEY_BINDING)[0] == "error"
    assert report.verdict is Verdict.INDETERMINATE


def test_an_unsupported_proof_next_to_a_valid_one_is_indeterminate() -> None:
    secured, _ = did_key_credential("ecdsa-rdfc-2019", KeyType.P256)
    secured["proof"] = [
        {"type": "SomeProofType", "proofPurpose": "assertionMethod"},
        secured["proof"],
    ]
    report = verify(secured)
    sig = check(report, CheckName.PROOF_SIGNATURE)
    assert (sig.status.value, sig.code) == ("error", "unsupported-cryptosuite")
    assert [p["code"] for p in sig.details["proofs"]] == ["unsupported-cryptosuite", "verified"]
    assert status(report, CheckName.PROOF_KEY_BINDING) == ("passed", "bound")
    assert report.verdict is not Verdict.VALID


def test_unknown_context_is_indeterminate_and_never_fetched() -> None:
    secured, _ = did_key_credential("eddsa-rdfc-2022", KeyType.ED25519)
    secured["@context"] = [*secured["@context"], "https://example.org/unbundled/v1"]
    report = verify(secured)
    assert status(report, CheckName.PROOF_SIGNATURE) == ("error", "unknown-context")


def test_bare_did_key_verification_method() -> None:
    """A did:key without a fragment names the DID's only key (as 1EdTech samples do)."""
    private_key = generate_private_key()
    did = did_key_from_public_key(private_key.public_key())
    secured = suites.add_proof(
        alumni_credential(did), "eddsa-rdfc-2022", Signer(private_key, did), created=CREATED
    )
    report = verify(secured)
    assert status(report, CheckName.PROOF_SIGNATURE) == ("passed", "verified")
    assert status(report, CheckName.PROOF_KEY_BINDING) == ("passed", "bound")


@pytest.mark.parametrize(
    ("method", "expected"),
    [
        ("https://issuer.example/keys#z6Mkabc", ("error", "unresolvable-key")),
        ("z6MkrvfzkMnvCroEUP2DVc9SHPE48CRsvHiVSusHioxTYu1x", ("failed", "malformed-proof")),
        ("xxx:z6Mk", ("failed", "malformed-proof")),
        ("did:example:123#key", ("error", "unresolvable-key")),
    ],
)
def test_verification_methods_this_verifier_cannot_use(
    method: str, expected: tuple[str, str]
) -> None:
    secured, _ = did_key_credential("eddsa-rdfc-2022", KeyType.ED25519)
    secured["proof"]["verificationMethod"] = method
    assert status(verify(secured), CheckName.PROOF_SIGNATURE) == expected


# --- VC Data Model 1.1 ---------------------------------------------------------------------

VC11_CONTEXT = [
    "https://www.w3.org/2018/credentials/v1",
    "https://w3id.org/security/data-integrity/v2",
    "https://www.w3.org/ns/credentials/examples/v2",
]


def vc11_credential(issuer: str, **dates: str) -> dict[str, Any]:
    return {
        "@context": VC11_CONTEXT,
        "id": "urn:uuid:5f4b7ab0-3c4e-4b8a-9a8f-111111111111",
        "type": ["VerifiableCredential", "AlumniCredential"],
        "issuer": issuer,
        "issuanceDate": dates.get("issuanceDate", "2020-01-01T00:00:00Z"),
        **({"expirationDate": dates["expirationDate"]} if "expirationDate" in dates else {}),
        "credentialSubject": {"id": "did:example:abcdefgh", "alumniOf": "The School of Examples"},
    }


@pytest.mark.parametrize(("suite", "kind"), SUITE_KEYS, ids=SUITE_IDS)
def test_vc_1_1_credentials_verify(suite: str, kind: KeyType) -> None:
    private_key = new_key(kind)
    did = did_key_from_public_key(private_key.public_key())
    signer = signer_of(private_key, f"{did}#{did.removeprefix('did:key:')}")
    secured = suites.add_proof(
        vc11_credential(did, expirationDate="2030-01-01T00:00:00Z"), suite, signer, created=CREATED
    )
    report = verify(secured)
    assert status(report, CheckName.FORMAT_SCHEMA) == ("passed", "conforms")
    assert status(report, CheckName.PROOF_SIGNATURE) == ("passed", "verified")
    assert status(report, CheckName.PROOF_KEY_BINDING) == ("passed", "bound")
    assert status(report, CheckName.VALIDITY_PERIOD) == ("passed", "within-period")
    secured["issuanceDate"] = "2019-01-01T00:00:00Z"
    assert status(verify(secured), CheckName.PROOF_SIGNATURE) == ("failed", "signature-mismatch")


@pytest.mark.parametrize(
    ("dates", "expected"),
    [
        ({"issuanceDate": "2020-01-01T00:00:00Z"}, ("passed", "within-period")),
        ({"issuanceDate": "2040-01-01T00:00:00Z"}, ("failed", "not-yet-valid")),
        (
            {"issuanceDate": "2020-01-01T00:00:00Z", "expirationDate": "2021-01-01T00:00:00Z"},
            ("failed", "expired"),
        ),
        (
            {"issuanceDate": "2022-01-01T00:00:00Z", "expirationDate": "2021-01-01T00:00:00Z"},
            ("failed", "inverted-period"),
        ),
        ({"issuanceDate": "2020-01-01"}, ("failed", "malformed-date")),
    ],
)
def test_vc_1_1_validity_period(dates: dict[str, str], expected: tuple[str, str]) -> None:
    result = check_validity_period(vc11_credential("did:example:issuer", **dates), NOW)
    assert (result.status.value, result.code) == expected
    if result.code == "not-yet-valid":
        assert "issued" in result.message


def test_vc_2_0_ignores_1_1_dates() -> None:
    credential = alumni_credential("did:example:issuer")
    credential["expirationDate"] = "2000-01-01T00:00:00Z"  # not a VC 2.0 property
    assert check_validity_period(credential, NOW).code == "within-period"


# --- VC Data Model structure ----------------------------------------------------------------


def test_vcdm_accepts_the_vectors_and_our_diplomas() -> None:
    assert vcdm_problems(load("eddsa/eddsa-rdfc-2022/signedDataInt.json")) == []
    for name in names("openbadges/spec-examples", "*.json"):
        assert received_credential_problems(load(f"openbadges/spec-examples/{name}")) == [], name
    for i in range(3):  # so that the lead can make it part of the default policy
        assert received_credential_problems(sample_diploma_credential(i)) == []


@pytest.mark.parametrize(
    ("change", "pointer"),
    [
        ({"@context": ["https://www.w3.org/ns/credentials/examples/v2"]}, "/@context/0"),
        ({"type": ["AlumniCredential"]}, "/type"),
        ({"issuer": {"name": "No id"}}, "/issuer/id"),
        ({"issuer": "not a url"}, "/issuer"),
        ({"credentialSubject": []}, "/credentialSubject"),
        ({"id": "no scheme"}, "/id"),
        ({"validFrom": "2020-01-01"}, "/validFrom"),
        ({"credentialStatus": {"id": "https://x.example/1"}}, "/credentialStatus/type"),
        ({"credentialSchema": [{"type": "JsonSchema"}]}, "/credentialSchema/0/id"),
        ({"proof": [5]}, "/proof/0"),
    ],
)
def test_vcdm_problems(change: dict[str, Any], pointer: str) -> None:
    credential = {**load("eddsa/unsigned.json"), **change}
    problems = vcdm_problems(credential)
    assert pointer in [p.pointer for p in problems], problems
    assert vcdm_problems("not an object") != []  # type: ignore[arg-type]


def test_openbadges_problems_only_for_open_badges() -> None:
    assert openbadges_problems(load("eddsa/unsigned.json")) == []
    assert openbadges_problems(load(f"{SAMPLES}/simple.json")) == []


# --- the 1EdTech Open Badges validator samples -------------------------------------------

#: Why each "-err-" sample must be rejected: (check, accepted statuses, code or None).
ERR_EXPECTATIONS: dict[str, tuple[CheckName, frozenset[str], str | None]] = {
    "simple-err-context.json": (CheckName.FORMAT_SCHEMA, frozenset({"failed"}), None),
    "simple-err-type.json": (CheckName.FORMAT_SCHEMA, frozenset({"failed"}), None),
    "simple-err-issuer.json": (CheckName.FORMAT_SCHEMA, frozenset({"failed"}), None),
    # Their proofs cannot be checked here (HTTPS verification methods), so nothing else in them
    # is known to be signed: the dates are not read (their own reason is tested below on a
    # verified credential, see test_dates_of_a_verified_1edtech_sample).
    "simple-err-expired.json": (
        CheckName.VALIDITY_PERIOD,
        frozenset({"skipped"}),
        "proof-not-verified",
    ),
    "simple-err-issued.json": (
        CheckName.VALIDITY_PERIOD,
        frozenset({"skipped"}),
        "proof-not-verified",
    ),
    "simple-err-proof-method-no-scheme.json": (
        CheckName.PROOF_SIGNATURE,
        frozenset({"failed"}),
        "malformed-proof",
    ),
    "simple-err-proof-method-unknown-scheme.json": (
        CheckName.PROOF_SIGNATURE,
        frozenset({"failed"}),
        "malformed-proof",
    ),
    "simple-err-proof-method-unknown-did-method.json": (
        CheckName.PROOF_SIGNATURE,
        frozenset({"error"}),
        "unresolvable-key",
    ),
    # HTTPS verification methods are not dereferenced: the pipeline cannot check these
    # proofs (error); the signature itself is checked in test_sample_signatures.
    "simple-err-proof-method.json": (CheckName.PROOF_SIGNATURE, frozenset({"error"}), None),
    "simple-err-proof-value.json": (CheckName.PROOF_SIGNATURE, frozenset({"error"}), None),
    # Its proof cannot be checked here, so its status entries are not read.
    "endorsement-err-schema-status-refresh.json": (
        CheckName.STATUS_REVOCATION,
        frozenset({"skipped"}),
        "proof-not-verified",
    ),
}


def expectation_for(name: str) -> tuple[CheckName, frozenset[str], str | None]:
    if name in ERR_EXPECTATIONS:
        return ERR_EXPECTATIONS[name]
    # -err-...-type samples: an Open Badges class with the wrong type.
    assert name.endswith("-type.json"), f"no expectation for {name}"
    return CheckName.FORMAT_SCHEMA, frozenset({"failed"}), "schema-violation"


@pytest.mark.parametrize(
    "name", [n for n in names(SAMPLES, "*.json") if "-err-" in n or n == "<missing>"]
)
def test_err_samples_are_rejected_for_their_reason(name: str) -> None:
    sample = load(f"{SAMPLES}/{name}")
    report = verify(sample)
    check_name, statuses, code = expectation_for(name)
    found = check(report, check_name)
    assert found.status.value in statuses, (name, found)
    if code is not None:
        assert found.code == code, (name, found)
    assert report.verdict is not Verdict.VALID


def fragment_key(method: str) -> PublicKey:
    """The samples' convention: the Multikey is the fragment, or the last ``:`` segment."""
    tail = method.rsplit("#", 1)[1] if "#" in method else method.rsplit(":", 1)[-1]
    return public_key_from_multikey(tail)


SIGNED_SAMPLES = [
    *names(SAMPLES, "*.json"),
    *(f"bit-string-list/{n}" for n in names(f"{SAMPLES}/bit-string-list", "*.json")),
    *(f"sd/{n}" for n in names(f"{SAMPLES}/sd", "*.json")),
]
#: Samples whose proof must not verify with the key their verification method names.
BAD_SIGNATURES = {
    "simple-err-proof-value.json": "signature-mismatch",
    # Re-typed (or re-keyed) after signing: either a dropped, undefined term ...
    "simple-err-context.json": "undefined-term",
    "simple-err-credential-subject-achievement-result-description-type.json": "undefined-term",
    "simple-err-credential-subject-identifier-type.json": "undefined-term",
    "simple-err-credential-subject-result-type.json": "undefined-term",
    "simple-err-credential-subject-type.json": "undefined-term",
    "simple-err-evidence-type.json": "undefined-term",
    "simple-err-issuer-otheridentifier-type.json": "undefined-term",
    # ... or a signature that does not match.
    "simple-err-credential-subject-profile-type.json": "signature-mismatch",
    "simple-err-issuer-parentorg-type.json": "signature-mismatch",
    "simple-err-issuer-type.json": "signature-mismatch",
    "simple-err-type.json": "signature-mismatch",
    "simple-err-proof-method-no-scheme.json": "signature-mismatch",
    "simple-err-proof-method-unknown-did-method.json": "signature-mismatch",
    "simple-err-proof-method-unknown-scheme.json": "signature-mismatch",
    # An Ed25519Signature2020 sample whose content was changed for its error scenario (the
    # 1EdTech validator expects it invalid); the other Ed25519Signature2020 samples verify.
    "endorsement-err-schema-status-refresh.json": "signature-mismatch",
}


@pytest.mark.parametrize("name", SIGNED_SAMPLES)
def test_sample_signatures(name: str) -> None:
    sample = load(f"{SAMPLES}/{name}")
    proofs = [p for p in data_integrity.all_proofs(sample) if suites.suite_for(p) is not None]
    if not proofs:
        kinds = [(p.get("type"), p.get("cryptosuite")) for p in data_integrity.all_proofs(sample)]
        pytest.skip(f"no proof in a supported cryptosuite: {kinds or 'unsigned'}")
    for proof in proofs:
        try:
            key = fragment_key(proof["verificationMethod"])
        except KeyLoadError:
            # The fragment is not a key (and the HTTPS controller document is not stored).
            assert name in ("simple-err-proof-method.json", "complete_v1.json")
            continue
        result = suites.verify_proof(sample, proof, key)
        if result.code == "unknown-context":
            assert "extensions.json" in result.message
            pytest.skip(
                "needs https://purl.imsglobal.org/spec/ob/v3p0/extensions.json (not available offline)"
            )
        expected = BAD_SIGNATURES.get(name, "verified")
        assert result.code == expected, (name, result)


def test_sample_proofs_never_pass_the_pipeline_unverified() -> None:
    """No sample gets proof.signature "passed" here: HTTPS verification methods are
    indeterminate, not silently trusted. The one bare did:key sample verifies (its
    extensions.json context is bundled) but names an issuer (a urn:uuid) that does not
    control the key, so it is invalid."""
    for name in names(SAMPLES, "*.json"):
        report = verify(load(f"{SAMPLES}/{name}"))
        if name == "simple-did-key-method.json":
            assert status(report, CheckName.PROOF_SIGNATURE) == ("passed", "verified")
            assert status(report, CheckName.PROOF_KEY_BINDING) == (
                "failed",
                "key-not-controlled-by-issuer",
            )
            assert report.verdict.value == "invalid"
            continue
        assert check(report, CheckName.PROOF_SIGNATURE).status.value != "passed", name


def test_every_proof_of_a_set_gets_key_validity_and_foreign_credentials_get_the_vcdm_schema() -> (
    None
):
    secured, _ = did_key_credential("eddsa-rdfc-2022", KeyType.ED25519)
    endorser = generate_ec_private_key(KeyType.P256)
    endorser_did = did_key_from_public_key(endorser.public_key())
    endorser_signer = EcdsaSigner(
        endorser, f"{endorser_did}#{endorser_did.removeprefix('did:key:')}"
    )
    endorsed = suites.add_proof(secured, "ecdsa-jcs-2019", endorser_signer, created=CREATED)
    issuer = issuer_id(endorsed)
    assert issuer is not None
    # the default schema check: not a DiplomaCredential, so the VC-DM / OB structure applies
    report = verify_credential(
        endorsed, resolver=resolver(), trust=StaticTrustPolicy([issuer]), now=NOW
    )
    assert status(report, CheckName.FORMAT_SCHEMA) == ("passed", "conforms")
    assert "VC Data Model" in check(report, CheckName.FORMAT_SCHEMA).message
    assert status(report, CheckName.KEY_VALIDITY) == ("passed", "no-key-history")
    # an endorsement claiming a time after the verification: key.validity fails for it
    late = suites.add_proof(
        secured, "ecdsa-jcs-2019", endorser_signer, created=datetime(2099, 1, 1, tzinfo=UTC)
    )
    report = verify_credential(
        late, resolver=resolver(), trust=StaticTrustPolicy([issuer]), now=NOW
    )
    assert status(report, CheckName.KEY_VALIDITY) == ("failed", "created-in-future")


@pytest.mark.parametrize(
    ("name", "code"),
    [("simple-err-expired.json", "expired"), ("simple-err-issued.json", "not-yet-valid")],
)
def test_dates_of_a_verified_1edtech_sample(name: str, code: str) -> None:
    """The date samples' own reason, as validity.period reads a secured credential."""
    assert check_validity_period(load(f"{SAMPLES}/{name}"), NOW).code == code
