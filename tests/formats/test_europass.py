"""Europass EDC seals: JAdES (JWS JSON, unencoded payload, x5c) and XAdES (XML, KeyInfo).

The seal proves the credential is intact and sealed by the certificate's holder; who that is,
an EU trust list says. Without one: indeterminate with the signer named (never invalid for an
intact seal); with the sealing CA as an anchor: trusted; a chain that does not end at an
anchor, a certificate not valid when sealing, a changed credential: each its own check."""

from __future__ import annotations

import base64
import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from joserfc import jws
from joserfc.jwk import ECKey

from diploma_exchange.formats.jose import registry
from formats.support import NOW, codes, verify

CORPUS = Path(__file__).resolve().parents[1] / "corpus" / "foreign" / "envelopes" / "europass-edc"
EDC_CONTEXT = "http://data.europa.eu/snb/model/context/edc-ap"


def _name(common: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common)])


def certificate(
    subject: str,
    key: ec.EllipticCurvePrivateKey,
    *,
    issuer: tuple[str, ec.EllipticCurvePrivateKey] | None = None,
    ca: bool = False,
    not_before: datetime = NOW - timedelta(days=365),
    not_after: datetime = NOW + timedelta(days=365),
) -> x509.Certificate:
    issuer_name, issuer_key = issuer or (subject, key)
    return (
        x509.CertificateBuilder()
        .subject_name(_name(subject))
        .issuer_name(_name(issuer_name))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .sign(issuer_key, hashes.SHA256())
    )


class Authority:
    """A sealing CA and an e-seal certificate it issued to a university."""

    def __init__(self, **leaf: Any) -> None:
        self.ca_key = ec.generate_private_key(ec.SECP256R1())
        self.ca = certificate("Test QTSP e-seal CA", self.ca_key, ca=True)
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.leaf = certificate(
            "University of Testing (e-seal)",
            self.key,
            issuer=("Test QTSP e-seal CA", self.ca_key),
            **leaf,
        )

    def pem(self, path: Path) -> Path:
        path.write_bytes(self.ca.public_bytes(serialization.Encoding.PEM))
        return path

    def seal(
        self, credential: dict[str, Any], *, signed_at: datetime = NOW - timedelta(days=1)
    ) -> bytes:
        chain = [
            base64.b64encode(c.public_bytes(serialization.Encoding.DER)).decode()
            for c in (self.leaf, self.ca)
        ]
        protected = {
            "alg": "ES256",
            "typ": "jose+json",
            "b64": False,
            "crit": ["b64", "sigT"],
            "sigT": signed_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "x5c": chain,
        }
        sealed = jws.serialize_json(
            {"protected": protected},
            json.dumps(credential).encode(),
            ECKey.import_key(self.key),
            registry=registry(),
        )
        return json.dumps(sealed).encode()


def edc(**extra: Any) -> dict[str, Any]:
    return {
        "@context": ["https://www.w3.org/2018/credentials/v1", EDC_CONTEXT],
        "id": "urn:credential:1",
        "type": ["VerifiableCredential", "EuropeanDigitalCredential"],
        "issuer": "urn:epass:org:university-of-testing",
        "issuanceDate": "2026-01-10T00:00:00Z",
        "credentialSubject": {"id": "urn:epass:person:1"},
        **extra,
    }


ISSUER = "urn:epass:org:university-of-testing"


def test_a_seal_without_a_trust_list_names_its_signer() -> None:
    report = verify(Authority().seal(edc()), trusted=[ISSUER])
    binding = next(c for c in report.checks if c.name.value == "proof.key-binding")
    assert codes(report)["proof.signature"] == ("passed", "verified")
    assert binding.code == "no-trust-list" and "University of Testing" in binding.message
    assert report.verdict.value == "indeterminate"


def test_a_seal_that_chains_to_a_trust_list_anchor() -> None:
    authority = Authority()
    report = verify(authority.seal(edc()), trusted=[ISSUER], trusted_certificates=[authority.ca])
    assert codes(report)["proof.key-binding"] == ("passed", "trusted-certificate")
    assert codes(report)["key.validity"] == ("passed", "certificate-valid-at-signing")
    assert report.verdict.value == "valid", codes(report)


def test_a_chain_to_another_authority() -> None:
    authority, other = Authority(), Authority()
    report = verify(authority.seal(edc()), trusted=[ISSUER], trusted_certificates=[other.ca])
    assert codes(report)["proof.key-binding"] == ("error", "untrusted-certificate-chain")
    assert report.verdict.value == "indeterminate"


def test_a_certificate_that_had_expired_when_it_sealed() -> None:
    authority = Authority(not_before=NOW - timedelta(days=400), not_after=NOW - timedelta(days=30))
    sealed = authority.seal(edc(), signed_at=NOW - timedelta(days=2))
    report = verify(sealed, trusted=[ISSUER], trusted_certificates=[authority.ca])
    assert codes(report)["proof.key-binding"] == ("failed", "certificate-not-valid-at-signing-time")
    assert report.verdict.value == "invalid"


def test_a_changed_credential_breaks_the_seal() -> None:
    sealed = json.loads(Authority().seal(edc()))
    sealed["payload"] = sealed["payload"].replace("urn:epass:person:1", "urn:epass:person:2")
    report = verify(json.dumps(sealed).encode(), trusted=[ISSUER])
    assert codes(report)["proof.signature"] == ("failed", "bad-signature")
    assert report.verdict.value == "invalid"


def test_a_real_seal_with_its_certificate_as_the_anchor() -> None:
    """A real JAdES-B-LTA seal (MyNextID EDC samples): with the sealing certificate imported
    as a trust anchor (as an EU trust list import would provide its CA), it is trusted."""
    data = (CORPUS / "edc-dc-signed.jsonld").read_bytes()
    header = json.loads(
        base64.urlsafe_b64decode(json.loads(data)["signatures"][0]["protected"] + "==")
    )
    leaf = x509.load_der_x509_certificate(base64.b64decode(header["x5c"][0]))
    issuer = json.loads(json.loads(data)["payload"])["issuer"]
    issuer_id = issuer if isinstance(issuer, str) else issuer["id"]
    report = verify(data, trusted=[issuer_id], trusted_certificates=[leaf])
    assert codes(report)["proof.key-binding"] == ("passed", "trusted-certificate")
    assert report.verdict.value == "valid", codes(report)


# --- XAdES ----------------------------------------------------------------------------------

XML = (
    b'<europassCredential xmlns="http://data.europa.eu/snb" id="urn:credential:xml-1">'
    b"<title>Master of Science</title><issuanceDate>2026-01-10T00:00:00Z</issuanceDate>"
    b"</europassCredential>"
)


def xades(authority: Authority, document: bytes = XML) -> bytes:
    from lxml import etree
    from signxml import methods
    from signxml.xades.xades import XAdESSigner

    key = authority.key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    cert = authority.leaf.public_bytes(serialization.Encoding.PEM)
    signer = XAdESSigner(
        method=methods.enveloped, signature_algorithm="ecdsa-sha256", digest_algorithm="sha256"
    )
    signed = signer.sign(etree.fromstring(document), key=key, cert=cert.decode())
    return bytes(etree.tostring(signed))


def test_a_xades_sealed_credential() -> None:
    authority = Authority()
    report = verify(xades(authority), trusted_certificates=[authority.ca])
    assert report.format is not None and report.format["securing"] == "xades"
    assert codes(report)["proof.signature"] == ("passed", "verified")
    assert codes(report)["proof.key-binding"] == ("passed", "trusted-certificate")
    # The XML content is not read as a credential: what it says is not checked.
    assert codes(report)["validity.period"] == ("skipped", "content-not-read")
    assert report.verdict.value == "indeterminate"


def test_a_changed_xades_credential() -> None:
    sealed = xades(Authority()).replace(b"Master of Science", b"Doctor of Science")
    report = verify(sealed)
    assert codes(report)["proof.signature"][0] == "failed"
    assert report.verdict.value == "invalid"


def test_xml_with_a_dtd_is_never_parsed() -> None:
    hostile = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e "e">]>' + xades(Authority())
    report = verify(hostile)
    assert report.verdict.value != "valid"
