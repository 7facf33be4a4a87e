"""Format detection: the content decides (never a file name), for every format the verifier
knows; a malformed input is ``unknown`` with the reason, a bomb is refused."""

from __future__ import annotations

import base64
import json
import struct
import zlib
from pathlib import Path

import pytest

from diploma_exchange.errors import LimitExceeded
from diploma_exchange.formats import FormatName, detect
from diploma_exchange.formats.inputs import PNG_MAGIC

CORPUS = Path(__file__).resolve().parents[1] / "corpus" / "foreign" / "envelopes"


def b64(value: object) -> str:
    raw = json.dumps(value).encode() if not isinstance(value, bytes) else value
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def jwt(header: dict[str, object], payload: dict[str, object], *extra: str) -> bytes:
    return "~".join([f"{b64(header)}.{b64(payload)}.c2ln", *extra]).encode()


def chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def baked_png(keyword: bytes, text: bytes) -> bytes:
    header = chunk(b"IHDR", struct.pack(">II", 1, 1) + bytes([8, 0, 0, 0, 0]))
    itxt = chunk(b"iTXt", keyword + b"\x00\x00\x00\x00\x00" + text)
    return PNG_MAGIC + header + itxt + chunk(b"IEND", b"")


V2 = "https://www.w3.org/ns/credentials/v2"
V1 = "https://www.w3.org/2018/credentials/v1"
OB3 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
VC2 = {"@context": [V2], "type": ["VerifiableCredential"], "issuer": "did:example:i"}
VC1 = {"@context": [V1], "type": ["VerifiableCredential"], "issuer": "did:example:i"}
OB3_VC = {"@context": [V2, OB3], "type": ["VerifiableCredential", "OpenBadgeCredential"]}

CASES: list[tuple[str, bytes, FormatName, str | None, str | None]] = [
    (
        "data-integrity",
        json.dumps({**VC2, "proof": {}}).encode(),
        FormatName.VC_DATA_INTEGRITY,
        "2.0",
        "data-integrity",
    ),
    ("vc-1.1-unsigned", json.dumps(VC1).encode(), FormatName.VC_DATA_INTEGRITY, "1.1", None),
    (
        "presentation",
        json.dumps({"@context": [V2], "type": "VerifiablePresentation"}).encode(),
        FormatName.VP_DATA_INTEGRITY,
        "2.0",
        None,
    ),
    (
        "ob3-embedded",
        json.dumps({**OB3_VC, "proof": {}}).encode(),
        FormatName.OPEN_BADGES_3,
        "3.0",
        "data-integrity",
    ),
    (
        "ob2-hosted",
        json.dumps(
            {
                "@context": "https://w3id.org/openbadges/v2",
                "type": "Assertion",
                "verification": {"type": "hosted"},
            }
        ).encode(),
        FormatName.OPEN_BADGES_2,
        "2.0",
        "hosted",
    ),
    (
        "vc-jwt",
        jwt({"alg": "ES256"}, {"iss": "did:example:i", "vc": VC1}),
        FormatName.VC_JWT,
        "1.1",
        "vc-jwt",
    ),
    (
        "vp-jwt",
        jwt({"alg": "ES256"}, {"vp": {"@context": [V1]}}),
        FormatName.VP_JWT,
        "1.1",
        "vc-jwt",
    ),
    ("ob3-jwt", jwt({"alg": "ES256"}, {"vc": OB3_VC}), FormatName.OPEN_BADGES_3, "3.0", "vc-jwt"),
    ("vc+jwt", jwt({"alg": "ES256", "typ": "vc+jwt"}, VC2), FormatName.VC_JOSE, "2.0", "jws"),
    (
        "vp+jwt",
        jwt({"alg": "ES256", "typ": "vp+jwt"}, {"@context": [V2]}),
        FormatName.VP_JOSE,
        "2.0",
        "jws",
    ),
    (
        "vc+sd-jwt",
        jwt({"alg": "ES256", "typ": "vc+sd-jwt"}, VC2, ""),
        FormatName.VC_SD_JWT,
        "2.0",
        "sd-jwt",
    ),
    (
        "dc+sd-jwt",
        jwt({"alg": "ES256", "typ": "dc+sd-jwt"}, {"vct": "x"}, ""),
        FormatName.SD_JWT_VC,
        "dc+sd-jwt",
        "sd-jwt",
    ),
    (
        "vc-jwt-with-disclosures",
        jwt({"alg": "EdDSA", "typ": "JWT"}, {"vc": VC1}, "ZA"),
        FormatName.VC_JWT,
        "1.1",
        "sd-jwt",
    ),
    (
        "vc-json-as-sd-jwt",
        jwt({"alg": "EdDSA", "typ": "jwt_vc_json"}, VC1, ""),
        FormatName.VC_SD_JWT,
        "1.1",
        "sd-jwt",
    ),
    (
        "status-list-token",
        jwt({"alg": "ES256", "typ": "statuslist+jwt"}, {"sub": "x"}),
        FormatName.STATUS_LIST_TOKEN,
        None,
        "jws",
    ),
    ("pdf", b"%PDF-1.7\n...", FormatName.DIPLOMA_PDF, None, None),
    ("jpeg", b"\xff\xd8\xff\xe0" + bytes(64), FormatName.DIPLOMA_QR, None, None),
    ("png-without-badge", baked_png(b"comment", b"hello"), FormatName.DIPLOMA_QR, None, None),
    (
        "baked-png-jwt",
        baked_png(b"openbadgecredential", jwt({"alg": "ES256"}, {"vc": OB3_VC})),
        FormatName.OPEN_BADGES_3,
        "3.0",
        "vc-jwt",
    ),
]


@pytest.mark.parametrize(
    ("data", "name", "version", "securing"),
    [pytest.param(d, n, v, s, id=i) for i, d, n, v, s in CASES],
)
def test_detects(data: bytes, name: FormatName, version: str | None, securing: str | None) -> None:
    info = detect(data)
    assert (info.name, info.version, info.securing) == (name, version, securing)


def test_a_baked_png_says_it_is_one() -> None:
    info = detect(baked_png(b"openbadges", json.dumps({**OB3_VC, "proof": {}}).encode()))
    assert info.container == "png" and info.name is FormatName.OPEN_BADGES_3


def test_a_baked_svg() -> None:
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0">'
        f"<openbadges:credential><![CDATA[{json.dumps({**OB3_VC, 'proof': {}})}]]>"
        "</openbadges:credential></svg>"
    )
    info = detect(svg.encode())
    assert (info.name, info.container) == (FormatName.OPEN_BADGES_3, "svg")


@pytest.mark.parametrize(
    ("file", "name", "securing"),
    [
        ("europass-edc/edc-dc-signed.jsonld", FormatName.EUROPASS_EDC, "jades"),
        ("blockcerts/mainnet-valid-2.0.json", FormatName.BLOCKCERTS, "merkle-proof-2017"),
        ("blockcerts/testnet-v3-did.json", FormatName.BLOCKCERTS, "merkle-proof-2019"),
        ("sd-jwt-vc/ietf-sd-jwt-vc-fig07-issued.txt", FormatName.SD_JWT_VC, "sd-jwt"),
        ("tbd-ssi-service/tbd-howto-presentation.jwt", FormatName.VP_JWT, "vc-jwt"),
    ],
)
def test_real_credentials(file: str, name: FormatName, securing: str) -> None:
    info = detect((CORPUS / file).read_bytes())
    assert (info.name, info.securing) == (name, securing)


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"\x00\x01\x02",
        b"plain words",
        b"{not json",
        b"<a><b></a>",
        b"eyJhbGciOiJFUzI1NiJ9.bm90IGpzb24.c2ln",
        b"\xd2\x84\xff",
        PNG_MAGIC + b"\x00\x00",
    ],
)
def test_malformed_inputs_are_unknown_not_errors(data: bytes) -> None:
    assert detect(data).name is FormatName.UNKNOWN


def test_a_decompression_bomb_is_refused_not_reported() -> None:
    bomb = zlib.compress(b"{" * (8 * 1024 * 1024))
    header = chunk(b"IHDR", struct.pack(">II", 1, 1) + bytes([8, 0, 0, 0, 0]))
    data = PNG_MAGIC + header + chunk(b"zTXt", b"openbadges\x00\x00" + bomb)
    with pytest.raises(LimitExceeded):
        detect(data)


def test_a_name_or_media_type_decides_nothing() -> None:
    # There is no such parameter: detection reads the content only.
    assert detect(b'{"@context": ["https://www.w3.org/ns/credentials/v2"]}').name is (
        FormatName.VC_DATA_INTEGRITY
    )
