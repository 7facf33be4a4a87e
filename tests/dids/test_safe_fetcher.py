"""SSRF: the fetcher behind did:web, remote status lists and pasted links never reaches
loopback, private, link-local (cloud metadata), multicast or reserved addresses, in any
notation, through a redirect, or through a host name that resolves to one."""

from __future__ import annotations

import gzip
import tracemalloc
import zlib
from collections.abc import Iterable

import httpx
import pytest

from diploma_exchange.dids.remote import SafeFetcher, is_public_address
from diploma_exchange.errors import DidResolutionError

NON_PUBLIC = [
    "127.0.0.1",
    "127.1.2.3",
    "0.0.0.0",
    "10.0.0.1",
    "172.16.5.4",
    "192.168.1.1",
    "100.64.0.1",  # carrier-grade NAT
    "169.254.169.254",  # cloud metadata
    "224.0.0.1",
    "240.0.0.1",
    "255.255.255.255",
    "::1",
    "::",
    "fe80::1",
    "fe80::1%eth0",
    "fc00::1",
    "fd12:3456::1",
    "ff02::1",
    "::ffff:127.0.0.1",  # IPv4-mapped
    "::ffff:169.254.169.254",
    "::ffff:10.0.0.1",
    "::127.0.0.1",  # IPv4-compatible (deprecated form)
    "64:ff9b::7f00:1",  # NAT64 of 127.0.0.1
    "64:ff9b::a9fe:a9fe",  # NAT64 of 169.254.169.254
    "2002:7f00:1::",  # 6to4 of 127.0.0.1
    "2002:a9fe:a9fe::",  # 6to4 of 169.254.169.254
    "2001:db8::1",  # documentation
]
PUBLIC = ["8.8.8.8", "1.1.1.1", "2606:4700:4700::1111", "2a00:1450:4001:80b::200e"]


@pytest.mark.parametrize("address", NON_PUBLIC)
def test_non_public_addresses(address: str) -> None:
    assert not is_public_address(address)


@pytest.mark.parametrize("address", PUBLIC)
def test_public_addresses(address: str) -> None:
    assert is_public_address(address)


def _resolver(answers: dict[str, list[str]]):  # type: ignore[no-untyped-def]
    def resolve(host: str) -> Iterable[str]:
        return answers.get(host, ["93.184.216.34"])

    return resolve


@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1/.well-known/did.json",
        "https://[::1]/x",
        "https://[::ffff:127.0.0.1]/x",
        "https://169.254.169.254/latest/meta-data",
        "https://0x7f000001/x",  # hex form: resolved by the system resolver to 127.0.0.1
        "https://2130706433/x",  # decimal form of 127.0.0.1
        "https://internal.example/x",  # a name that resolves to a private address
        "https://rebind.example/x",  # one public and one private answer: refused
        "http://93.184.216.34/x",  # plain http
        "ftp://example.org/x",
        "file:///etc/passwd",
    ],
)
def test_refused_urls(url: str) -> None:
    fetcher = SafeFetcher(
        resolve_host=_resolver(
            {
                "internal.example": ["10.1.2.3"],
                "rebind.example": ["93.184.216.34", "127.0.0.1"],
                "0x7f000001": ["127.0.0.1"],
                "2130706433": ["127.0.0.1"],
                "127.0.0.1": ["127.0.0.1"],
                "::1": ["::1"],
                "::ffff:127.0.0.1": ["::ffff:127.0.0.1"],
                "169.254.169.254": ["169.254.169.254"],
            }
        ),
        transport=httpx.MockTransport(lambda request: httpx.Response(200, json={"ok": True})),
    )
    with pytest.raises(DidResolutionError):
        fetcher.get_json(url)


def test_redirects_are_not_followed() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(302, headers={"Location": "https://169.254.169.254/latest"})

    fetcher = SafeFetcher(resolve_host=_resolver({}), transport=httpx.MockTransport(handler))
    with pytest.raises(DidResolutionError, match="302"):
        fetcher.get_json("https://public.example/did.json")


def test_oversized_answers_stop_at_the_limit() -> None:
    fetcher = SafeFetcher(
        resolve_host=_resolver({}),
        max_bytes=1024,
        transport=httpx.MockTransport(lambda r: httpx.Response(200, content=b"[" + b"1," * 5000)),
    )
    with pytest.raises(DidResolutionError, match="larger than"):
        fetcher.get_json("https://public.example/big.json")


def test_a_public_host_is_fetched() -> None:
    fetcher = SafeFetcher(
        resolve_host=_resolver({}),
        transport=httpx.MockTransport(lambda r: httpx.Response(200, json={"id": "did:web:x"})),
    )
    assert fetcher.get_json("https://public.example/did.json") == {"id": "did:web:x"}


# --- hostile answers from a public host (tests/hostile/README.md) ----------------------------


def _serving(data: bytes, encoding: str | None = None, max_bytes: int = 256 * 1024) -> SafeFetcher:
    headers = {"Content-Encoding": encoding} if encoding else {}
    # ``stream=``: a real transport streams; ``content=`` would be read (inflated) up front.
    return SafeFetcher(
        resolve_host=_resolver({}),
        max_bytes=max_bytes,
        transport=httpx.MockTransport(
            lambda r: httpx.Response(200, stream=httpx.ByteStream(data), headers=headers)
        ),
    )


def _bomb(wbits: int) -> bytes:
    """200 MB of zeros, compressed to ~200 KB."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, wbits)
    megabyte = bytes(1024 * 1024)
    return b"".join(compressor.compress(megabyte) for _ in range(200)) + compressor.flush()


@pytest.mark.parametrize(("encoding", "wbits"), [("gzip", 16 + zlib.MAX_WBITS), ("deflate", 15)])
def test_a_content_encoding_bomb_stops_inflating_at_the_limit(encoding: str, wbits: int) -> None:
    fetcher = _serving(_bomb(wbits), encoding)
    tracemalloc.start()
    try:
        with pytest.raises(DidResolutionError, match="larger than"):
            fetcher.get_json("https://public.example/list.json")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 20 * 1024 * 1024, f"{peak / 1e6:.0f} MB: the answer was inflated whole"


def test_compressed_answers_within_the_limit_are_read() -> None:
    fetcher = _serving(gzip.compress(b'{"id": "did:web:x"}'), "gzip")
    assert fetcher.get_json("https://public.example/did.json") == {"id": "did:web:x"}


@pytest.mark.parametrize(
    ("data", "encoding", "message"),
    [
        (b"not gzip at all", "gzip", "corrupt gzip"),
        (b"\x0b\x02\x80{}\x03", "br", "only gzip and deflate"),
        (b'{"id": "a", "id": "b"}', None, "more than once"),
        (b"[" * 100_000 + b"]" * 100_000, None, "nested deeper"),
        (b'{"n": 1e400}', None, "I-JSON"),
        (b"<html>", None, "not valid JSON"),
    ],
)
def test_hostile_answers_are_resolution_errors(
    data: bytes, encoding: str | None, message: str
) -> None:
    fetcher = _serving(data, encoding, max_bytes=1024 * 1024)
    with pytest.raises(DidResolutionError, match=message):
        fetcher.get_json("https://public.example/did.json")
