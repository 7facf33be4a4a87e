"""Blockcerts anchors through blockchain explorers (formats/explorers.py, formats/blockcerts.py).

The recorded answers are the reference lookup library's (tests/formats/vectors/SOURCES.md and
the corpus); the key-binding cases use the real mainnet certificate of the corpus with its
issuer profile, changed only in the key entry's dates.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from diploma_exchange.errors import InvalidInput
from diploma_exchange.formats import StaticFetcher
from diploma_exchange.formats.explorers import (
    Anchor,
    BlockchainExplorers,
    ExplorerError,
    parse_anchor,
)
from formats.support import codes, verify

HERE = Path(__file__).resolve().parent
BLOCKCERTS = HERE.parents[0] / "corpus" / "foreign" / "envelopes" / "blockcerts"
CERT = (BLOCKCERTS / "mainnet-valid-2.0.json").read_bytes()
ISSUER = "https://blockcerts.learningmachine.com/issuer/5a4fe9931f607f0f3452a65e.json"
PROFILE = json.loads(
    (BLOCKCERTS / "documents" / "v2-issuer-profile-5a4fe9931f607f0f3452a65e.json").read_text()
)
REVOCATIONS = (
    BLOCKCERTS / "documents" / "v2-revocation-list-5a4fe9931f607f0f3452a65e.json"
).read_bytes()
TX = "2378076e8e140012814e98a2b2cb1af07ec760b239c1d6d93ba54d658a010ecd"
ESPLORA = "https://blockstream.info/api"
ANSWER = (BLOCKCERTS / "documents" / "explorer" / "blockstream-tx-2378076e.json").read_bytes()
ETH_TX = "0xa12c498c8fcf59ee2fe785c94c38be4797fb027e6450439a7ef30ad61d7616d3"
ETHERSCAN = "https://api.etherscan.io/api?apikey=test"


@pytest.mark.parametrize(
    ("anchor", "expected"),
    [
        (
            {"sourceId": TX, "type": "BTCOpReturn", "chain": "bitcoinMainnet"},
            Anchor("btc", "mainnet", TX),
        ),
        ({"sourceId": TX, "type": "BTCOpReturn"}, Anchor("btc", None, TX)),
        (
            {"sourceId": "0xab", "type": "ETHData", "chain": "ethereumSepolia"},
            Anchor("eth", "sepolia", "0xab"),
        ),
        (f"blink:btc:testnet:{TX}", Anchor("btc", "testnet", TX)),
        ("blink:mocknet:abc", Anchor("mocknet", "mocknet", "abc")),
    ],
)
def test_anchors_are_read_as_cert_issuer_writes_them(anchor: object, expected: Anchor) -> None:
    assert parse_anchor(anchor) == expected


@pytest.mark.parametrize(
    "anchor", [None, "blink:btc", {"type": "BTCOpReturn"}, {"sourceId": TX, "chain": "dogecoin"}]
)
def test_unreadable_anchors_are_named(anchor: object) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_anchor(anchor)
    assert caught.value.code == "unknown-anchor"


def test_esplora_answer() -> None:
    explorers = BlockchainExplorers(
        StaticFetcher({f"{ESPLORA}/tx/{TX}": ANSWER}), {"btc:mainnet": ESPLORA}
    )
    found = explorers.lookup(Anchor("btc", "mainnet", TX))
    assert found.remote_hash == "b2ceea1d52627b6ed8d919ad1039eca32f6e099ef4a357cbb7f7361c471ea6c8"
    assert found.issuing_address == "1AwdUWQzJgfDDjeKtpPzMfYMHejFBrxZfo"
    assert found.time == datetime.fromtimestamp(1518049414, UTC)
    assert found.confirmed
    # an anchor without a network: the configured Bitcoin networks are tried in turn
    both = BlockchainExplorers(
        StaticFetcher({f"{ESPLORA}/tx/{TX}": ANSWER}),
        {"btc:testnet": "https://blockstream.info/testnet/api", "btc:mainnet": ESPLORA},
    )
    assert both.lookup(Anchor("btc", None, TX)).issuing_address == found.issuing_address
    with pytest.raises(ExplorerError) as caught:
        explorers.lookup(Anchor("btc", "testnet", TX))
    assert caught.value.code == "no-explorer"


@pytest.mark.parametrize(
    "answer",
    [
        {"vout": [], "vin": [{}]},
        {
            "vout": [{"scriptpubkey": "6a20" + "00" * 32}, {"scriptpubkey": "6a20" + "11" * 32}],
            "vin": [{"prevout": {"scriptpubkey_address": "1x"}}],
        },
        {"vout": [{"scriptpubkey": "6a20" + "00" * 32}], "vin": [{"prevout": {}}]},
        ["not", "a", "transaction"],
    ],
)
def test_esplora_answers_that_are_not_one_anchoring_transaction(answer: Any) -> None:
    explorers = BlockchainExplorers(
        StaticFetcher({f"{ESPLORA}/tx/{TX}": json.dumps(answer).encode()}), {"btc:mainnet": ESPLORA}
    )
    with pytest.raises(ExplorerError) as caught:
        explorers.lookup(Anchor("btc", "mainnet", TX))
    assert caught.value.code == "explorer-bad-answer"


def test_etherscan_answer() -> None:
    tx = (HERE / "vectors" / "explorers" / "etherscan-eth_getTransactionByHash.json").read_bytes()
    block = json.dumps(
        {"jsonrpc": "2.0", "id": 1, "result": {"number": "0x57375b", "timestamp": "0x5cf38b02"}}
    ).encode()
    fetcher = StaticFetcher(
        {
            f"{ETHERSCAN}&module=proxy&action=eth_getTransactionByHash&txhash={ETH_TX}": tx,
            f"{ETHERSCAN}&module=proxy&action=eth_getBlockByNumber&tag=0x57375b&boolean=false": block,
        }
    )
    found = BlockchainExplorers(fetcher, {"eth:ropsten": ETHERSCAN}).lookup(
        Anchor("eth", "ropsten", ETH_TX)
    )
    assert found.remote_hash == "ec049a808a09f3e8e257401e0898aa3d32a733706fd7d16aacf0ba95f7b42c0c"
    assert found.issuing_address == "0x3d995ef85a8d1bcbed78182ab225b9f88dc8937c"
    assert found.time == datetime(2019, 6, 2, 8, 38, 26, tzinfo=UTC)


def _verify(
    profile: dict[str, Any], explorers: dict[str, str] | None = None
) -> dict[str, tuple[str, str]]:
    documents = {
        f"{ESPLORA}/tx/{TX}": ANSWER,
        ISSUER: json.dumps(profile).encode(),
        profile["revocationList"]: REVOCATIONS,
    }
    explorer = BlockchainExplorers(
        StaticFetcher(documents), explorers if explorers is not None else {"btc:mainnet": ESPLORA}
    )
    report = verify(CERT, trusted=[ISSUER], documents=documents, blockchain_explorer=explorer)
    return {**codes(report), "verdict": (report.verdict.value, "")}


def _profile_with(**dates: str) -> dict[str, Any]:
    profile = json.loads(json.dumps(PROFILE))
    for key in profile["publicKey"]:
        if key["id"].endswith("1AwdUWQzJgfDDjeKtpPzMfYMHejFBrxZfo"):
            key.update(dates)
    return profile


def test_the_real_mainnet_certificate_is_valid_when_its_anchor_is_looked_up() -> None:
    outcome = _verify(PROFILE)
    assert outcome["proof.anchor"] == ("passed", "anchored")
    assert outcome["proof.key-binding"] == ("passed", "issuer-key")
    assert outcome["key.validity"] == ("passed", "key-valid-at-anchoring")
    assert outcome["verdict"][0] == "valid"


@pytest.mark.parametrize(
    ("dates", "code"),
    [
        ({"revoked": "2018-02-08T00:00:00Z"}, "key-revoked"),
        ({"expires": "2018-02-08T00:23:00Z"}, "key-expired"),
        ({"created": "2018-03-01T00:00:00Z"}, "key-not-yet-valid"),
    ],
)
def test_a_key_that_was_not_the_issuers_when_mined_is_invalid(
    dates: dict[str, str], code: str
) -> None:
    outcome = _verify(_profile_with(**dates))
    assert outcome["proof.key-binding"] == ("failed", code)
    assert outcome["verdict"][0] == "invalid"


def test_a_key_revoked_after_the_transaction_still_vouches() -> None:
    outcome = _verify(_profile_with(revoked="2019-01-01T00:00:00Z"))
    assert outcome["proof.key-binding"] == ("passed", "issuer-key")
    assert outcome["verdict"][0] == "valid"


def test_without_an_explorer_for_the_chain_the_anchor_is_not_checked() -> None:
    outcome = _verify(PROFILE, explorers={"btc:testnet": "https://blockstream.info/testnet/api"})
    assert outcome["proof.anchor"] == ("error", "anchor-not-checked")
    assert outcome["verdict"][0] == "indeterminate"


def test_an_unreachable_explorer_is_indeterminate() -> None:
    explorer = BlockchainExplorers(StaticFetcher({}), {"btc:mainnet": ESPLORA})
    report = verify(
        CERT,
        trusted=[ISSUER],
        documents={ISSUER: json.dumps(PROFILE).encode(), PROFILE["revocationList"]: REVOCATIONS},
        blockchain_explorer=explorer,
    )
    assert codes(report)["proof.anchor"] == ("error", "explorer-unavailable")
    assert report.verdict.value == "indeterminate"
