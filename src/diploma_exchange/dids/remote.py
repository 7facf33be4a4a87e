"""Resolving did:web over the network through a safe fetcher.

Outbound requests are the classic SSRF hole of a verification service: a credential names a
DID, and the service fetches whatever URL that DID maps to. The fetcher therefore:
- speaks https only (plain http only for hosts explicitly allowed, e.g. local development);
- refuses hosts that resolve to loopback, private, link-local, multicast or reserved
  addresses unless explicitly allowed, and connects to exactly the addresses it checked
  (so a DNS answer that changes between the check and the connection, DNS rebinding, is
  not followed);
- follows no redirects, applies connect/read timeouts and a response size limit, counted
  after decompression and enforced while decompressing (a gzip bomb stops at the limit);
- gives every fetch a total deadline: connecting, the TLS handshake, sending, the headers
  and every read of the body together (a server that sends one byte every few seconds, each
  within the per-read timeout, is cut off at the deadline, headers included);
- lets at most ``max_concurrent`` fetches run at once in the process (:class:`FetchSlots`,
  shared by every fetcher with the same bounds); a fetch that cannot start within
  ``queue_wait`` seconds fails at once with ``fetch-busy`` rather than queueing, so slow
  servers can hold at most that many worker threads and never the whole service;
- parses strictly (:mod:`diploma_exchange.strict_json`: no duplicate keys, bounded depth);
- caches documents for a short time.
When an HTTP(S) proxy is configured in the environment, requests go through it instead and
the proxy is responsible for the address rules; the deadline is then checked between reads.
"""

from __future__ import annotations

import ipaddress
import socket
import threading
import time
import zlib
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any, ClassVar, Final
from urllib.parse import urlsplit

import httpcore
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


#: Defaults of the outbound bounds (settings ``fetch_*`` in ``config``).
DEFAULT_DEADLINE_SECONDS: Final = 10.0
DEFAULT_MAX_CONCURRENT: Final = 8
DEFAULT_QUEUE_WAIT_SECONDS: Final = 0.5
#: ``DidResolutionError.code`` of a fetch that found every slot taken.
FETCH_BUSY: Final = "fetch-busy"
#: ``DidResolutionError.code`` of a fetch stopped by its total deadline.
FETCH_DEADLINE: Final = "fetch-deadline-exceeded"


class FetchSlots:
    """At most ``limit`` outbound fetches at once; a fetch waits ``wait`` seconds for a slot.

    One instance per bounds is shared by the whole process (:meth:`shared`), whichever
    fetcher objects the callers build.
    """

    _shared: ClassVar[dict[tuple[int, float], FetchSlots]] = {}
    _shared_lock: ClassVar[threading.Lock] = threading.Lock()

    def __init__(self, limit: int, wait: float) -> None:
        if limit < 1 or wait < 0:
            raise ValueError("FetchSlots needs limit >= 1 and wait >= 0")
        self.limit = limit
        self.wait = wait
        self._semaphore = threading.BoundedSemaphore(limit)

    @classmethod
    def shared(cls, limit: int, wait: float) -> FetchSlots:
        """The process-wide slots for these bounds."""
        with cls._shared_lock:
            slots = cls._shared.get((limit, wait))
            if slots is None:
                slots = cls._shared[(limit, wait)] = cls(limit, wait)
            return slots

    @contextmanager
    def slot(self, url: str) -> Iterator[None]:
        """Hold a slot for the fetch of ``url``.

        Raises:
            DidResolutionError: no slot became free within ``wait`` seconds (``fetch-busy``).
        """
        if not self._semaphore.acquire(timeout=self.wait):
            raise DidResolutionError(
                f"{url} was not fetched: {self.limit} outbound fetches are already under way; "
                "try again in a moment",
                code=FETCH_BUSY,
                extra={"limit": self.limit},
            )
        try:
            yield
        finally:
            self._semaphore.release()


class _DeadlineExceeded(httpcore.ReadTimeout):
    """The total deadline of a fetch passed (a timeout, so httpx maps it as one)."""


class _DeadlineStream(httpcore.NetworkStream):
    """A connection whose every operation waits at most until the fetch's deadline."""

    def __init__(self, inner: httpcore.NetworkStream, deadline: float) -> None:
        self._inner = inner
        self._deadline = deadline

    def _timeout(self, timeout: float | None) -> float:
        left = self._deadline - time.monotonic()
        if left <= 0:
            raise _DeadlineExceeded("the total deadline of the fetch passed")
        return left if timeout is None else min(timeout, left)

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, self._timeout(timeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, self._timeout(timeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self,
        ssl_context: Any,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        inner = self._inner.start_tls(ssl_context, server_hostname, self._timeout(timeout))
        return _DeadlineStream(inner, self._deadline)

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class _GuardedBackend(httpcore.NetworkBackend):
    """Connects only to the addresses the fetcher checked, and within the deadline."""

    def __init__(self, addresses: Callable[[str], list[str]], deadline: float) -> None:
        self._addresses = addresses
        self._deadline = deadline
        self._inner = httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        failure: Exception | None = None
        for address in self._addresses(host):
            left = self._deadline - time.monotonic()
            if left <= 0:
                raise _DeadlineExceeded("the total deadline of the fetch passed")
            try:
                stream = self._inner.connect_tcp(
                    address,
                    port,
                    left if timeout is None else min(timeout, left),
                    local_address,
                    socket_options,
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                failure = exc
                continue
            return _DeadlineStream(stream, self._deadline)
        raise failure or httpcore.ConnectError(f"no address to connect to for {host}")

    def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:  # pragma: no cover - never configured
        raise httpcore.ConnectError("unix sockets are not fetched")

    def sleep(self, seconds: float) -> None:  # pragma: no cover - retries are off
        time.sleep(seconds)


class _GuardedTransport(httpx.HTTPTransport):
    """httpx's transport over httpcore's pool with :class:`_GuardedBackend`.

    httpx.HTTPTransport takes no network backend, so the pool it builds is replaced by the
    same kind of pool over ours (``network_backend`` is httpcore's public API; ``_pool`` is
    the one attribute of httpx this relies on, checked here and by the tests that fetch from
    a real socket).
    """

    def __init__(self, backend: _GuardedBackend) -> None:
        super().__init__(retries=0)
        if not hasattr(self, "_pool"):  # pragma: no cover - an httpx that changed shape
            raise RuntimeError("httpx.HTTPTransport has no _pool: update _GuardedTransport")
        self._pool = httpcore.ConnectionPool(
            ssl_context=httpx.create_ssl_context(),
            max_connections=1,
            retries=0,
            network_backend=backend,
        )


class SafeFetcher:
    """Fetches small JSON documents from public https URLs (see the module docstring).

    ``timeout`` bounds each network operation, ``deadline`` the whole fetch;
    ``max_concurrent`` and ``queue_wait`` are the process-wide :class:`FetchSlots` (or pass
    ``slots``).
    """

    def __init__(
        self,
        *,
        allow_hosts: Iterable[str] = (),
        timeout: float = 5.0,
        max_bytes: int = 256 * 1024,
        deadline: float = DEFAULT_DEADLINE_SECONDS,
        max_concurrent: int = DEFAULT_MAX_CONCURRENT,
        queue_wait: float = DEFAULT_QUEUE_WAIT_SECONDS,
        slots: FetchSlots | None = None,
        resolve_host: Resolver = _system_addresses,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        if deadline <= 0:
            raise ValueError("deadline must be positive")
        self.allow_hosts = frozenset(allow_hosts)
        self.timeout = timeout
        self.max_bytes = max_bytes
        self.deadline = deadline
        self.slots = slots if slots is not None else FetchSlots.shared(max_concurrent, queue_wait)
        self._resolve_host = resolve_host
        self._transport = transport

    def _is_allowed(self, netloc: str, host: str) -> bool:
        return netloc in self.allow_hosts or host in self.allow_hosts

    def _public_addresses(self, url: str, host: str) -> list[str]:
        addresses = list(self._resolve_host(host))
        if not addresses:
            raise DidResolutionError(f"host {host} has no addresses")
        for address in addresses:
            if not is_public_address(address):
                raise DidResolutionError(
                    f"refusing to fetch {url}: {host} resolves to the non-public address {address}"
                )
        return addresses

    def check_url(self, url: str) -> None:
        """Raise DidResolutionError unless ``url`` may be fetched."""
        parts = urlsplit(url)
        host = parts.hostname or ""
        allowed = self._is_allowed(parts.netloc, host)
        if parts.scheme != "https" and not (parts.scheme == "http" and allowed):
            raise DidResolutionError(f"refusing to fetch {url}: only https is allowed")
        if allowed:
            return
        self._public_addresses(url, host)

    def _connect_addresses(self, url: str) -> Callable[[str], list[str]]:
        """What a connection for ``url`` may reach: its host's public addresses, resolved
        and checked again at connection time and used as checked (no second look-up by the
        socket layer), or, for an allowed host, the host itself. Nothing else: redirects
        are not followed, so no other host is ever connected to."""
        parts = urlsplit(url)

        def addresses(host: str) -> list[str]:
            if host != (parts.hostname or ""):
                raise httpcore.ConnectError(f"refusing to connect to {host}")
            if self._is_allowed(parts.netloc, host):
                return [host]
            try:
                return self._public_addresses(url, host)
            except DidResolutionError as exc:
                raise httpcore.ConnectError(exc.message) from exc

        return addresses

    def get_json(self, url: str) -> object:
        """GET ``url`` and parse it as JSON, within the limits.

        Raises:
            DidResolutionError: see :meth:`get_bytes`, or the body is not valid JSON.
        """
        body = self.get_bytes(url, accept="application/did+json, application/json")
        try:
            return strict_json.loads(body, max_bytes=self.max_bytes)
        except InvalidInput as exc:
            raise DidResolutionError(f"{url} did not return valid JSON: {exc.message}") from exc

    def get_bytes(self, url: str, *, accept: str) -> bytes:
        """GET ``url`` and return its body (at most ``max_bytes`` after decompression), for
        documents that are not JSON as well (a status list token JWT or CWT, a JWS).

        Raises:
            DidResolutionError: the URL may not be fetched, the answer is not acceptable, the
                fetch did not finish within the deadline (``fetch-deadline-exceeded``), or
                every outbound slot stayed busy (``fetch-busy``).
        """
        self.check_url(url)
        with self.slots.slot(url):
            deadline = time.monotonic() + self.deadline
            transport = self._transport or _GuardedTransport(
                _GuardedBackend(self._connect_addresses(url), deadline)
            )
            try:
                with (
                    httpx.Client(
                        timeout=httpx.Timeout(min(self.timeout, self.deadline)),
                        follow_redirects=False,
                        transport=transport,
                        headers={"Accept": accept, "Accept-Encoding": "gzip, deflate"},
                    ) as client,
                    client.stream("GET", url) as response,
                ):
                    if response.status_code != 200:
                        raise DidResolutionError(f"{url} answered HTTP {response.status_code}")
                    body = self._read_limited(url, response, deadline)
            except httpx.TimeoutException as exc:
                if time.monotonic() >= deadline or isinstance(
                    exc.__cause__ or exc.__context__, _DeadlineExceeded
                ):
                    raise self._too_slow(url) from exc
                raise DidResolutionError(
                    f"could not fetch {url}: {exc.__class__.__name__}"
                ) from exc
            except httpx.HTTPError as exc:
                raise DidResolutionError(
                    f"could not fetch {url}: {exc.__class__.__name__}"
                ) from exc
        return bytes(body)

    def _too_slow(self, url: str) -> DidResolutionError:
        return DidResolutionError(
            f"{url} did not answer in full within {self.deadline:g} seconds",
            code=FETCH_DEADLINE,
            extra={"limit": self.deadline},
        )

    def _read_limited(self, url: str, response: httpx.Response, deadline: float) -> bytearray:
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
            if time.monotonic() > deadline:  # also when a proxy or test transport is used
                raise self._too_slow(url)
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
