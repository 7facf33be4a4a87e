"""EU trusted lists (ETSI TS 119 612) as the trust anchors of qualified e-seals (issue 13).

Real lists (tests/trust/eu_lists/SOURCES.md): the LOTL verifies with its pinned signers, the
Slovenian list with the certificates the LOTL authorises for SI, and the qualified e-seal CAs
it grants become anchors, under which the real Europass EDC seals of the corpus (Halcom CA PO
e-seal 2, Slovenia) are trusted. Every way a list can be wrong is refused as a whole: a changed
byte, a list signed by someone else, a list the LOTL does not point to, a stale list, a DTD.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from diploma_exchange.config import Settings
from diploma_exchange.errors import InvalidInput
from diploma_exchange.services.verification import seal_trust_anchors, seal_trust_list_name
from diploma_exchange.trust.eu_trusted_lists import (
    CA_QC,
    FOR_ESEALS,
    GRANTED,
    TrustedListError,
    fingerprint,
    import_trusted_lists,
    parse_anchor_header,
    read_trusted_list,
)
from formats.support import codes, verify

HERE = Path(__file__).resolve().parent / "eu_lists"
EDC = Path(__file__).resolve().parents[1] / "corpus" / "foreign" / "envelopes" / "europass-edc"
LOTL = (HERE / "eu-lotl.xml").read_bytes()
SI = (HERE / "TSL_SI.xml").read_bytes()
IS = (HERE / "TSL_IS.xml").read_bytes()
PINNED = x509.load_pem_x509_certificates((HERE / "lotl-signers.pem").read_bytes())
#: After every list's issue and before the LOTL's and SI's next update; Iceland's list was to
#: be replaced on 2026-09-02 and is stale by then.
AT = datetime(2026, 10, 1, tzinfo=UTC)


def _edc_issuer(data: bytes) -> str:
    issuer = json.loads(json.loads(data)["payload"])["issuer"]
    return issuer if isinstance(issuer, str) else issuer["id"]


def test_the_real_lotl_verifies_with_its_pinned_signers() -> None:
    lotl = read_trusted_list(LOTL, signers=PINNED, now=AT)
    assert lotl.is_lotl and lotl.territory == "EU" and lotl.sequence == 390
    assert fingerprint(lotl.signer) in {fingerprint(c) for c in PINNED}
    territories = {p.territory for p in lotl.pointers}
    assert {"SI", "IS", "DE", "FR", "NO"} <= territories
    assert all(p.signers for p in lotl.pointers)


def test_the_slovenian_list_grants_the_seal_ca_of_the_europass_samples() -> None:
    result = import_trusted_lists(LOTL, [SI], lotl_signers=PINNED, now=AT)
    assert [t.territory for t in result.lists] == ["SI"]
    subjects = {a.certificate.subject.rfc4514_string() for a in result.anchors}
    assert any("Halcom CA PO e-seal 2" in s for s in subjects)
    # only qualified CAs, currently granted, for e-seals; never a CA for signatures only
    seal_services = {
        fingerprint(c)
        for s in result.lists[0].services
        if s.service_type == CA_QC and s.status == GRANTED and FOR_ESEALS in s.qualifiers
        for c in s.certificates
    }
    assert {fingerprint(a.certificate) for a in result.anchors} == seal_services
    others = {
        fingerprint(c)
        for s in result.lists[0].services
        if not s.anchors_seals
        for c in s.certificates
    } - seal_services
    assert others, "the list also has services that must not become anchors"
    assert not others & {fingerprint(a.certificate) for a in result.anchors}
    assert result.next_update == datetime(2027, 1, 7, 11, 21, 12, tzinfo=UTC)


def test_a_stale_national_list_is_refused_whole() -> None:
    with pytest.raises(TrustedListError) as caught:
        import_trusted_lists(LOTL, [SI, IS], lotl_signers=PINNED, now=AT)
    assert caught.value.code == "trusted-list-stale"
    assert "IS" in caught.value.message


def test_a_stale_lotl_is_refused() -> None:
    with pytest.raises(TrustedListError) as caught:
        import_trusted_lists(LOTL, [SI], lotl_signers=PINNED, now=datetime(2027, 2, 1, tzinfo=UTC))
    assert caught.value.code == "trusted-list-stale"


def test_the_lotl_signed_by_an_unpinned_certificate_is_refused() -> None:
    si_signers = read_trusted_list(SI, signers=_si_signers(), now=AT).signer
    with pytest.raises(TrustedListError) as caught:
        read_trusted_list(LOTL, signers=[si_signers], now=AT)
    assert caught.value.code == "trusted-list-wrong-signer"


def _si_signers() -> list[x509.Certificate]:
    lotl = read_trusted_list(LOTL, signers=PINNED, now=AT)
    return [c for p in lotl.pointers if p.territory == "SI" for c in p.signers]


@pytest.mark.parametrize(
    ("name", "data", "old", "new"),
    [
        # a pointer's location changed: another list would be fetched for Slovenia
        (
            "lotl",
            LOTL,
            b"<SchemeTerritory>SI</SchemeTerritory>",
            b"<SchemeTerritory>SK</SchemeTerritory>",
        ),
        # a withdrawn service presented as granted
        ("si", SI, b"Svcstatus/withdrawn", b"Svcstatus/granted"),
        # a CA for signatures turned into a CA for seals
        ("si", SI, b"SvcInfoExt/ForeSignatures", b"SvcInfoExt/ForeSeals"),
    ],
)
def test_a_changed_byte_breaks_the_list(name: str, data: bytes, old: bytes, new: bytes) -> None:
    assert old in data
    changed = data.replace(old, new, 1)
    with pytest.raises(TrustedListError) as caught:
        if name == "lotl":
            read_trusted_list(changed, signers=PINNED, now=AT)
        else:
            import_trusted_lists(LOTL, [changed], lotl_signers=PINNED, now=AT)
    assert caught.value.code == "trusted-list-bad-signature"


def _fake_list(territory: str) -> bytes:
    """A well-formed XAdES-signed list by a key of our own, claiming ``territory``."""
    from lxml import etree
    from signxml.xades.xades import XAdESSigner

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"Not the {territory} operator")])
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(AT - timedelta(days=30))
        .not_valid_after(AT + timedelta(days=30))
        .sign(key, hashes.SHA256())
    )
    xml = (
        '<TrustServiceStatusList xmlns="http://uri.etsi.org/02231/v2#" Id="tsl">'
        "<SchemeInformation><TSLSequenceNumber>1</TSLSequenceNumber>"
        "<TSLType>http://uri.etsi.org/TrstSvc/TrustedList/TSLType/EUgeneric</TSLType>"
        f"<SchemeTerritory>{territory}</SchemeTerritory>"
        "<NextUpdate><dateTime>2026-12-31T00:00:00Z</dateTime></NextUpdate>"
        "</SchemeInformation></TrustServiceStatusList>"
    )
    signed = XAdESSigner(signature_algorithm="ecdsa-sha256").sign(
        etree.fromstring(xml),
        key=key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ),
        cert=cert.public_bytes(serialization.Encoding.PEM).decode(),
    )
    return etree.tostring(signed)


def test_a_list_of_a_territory_the_lotl_does_not_name_is_refused() -> None:
    with pytest.raises(TrustedListError) as caught:
        import_trusted_lists(LOTL, [_fake_list("KZ")], lotl_signers=PINNED, now=AT)
    assert caught.value.code == "trusted-list-not-in-lotl"


def test_a_list_claiming_slovenia_signed_by_someone_else_is_refused() -> None:
    with pytest.raises(TrustedListError) as caught:
        import_trusted_lists(LOTL, [_fake_list("SI")], lotl_signers=PINNED, now=AT)
    assert caught.value.code == "trusted-list-wrong-signer"


def test_a_national_list_cannot_stand_in_for_the_lotl() -> None:
    with pytest.raises(TrustedListError) as caught:
        import_trusted_lists(SI, [], lotl_signers=_si_signers(), now=AT)
    assert caught.value.code == "not-the-lotl"


def test_xml_with_a_dtd_is_refused_before_anything_else() -> None:
    bomb = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><TrustServiceStatusList/>'
    with pytest.raises(InvalidInput) as caught:
        read_trusted_list(bomb, signers=PINNED, now=AT)
    assert caught.value.code == "xml-dtd-refused"


def test_the_europass_seals_are_trusted_under_the_imported_anchors() -> None:
    anchors = [
        a.certificate for a in import_trusted_lists(LOTL, [SI], lotl_signers=PINNED, now=AT).anchors
    ]
    data = (EDC / "edc-dc-signed.jsonld").read_bytes()
    issuer = _edc_issuer(data)
    without = verify(data, trusted=[issuer])
    assert codes(without)["proof.key-binding"][0] == "error"
    assert without.verdict.value == "indeterminate"
    trusted = verify(
        data,
        trusted=[issuer],
        trusted_certificates=anchors,
        trust_list_name="the EU trusted lists",
    )
    assert codes(trusted)["proof.key-binding"] == ("passed", "trusted-certificate"), codes(trusted)
    assert trusted.verdict.value == "valid"
    # a changed credential under the same anchors is still invalid
    tampered = verify(
        (EDC / "edc-dc-signed.tampered.jsonld").read_bytes(),
        trusted=[issuer],
        trusted_certificates=anchors,
    )
    assert tampered.verdict.value == "invalid"


def test_the_anchors_file_names_its_lists_and_goes_stale(tmp_path: Path) -> None:
    result = import_trusted_lists(LOTL, [SI], lotl_signers=PINNED, now=AT)
    path = tmp_path / "anchors.pem"
    path.write_bytes(result.pem())
    header = parse_anchor_header(path.read_bytes())
    assert header.next_update == result.next_update
    assert header.name is not None and "LOTL #390" in header.name and "SI" in header.name
    settings = Settings(seal_trust_anchors_file=path)
    # the real lists in the fixture are stale after 2027-01-07: compare with the clock
    if datetime.now(UTC) <= result.next_update:
        assert len(seal_trust_anchors(settings)) == len(result.anchors)
        assert seal_trust_list_name(settings) == header.name
    stale = tmp_path / "stale.pem"
    stale.write_bytes(
        result.pem().replace(
            f"# next-update: {result.next_update.isoformat()}".encode(),
            b"# next-update: 2020-01-01T00:00:00+00:00",
        )
    )
    stale_settings = Settings(seal_trust_anchors_file=stale)
    assert seal_trust_anchors(stale_settings) == ()
    assert "stale since 2020-01-01" in seal_trust_list_name(stale_settings)
    # a hand-made PEM of CA certificates (no header) is used as it is
    plain = tmp_path / "plain.pem"
    plain.write_bytes(result.anchors[0].certificate.public_bytes(serialization.Encoding.PEM))
    assert len(seal_trust_anchors(Settings(seal_trust_anchors_file=plain))) == 1


def _cli_at(at: datetime, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """The CLI with its freshness clock at ``at`` (the fixture lists are real and age)."""
    code = (
        "import sys, datetime, diploma_exchange.cli_eu_trust as m; "
        f"m._now = lambda: datetime.datetime.fromisoformat({at.isoformat()!r}); "
        "from diploma_exchange.cli import main; main()"
    )
    full = {k: v for k, v in os.environ.items() if not k.startswith("DIPLOMA_EXCHANGE_")}
    full.update(env)
    return subprocess.run(
        [sys.executable, "-c", code, *args],
        capture_output=True,
        text=True,
        env=full,
        timeout=120,
        check=False,
    )


def test_cli_imports_the_lists_and_verify_trusts_the_seal(tmp_path: Path) -> None:
    target = tmp_path / "eu-anchors.pem"
    env = {"DIPLOMA_EXCHANGE_DATABASE_URL": f"sqlite:///{tmp_path / 'none.db'}"}
    args = ["trust", "import-eu-lists", str(HERE / "eu-lotl.xml"), str(HERE / "TSL_SI.xml")]
    done = _cli_at(
        AT, *args, "--lotl-signer", str(HERE / "lotl-signers.pem"), "--out", str(target), env=env
    )
    assert done.returncode == 0, done.stderr
    assert "Halcom CA PO e-seal 2" in done.stdout
    assert "DIPLOMA_EXCHANGE_SEAL_TRUST_ANCHORS_FILE" in done.stderr
    assert parse_anchor_header(target.read_bytes()).name is not None
    # a stale list writes nothing
    stale_target = tmp_path / "stale.pem"
    refused = _cli_at(
        AT,
        *args,
        str(HERE / "TSL_IS.xml"),
        "--lotl-signer",
        str(HERE / "lotl-signers.pem"),
        "--out",
        str(stale_target),
        env=env,
    )
    assert refused.returncode != 0 and "trusted-list-stale" in (refused.stdout + refused.stderr)
    assert not stale_target.exists()
    # the wrong pinned certificate writes nothing either
    wrong = tmp_path / "wrong.pem"
    wrong.write_bytes(_si_signers()[0].public_bytes(serialization.Encoding.PEM))
    refused = _cli_at(AT, *args, "--lotl-signer", str(wrong), "--out", str(stale_target), env=env)
    assert refused.returncode != 0 and "trusted-list-wrong-signer" in (
        refused.stdout + refused.stderr
    )
    # verify uses them (the header's expiry moved past today's clock: the lists themselves
    # are the fixture's; freshness is tested above)
    text = target.read_bytes().replace(
        parse_anchor_header(target.read_bytes()).next_update.isoformat().encode(),  # type: ignore[union-attr]
        b"2999-01-01T00:00:00+00:00",
    )
    target.write_bytes(text)
    data = EDC / "edc-dc-signed.jsonld"
    verified = subprocess.run(
        [
            sys.executable,
            "-m",
            "diploma_exchange",
            "verify",
            str(data),
            "--offline",
            "--json",
            "--trust-issuer",
            _edc_issuer(data.read_bytes()),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={
            **{k: v for k, v in os.environ.items() if not k.startswith("DIPLOMA_EXCHANGE_")},
            **env,
            "DIPLOMA_EXCHANGE_SEAL_TRUST_ANCHORS_FILE": str(target),
        },
    )
    report = json.loads(verified.stdout)
    binding = next(c for c in report["checks"] if c["name"] == "proof.key-binding")
    assert binding["status"] == "passed", binding
