"""The bounded decoders of formats/inputs.py: every malformed input is a named InvalidInput,
every input over a limit a LimitExceeded, and nothing is read past the limits."""

from __future__ import annotations

import struct
import zlib

import pytest

from diploma_exchange.errors import InvalidInput, LimitExceeded
from diploma_exchange.formats import inputs
from diploma_exchange.formats.inputs import (
    MAX_DISCLOSURES,
    MAX_PNG_TEXT_BYTES,
    PNG_MAGIC,
    b64url_decode,
    json_object,
    parse_compact_jws,
    parse_xml,
    png_text_chunks,
    split_sd_jwt,
)


def chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png(*chunks: bytes) -> bytes:
    header = chunk(b"IHDR", struct.pack(">II", 1, 1) + bytes([8, 0, 0, 0, 0]))
    return PNG_MAGIC + header + b"".join(chunks) + chunk(b"IEND", b"")


@pytest.mark.parametrize("text", ["ab=", "a+b", "a/b", "a b", "a"])
def test_base64url_is_strict(text: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        b64url_decode(text, what="x")
    assert caught.value.code == "bad-base64url"


@pytest.mark.parametrize(
    ("data", "error", "code"),
    [
        (b'{"a": 1, "a": 2}', InvalidInput, "duplicate-key"),
        (b"[1]", InvalidInput, "not-a-json-object"),
        (b'{"a": ' * 40 + b"1" + b"}" * 40, LimitExceeded, None),
        (b"not json", InvalidInput, None),
    ],
)
def test_json_objects_are_strict_and_bounded(
    data: bytes, error: type[Exception], code: str | None
) -> None:
    with pytest.raises(error) as caught:
        json_object(data, what="x")
    if code:
        assert getattr(caught.value, "code", None) == code


def test_json_size_limit() -> None:
    with pytest.raises(LimitExceeded):
        json_object(b'{"a": "' + b"x" * 2000 + b'"}', what="x", max_bytes=1000)


@pytest.mark.parametrize(
    "text",
    [
        "only.two",
        "e30.e30.",  # a header without alg
        "bm90IGpzb24.e30.",  # a header that is not JSON
        "eyJhbGciOiJub25lIiwiYjY0IjpmYWxzZX0.e30.",  # b64=false in compact form
    ],
)
def test_compact_jws_shapes(text: str) -> None:
    with pytest.raises(InvalidInput):
        parse_compact_jws(text)


def test_sd_jwt_parts() -> None:
    parts = split_sd_jwt("h.p.s~ZGlzYw~ZGlzYzI~")
    assert parts.issuer_jwt == "h.p.s" and parts.disclosures == ("ZGlzYw", "ZGlzYzI")
    assert parts.key_binding_jwt is None
    with_kb = split_sd_jwt("h.p.s~ZGlzYw~a.b.c")
    assert with_kb.key_binding_jwt == "a.b.c"
    # Serialized without the final "~" (early drafts, walt.id): the last part is a disclosure.
    legacy = split_sd_jwt("h.p.s~ZGlzYw")
    assert legacy.disclosures == ("ZGlzYw",) and legacy.key_binding_jwt is None


@pytest.mark.parametrize("text", ["h.p.s", "h.p.s~~", "h.p.s~not base64~"])
def test_malformed_sd_jwts(text: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        split_sd_jwt(text)
    assert caught.value.code == "malformed-sd-jwt"


def test_too_many_disclosures() -> None:
    with pytest.raises(LimitExceeded):
        split_sd_jwt("h.p.s" + "~ZA" * (MAX_DISCLOSURES + 1) + "~")


def test_png_text_chunks_of_every_kind() -> None:
    data = png(
        chunk(b"tEXt", b"openbadges\x00plain"),
        chunk(b"zTXt", b"openbadges\x00\x00" + zlib.compress(b"compressed")),
        chunk(b"iTXt", b"openbadgecredential\x00\x00\x00en\x00\x00unicode \xc3\xa9"),
        chunk(b"iTXt", b"openbadges\x00\x01\x00\x00\x00" + zlib.compress(b"itxt compressed")),
    )
    assert list(png_text_chunks(data)) == [
        ("openbadges", "plain"),
        ("openbadges", "compressed"),
        ("openbadgecredential", "unicode é"),
        ("openbadges", "itxt compressed"),
    ]


def test_png_text_bomb_stops_at_the_limit() -> None:
    bomb = zlib.compress(b"{" * (MAX_PNG_TEXT_BYTES * 4))
    with pytest.raises(LimitExceeded) as caught:
        list(png_text_chunks(png(chunk(b"zTXt", b"openbadges\x00\x00" + bomb))))
    assert caught.value.code == "png-text-too-large"


def test_png_too_many_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(inputs, "MAX_PNG_CHUNKS", 5)
    with pytest.raises(LimitExceeded):
        list(png_text_chunks(png(*[chunk(b"tEXt", b"k\x00v")] * 10)))


@pytest.mark.parametrize(
    "data",
    [
        b"GIF89a",  # not a PNG
        PNG_MAGIC + b"\x00\x00\x00\x10IHDR",  # truncated
        png(chunk(b"zTXt", b"openbadges\x00\x00not zlib")),  # corrupt compressed text
    ],
)
def test_unreadable_pngs(data: bytes) -> None:
    with pytest.raises(InvalidInput) as caught:
        list(png_text_chunks(data))
    assert caught.value.code == "png-unreadable"


@pytest.mark.parametrize(
    "data",
    [
        b'<?xml version="1.0"?><!DOCTYPE a [<!ENTITY b "c">]><a>&b;</a>',
        b'<a><!ENTITY x SYSTEM "file:///etc/passwd"></a>',
        b'<!doctype a SYSTEM "http://example.com/a.dtd"><a/>',
    ],
)
def test_xml_with_a_dtd_is_refused(data: bytes) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_xml(data)
    assert caught.value.code == "xml-dtd-refused"


def test_xml_element_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(inputs, "MAX_XML_ELEMENTS", 10)
    with pytest.raises(LimitExceeded):
        parse_xml(b"<a>" + b"<b/>" * 20 + b"</a>")


def test_malformed_xml() -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_xml(b"<a><b></a>")
    assert caught.value.code == "xml-unreadable"
