"""Blockchain explorers for Blockcerts anchors: which Merkle root a transaction carries, who
sent it and when.

A Blockcerts certificate is "signed" by a transaction of its issuer: the transaction carries
the batch's Merkle root (Bitcoin: an ``OP_RETURN`` output ``6a20 || root``; Ethereum: the
transaction's ``input``) and is sent from an address the issuer's profile lists as its key.
This module reads those three facts from public explorer APIs, through the caller's
:class:`~diploma_exchange.formats.model.DocumentFetcher` (the safe fetcher in the service: no
private addresses, size and time limits; stored responses in tests and offline):

* Bitcoin: the Esplora API (Blockstream's, mempool.space's, or a self-hosted ``electrs``):
  ``GET {base}/tx/{txid}``;
* Ethereum: the Etherscan-compatible proxy API (``module=proxy``:
  ``eth_getTransactionByHash`` then ``eth_getBlockByNumber`` for the block's time).

Which explorer serves which chain is configuration (``blockcerts_explorers``); a chain
without one, or the test chain ``mocknet``, is not looked up. Anchors are named as cert-issuer
writes them: v2 ``{"chain": "bitcoinMainnet", "sourceId": txid}`` (no ``chain``: Bitcoin,
network unnamed) and v3 ``blink:btc:mainnet:txid``. Hand-written: the reference lookup
library is JavaScript (``@blockcerts/explorer-lookup``); the API shapes follow its tests.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from diploma_exchange.errors import Error, InvalidInput
from diploma_exchange.formats.model import DocumentFetcher

#: v2 chain names (cert-issuer) -> (blockchain, network)
_V2_CHAINS = {
    "bitcoinMainnet": ("btc", "mainnet"),
    "bitcoinTestnet": ("btc", "testnet"),
    "bitcoinRegtest": ("btc", "regtest"),
    "ethereumMainnet": ("eth", "mainnet"),
    "ethereumRopsten": ("eth", "ropsten"),
    "ethereumRinkeby": ("eth", "rinkeby"),
    "ethereumGoerli": ("eth", "goerli"),
    "ethereumSepolia": ("eth", "sepolia"),
    "mockchain": ("mocknet", "mocknet"),
}
#: Networks whose coins have no value: anchoring there is authentic but not final.
TEST_NETWORKS = frozenset(
    {"testnet", "regtest", "ropsten", "rinkeby", "goerli", "sepolia", "mumbai"}
)


@dataclass(frozen=True)
class Anchor:
    """A transaction named by a receipt: blockchain (``btc``, ``eth``, ``mocknet``), network
    (``mainnet``, ``testnet``, ..., or None when the certificate does not say) and id."""

    blockchain: str
    network: str | None
    txid: str

    @property
    def key(self) -> str:
        """The configuration key of its explorer (``btc:mainnet``, ``eth:sepolia``)."""
        return f"{self.blockchain}:{self.network or 'mainnet'}"

    @property
    def test_network(self) -> bool:
        return self.network in TEST_NETWORKS or self.blockchain == "mocknet"

    def __str__(self) -> str:
        return f"blink:{self.blockchain}:{self.network or '?'}:{self.txid}"


def parse_anchor(anchor: object) -> Anchor:
    """An anchor of a v2 receipt (object) or a v3 receipt (``blink:`` string).

    Raises:
        InvalidInput: ``unknown-anchor`` when it names no transaction this code can read.
    """
    if isinstance(anchor, str) and anchor.startswith("blink:"):
        parts = anchor.split(":")
        if len(parts) == 4 and parts[3]:
            return Anchor(parts[1], parts[2], parts[3])
        if len(parts) == 3 and parts[1] == "mocknet":
            return Anchor("mocknet", "mocknet", parts[2])
    if isinstance(anchor, Mapping):
        source = anchor.get("sourceId")
        chain = anchor.get("chain")
        kind = anchor.get("type")
        if isinstance(source, str) and source:
            if isinstance(chain, str) and chain in _V2_CHAINS:
                blockchain, network = _V2_CHAINS[chain]
                return Anchor(blockchain, network, source)
            if chain is None and kind == "BTCOpReturn":
                return Anchor("btc", None, source)
            if chain is None and kind == "ETHData":
                return Anchor("eth", None, source)
    raise InvalidInput(
        f"the anchor {anchor!r} names no readable transaction", code="unknown-anchor"
    )


@dataclass(frozen=True)
class Transaction:
    """What an explorer says about an anchor's transaction."""

    remote_hash: str
    issuing_address: str
    time: datetime | None
    confirmed: bool


class ExplorerError(Error):
    """The explorer could not be asked, or its answer is not a transaction."""

    code = "explorer-unavailable"


def _hex(value: object) -> str:
    if not isinstance(value, str):
        raise ExplorerError(
            "the explorer's answer is not a transaction", code="explorer-bad-answer"
        )
    value = value.lower().removeprefix("0x")
    if not value or any(c not in "0123456789abcdef" for c in value):
        raise ExplorerError(
            "the explorer's answer is not a transaction", code="explorer-bad-answer"
        )
    return value


def _esplora(data: object) -> Transaction:
    """An Esplora ``/tx/{txid}`` answer."""
    if not isinstance(data, Mapping):
        raise ExplorerError(
            "the explorer's answer is not a transaction", code="explorer-bad-answer"
        )
    outputs = data.get("vout")
    inputs = data.get("vin")
    if not isinstance(outputs, list) or not isinstance(inputs, list) or not inputs:
        raise ExplorerError(
            "the explorer's answer is not a transaction", code="explorer-bad-answer"
        )
    roots = [
        script[4:]
        for out in outputs
        if isinstance(out, Mapping)
        and isinstance(script := out.get("scriptpubkey"), str)
        and script.lower().startswith("6a20")
        and len(script) == 68
    ]
    if len(roots) != 1:
        raise ExplorerError(
            f"the transaction has {len(roots)} OP_RETURN outputs of 32 bytes, not one",
            code="explorer-bad-answer",
        )
    prevout = inputs[0].get("prevout") if isinstance(inputs[0], Mapping) else None
    address = prevout.get("scriptpubkey_address") if isinstance(prevout, Mapping) else None
    if not isinstance(address, str) or not address:
        raise ExplorerError("the transaction's sender is unknown", code="explorer-bad-answer")
    status = data.get("status")
    confirmed = isinstance(status, Mapping) and status.get("confirmed") is True
    block_time = status.get("block_time") if isinstance(status, Mapping) else None
    time = (
        datetime.fromtimestamp(block_time, UTC)
        if isinstance(block_time, int) and not isinstance(block_time, bool)
        else None
    )
    return Transaction(_hex(roots[0]), address, time, confirmed)


class BlockchainExplorers:
    """The configured explorers, as the verifier's ``blockchain_explorer`` look-up.

    ``endpoints``: ``btc:mainnet`` / ``btc:testnet`` -> an Esplora API base URL
    (``https://blockstream.info/api``); ``eth:mainnet`` / ``eth:sepolia`` -> an
    Etherscan-compatible API URL (``https://api.etherscan.io/api``, with ``?apikey=`` if
    the service needs one)."""

    def __init__(self, fetcher: DocumentFetcher, endpoints: Mapping[str, str]) -> None:
        self._fetcher = fetcher
        self._endpoints = dict(endpoints)

    def serves(self, anchor: Anchor) -> bool:
        return bool(self._candidates(anchor))

    def _candidates(self, anchor: Anchor) -> Sequence[str]:
        if anchor.network is not None:
            return [anchor.key] if anchor.key in self._endpoints else []
        # an anchor that names no network (v2 ``BTCOpReturn`` without ``chain``): mainnet
        # first, then the test networks configured (a transaction id is unique across them)
        return [k for k in self._endpoints if k.startswith(f"{anchor.blockchain}:")]

    def lookup(self, anchor: Anchor) -> Transaction:
        """The anchor's transaction.

        Raises:
            ExplorerError: no explorer for its chain, unreachable, or not a transaction.
        """
        candidates = self._candidates(anchor)
        if not candidates:
            raise ExplorerError(
                f"no blockchain explorer is configured for {anchor.key}", code="no-explorer"
            )
        last: Error | None = None
        for key in candidates:
            try:
                if anchor.blockchain == "btc":
                    return _esplora(
                        self._fetcher.get_json(
                            f"{self._endpoints[key].rstrip('/')}/tx/{anchor.txid}"
                        )
                    )
                if anchor.blockchain == "eth":
                    return self._etherscan(self._endpoints[key], anchor.txid)
            except ExplorerError:
                raise
            except Error as exc:
                last = exc
        message = last.message if last is not None else f"{anchor.blockchain} is not supported"
        raise ExplorerError(f"the explorer for {anchor.key} could not be asked: {message}")

    def _etherscan(self, base: str, txid: str) -> Transaction:
        def call(**params: str) -> Any:
            separator = "&" if "?" in base else "?"
            answer = self._fetcher.get_json(
                f"{base}{separator}{urlencode({'module': 'proxy', **params})}"
            )
            result = answer.get("result") if isinstance(answer, Mapping) else None
            if not isinstance(result, Mapping):
                raise ExplorerError(
                    "the explorer's answer is not a transaction", code="explorer-bad-answer"
                )
            return result

        tx = call(action="eth_getTransactionByHash", txhash=txid)
        sender = tx.get("from")
        if not isinstance(sender, str) or not sender:
            raise ExplorerError("the transaction's sender is unknown", code="explorer-bad-answer")
        block = tx.get("blockNumber")
        time = None
        if isinstance(block, str) and block:
            header = call(action="eth_getBlockByNumber", tag=block, boolean="false")
            stamp = header.get("timestamp")
            if isinstance(stamp, str):
                time = datetime.fromtimestamp(int(_hex(stamp), 16), UTC)
        return Transaction(_hex(tx.get("input")), sender.lower(), time, isinstance(block, str))


__all__ = [
    "TEST_NETWORKS",
    "Anchor",
    "BlockchainExplorers",
    "ExplorerError",
    "Transaction",
    "parse_anchor",
]
