"""Resolving did:web over the network through a safe fetcher.

Outbound requests are the classic SSRF hole of a verification service: a credential names a
DID, and the service fetches whatever URL that DID maps to. The fetcher therefore:
- speaks https only (plain http only for hosts explicitly allowed, e.g. local development);
- refuses hosts that resolve to loopback, private, link-local, multicast or reserved
  addresses unless explicitly allowed;
- follows no redirects, applies connect/read timeouts and a response size limit, counted
  after decompression and enforced while decompressing (a gzip bomb stops at the limit);
- parses strictly (:mod:`diploma_exchange.strict_json`: no duplicate keys, bounded depth);
- caches documents for a short time.
Known limit: the address check happens before connecting, so a DNS answer that changes
between the check and the connection (DNS rebinding) is not caught; deployments that need
that guarantee should route outbound traffic through an egress proxy.
"""

from __future__ import annotations

import ipaddress
import socket
import time
import zlib
from collections.abc import Callable, Iterable
from urllib.parse import urlsplit

import httpx

from diploma_exchange import strict_json
from diploma_exchange.dids.did_web import did_web_to_url
from diploma_exchange.dids.document import DidDocument
from diploma_exchange.errors import DidResolutionError, InvalidInput

Resolver = Callable[[str], Iterable[str]]


def _system_addresses(host: str) -> list[str]:
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except socket.gaierror as exc:
        raise DidResolutionError(f"cannot resolve host {host}: {exc.strerror}") from exc
    return sorted({str(info[4][0]) for info in infos})


_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    """IPv4 addresses an IPv6 address can deliver to: mapped, 6to4, Teredo, NAT64."""
    found = []
    if ip.ipv4_mapped is not None:
        found.append(ip.ipv4_mapped)
    if ip.sixtofour is not None:
        found.append(ip.sixtofour)
    if ip.teredo is not None:
        found.extend(ip.teredo)
    if ip in _NAT64:
        found.append(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
    return found


def is_public_address(address: str) -> bool:
    """True only for globally routable unicast addresses, including every IPv4 address that an
    IPv6 form would reach (IPv4-mapped, 6to4, Teredo, NAT64)."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    candidates: list[ipaddress.IPv4Address | ipaddress.IPv6Address] = [ip]
    if isinstance(ip, ipaddress.IPv6Address):
        candidates.extend(_embedded_ipv4(ip))
    return all(
        c.is_global and not (c.is_multicast or c.is_reserved or c.is_loopback) for c in candidates
    )


class SafeFetcher:
    """Fetches small JSON documents from public https URLs (see the module docstring)."""

    def __init__(
        self,
        *,
        allow_hosts: Iterable[str] = (),
        timeout: float = 5.0,
        max_bytes: int = 256 * 1024,
        resolve_host: Resolver = _system_addresses,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.allow_hosts = frozenset(allow_hosts)
        self.timeout = timeout
        self.max_bytes = max_bytes
        self._resolve_host = resolve_host
        self._transport = transport

    def check_url(self, url: str) -> None:
        """Raise DidResolutionError unless ``url`` may be fetched."""
        parts = urlsplit(url)
        host = parts.hostname or ""
        allowed = parts.netloc in self.allow_hosts or host in self.allow_hosts
        if parts.scheme != "https" and not (parts.scheme == "http" and allowed):
            raise DidResolutionError(f"refusing to fetch {url}: only https is allowed")
        if allowed:
            return
        addresses = list(self._resolve_host(host))
        if not addresses:
            raise DidResolutionError(f"host {host} has no addresses")
        for address in addresses:
            if not is_public_address(address):
                raise DidResolutionError(
                    f"refusing to fetch {url}: {host} resolves to the non-public address {address}"
                )

    def get_json(self, url: str) -> object:
        """GET ``url`` and parse it as JSON, within the limits. Raises DidResolutionError."""
        self.check_url(url)
        try:
            with (
                httpx.Client(
                    timeout=httpx.Timeout(self.timeout),
                    follow_redirects=False,
                    transport=self._transport,
                    headers={
                        "Accept": "application/did+json, application/json",
                        "Accept-Encoding": "gzip, deflate",
                    },
                ) as client,
                client.stream("GET", url) as response,
            ):
                if response.status_code != 200:
                    raise DidResolutionError(f"{url} answered HTTP {response.status_code}")
                body = self._read_limited(url, response)
        except httpx.HTTPError as exc:
            raise DidResolutionError(f"could not fetch {url}: {exc.__class__.__name__}") from exc
        try:
            return strict_json.loads(bytes(body), max_bytes=self.max_bytes)
        except InvalidInput as exc:
            raise DidResolutionError(f"{url} did not return valid JSON: {exc.message}") from exc

    def _read_limited(self, url: str, response: httpx.Response) -> bytearray:
        """The body, decompressed here rather than by httpx: httpx inflates each received
        chunk whole, so 200 KB of gzip became 200 MB in memory before any size check."""
        encoding = response.headers.get("content-encoding", "identity").strip().lower()
        inflate: zlib._Decompress | None
        if encoding in ("", "identity"):
            inflate = None
        elif encoding in ("gzip", "x-gzip", "deflate"):
            inflate = zlib.decompressobj(zlib.MAX_WBITS | (16 if "gzip" in encoding else 0))
        else:
            raise DidResolutionError(f"{url} is encoded as {encoding!r}; only gzip and deflate")
        body = bytearray()
        if response.is_stream_consumed:  # built in memory (a test transport), already decoded
            chunks: Iterable[bytes] = [response.content]
            inflate = None
        else:
            chunks = response.iter_raw()
        for chunk in chunks:
            if inflate is not None:
                try:
                    # At most one byte over the limit: the rest waits in unconsumed_tail.
                    chunk = inflate.decompress(chunk, self.max_bytes + 1 - len(body))
                except zlib.error as exc:
                    raise DidResolutionError(f"{url} sent corrupt {encoding} data") from exc
            body.extend(chunk)
            if len(body) > self.max_bytes:
                raise DidResolutionError(f"{url} is larger than {self.max_bytes} bytes")
        return body


class DidWebResolver:
    """Resolves did:web through a :class:`SafeFetcher`, caching documents for ``ttl`` seconds."""

    def __init__(self, fetcher: SafeFetcher, ttl: float = 300.0) -> None:
        self._fetcher = fetcher
        self._ttl = ttl
        self._cache: dict[str, tuple[float, DidDocument]] = {}

    def resolve(self, did: str) -> DidDocument:
        if not did.startswith("did:web:"):
            raise DidResolutionError(f"{did} is not a did:web")
        hit = self._cache.get(did)
        if hit and hit[0] > time.monotonic():
            return hit[1]
        url = did_web_to_url(did, allow_http_hosts=self._fetcher.allow_hosts)
        data = self._fetcher.get_json(url)
        if not isinstance(data, dict):
            raise DidResolutionError(f"the DID document at {url} is not a JSON object")
        document = DidDocument.from_json(data)
        if document.id != did:
            raise DidResolutionError(f"the DID document at {url} is for {document.id}, not {did}")
        self._cache[did] = (time.monotonic() + self._ttl, document)
        return document
