"""The only settings object. Everything configurable comes from ``DIPLOMA_EXCHANGE_*`` env vars.

Outside development the settings refuse demo secrets: a production deployment must bring its
own key passphrase.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

#: Passphrase that protects the demo keys in ``keys/``. Refused outside development.
DEMO_KEY_PASSPHRASE = "demo-only-not-a-secret"


class Settings(BaseSettings):
    """Service settings (environment variables prefixed ``DIPLOMA_EXCHANGE_``)."""

    model_config = SettingsConfigDict(env_prefix="DIPLOMA_EXCHANGE_", env_file=None, extra="ignore")

    environment: Literal["development", "test", "production"] = "development"
    database_url: str = "sqlite:///./var/diploma-exchange.db"
    #: Optional read replica (PostgreSQL streaming replica) for the public read-only traffic:
    #: verifications, status lists, DID documents and key event logs. Unset: the primary.
    database_read_url: str | None = None
    #: Public base URL of this service; institutions' did:web identifiers live under it.
    public_base_url: str = "http://localhost:8000"
    #: Passphrase that encrypts institutions' private keys (PKCS#8). Or a file holding it.
    key_passphrase: SecretStr | None = None
    key_passphrase_file: Path | None = None

    max_body_bytes: int = Field(default=2 * 1024 * 1024, ge=1024)
    max_json_depth: int = Field(default=32, ge=4, le=512)
    max_batch_size: int = Field(default=2000, ge=1)
    max_csv_rows: int = Field(default=10000, ge=1)

    #: Graduates and share links.
    claim_code_days: int = Field(default=180, ge=1, le=3650)
    graduate_session_days: int = Field(default=30, ge=1, le=365)
    share_link_default_days: int = Field(default=30, ge=1)
    share_link_max_days: int = Field(default=365, ge=1, le=3650)
    #: Request header with the viewer's ISO country code, set by a trusted proxy or CDN
    #: (e.g. ``CF-IPCountry``); unset: the access log records no country.
    client_country_header: str | None = None
    #: Uploads on the verification page (PDF, images, JSON).
    max_upload_bytes: int = Field(default=10 * 1024 * 1024, ge=1024)
    max_pdf_pages: int = Field(default=50, ge=1)
    max_image_pixels: int = Field(default=40_000_000, ge=10_000)
    #: What pypdf may inflate while reading an uploaded PDF's catalog and attachment (object
    #: and cross-reference streams): per stream, for the whole file, and its object count.
    max_pdf_stream_bytes: int = Field(default=1024 * 1024, ge=64 * 1024)
    max_pdf_inflate_bytes: int = Field(default=4 * 1024 * 1024, ge=64 * 1024)
    max_pdf_objects: int = Field(default=50_000, ge=100)

    #: Diplomas are secured with a proof set: the eddsa-jcs-2022 proof (first; it names the
    #: diploma in the issuance register and the transparency log) and an independent
    #: eddsa-rdfc-2022 proof by the same key, so that verifiers that know only RDFC
    #: (DCC's verifier-core, the Learner Credential Wallet) accept them too. Off: the
    #: eddsa-jcs-2022 proof alone. Canonicalisation at issuance obeys the rdfc_* bounds below.
    #: An institution whose issuing key is P-256/P-384 gets ecdsa-jcs-2019 + ecdsa-rdfc-2019.
    issue_rdfc_proof: bool = True

    #: RDF canonicalization (RDFC-1.0, for *-rdfc-* proofs of other issuers): statements per
    #: document, value comparisons while merging nodes, and work units of the blank-node
    #: search (Hash N-Degree Quads), like rdf-canonize's maxDeepIterations. Over a limit the
    #: proof is reported as not checkable (work-limit-exceeded), never as forged.
    rdfc_max_quads: int = Field(default=10_000, ge=100)
    rdfc_max_node_map_comparisons: int = Field(default=250_000, ge=1_000)
    rdfc_max_work: int = Field(default=200_000, ge=1_000)

    #: Hosts (exact names) for which did:web may be resolved over plain http and to
    #: loopback/private addresses. Empty in production.
    fetch_allow_hosts: list[str] = Field(default_factory=list)
    fetch_timeout_seconds: float = Field(default=5.0, gt=0, le=60)
    fetch_max_bytes: int = Field(default=256 * 1024, ge=1024)
    #: Total time of one outbound fetch: connect, TLS, headers and every read of the body.
    fetch_deadline_seconds: float = Field(default=10.0, gt=0, le=120)
    #: Outbound fetches under way at once per process, and how long a fetch waits for a
    #: free slot before failing with ``fetch-busy`` (reported as "could not check").
    fetch_max_concurrent: int = Field(default=8, ge=1, le=256)
    fetch_queue_wait_seconds: float = Field(default=0.5, ge=0, le=30)

    #: Trust anchors for sealed credentials (Europass JAdES/XAdES seals, JWT ``x5c``
    #: chains): a PEM file of CA certificates taken from an EU trust list (qualified seal
    #: CAs), and the list's name for reports. Unset: no trust list, and a seal's signer is
    #: named but not trusted (verdict indeterminate).
    seal_trust_anchors_file: Path | None = None
    #: Blockcerts anchors: chain (``btc:mainnet``, ``btc:testnet``, ``eth:mainnet``,
    #: ``eth:sepolia``...) -> explorer API (Esplora for Bitcoin, e.g.
    #: ``https://blockstream.info/api``; Etherscan-compatible for Ethereum, e.g.
    #: ``https://api.etherscan.io/api?apikey=...``), asked through the safe fetcher. Empty:
    #: anchors are not looked up and Blockcerts verdicts stay indeterminate.
    blockcerts_explorers: dict[str, str] = Field(default_factory=dict)
    seal_trust_list_name: str = "the configured EU trust list"

    #: Status lists are published with ``validUntil`` = signing time + this, and re-signed
    #: (unchanged bits) once half of it has passed; verifiers refuse an expired list. Shorter
    #: means a pre-revocation copy is useless sooner; longer, that a verifier offline can use
    #: a copy longer. ``ttl`` (how long a verifier may cache a fetched list) in seconds.
    status_list_validity_seconds: int = Field(default=86_400, ge=300, le=30 * 86_400)
    status_list_ttl_seconds: int = Field(default=300, ge=1, le=86_400)

    #: Abuse limits. Counters live in the database (every worker sees them), or in Redis
    #: when ``rate_limit_redis_url`` is set (e.g. ``redis://127.0.0.1:6379/0``).
    rate_limit_redis_url: str | None = None
    #: Anonymous verifications (``POST /v1/verifications``, ``/credentials/verify``) per
    #: client address per minute, and for the whole service per minute.
    verify_per_client_per_minute: int = Field(default=120, ge=1)
    verify_global_per_minute: int = Field(default=12_000, ge=1)
    #: Recognition assessments (each stores a NIC-signed statement) per minute.
    recognition_per_client_per_minute: int = Field(default=20, ge=1)
    recognition_global_per_minute: int = Field(default=600, ge=1)
    #: Client networks exempt from the verification and recognition limits (CIDR), e.g. a
    #: partner NIC's verifier or this service's own benchmark host.
    rate_limit_exempt: list[str] = Field(default_factory=list)

    #: Issuance transparency log. Its origin (and checkpoint key name) defaults to
    #: ``<public host>/log``; the witness's key name to ``<public host>/witness``.
    log_origin: str | None = None
    log_witness_name: str | None = None
    #: Seconds between checkpoints while leaves arrive (0: only on demand, e.g. in tests).
    log_checkpoint_interval_seconds: float = Field(default=5.0, ge=0, le=3600)
    #: Seconds after which an unchanged checkpoint is sent to the witnesses again, so that
    #: verifiers see fresh cosignatures on a quiet log.
    log_witness_refresh_seconds: float = Field(default=300.0, ge=1, le=86400)
    log_witness_timeout_seconds: float = Field(default=10.0, gt=0, le=60)

    #: Wallets (OpenID4VCI / OpenID4VP): lifetimes of a credential offer, of the access
    #: token its code is exchanged for, of a c_nonce, of a presentation request, and how old
    #: a wallet's key proof may be.
    wallet_offer_minutes: int = Field(default=15, ge=1, le=1440)
    wallet_token_seconds: int = Field(default=300, ge=30, le=3600)
    wallet_nonce_seconds: int = Field(default=300, ge=30, le=3600)
    wallet_proof_max_age_seconds: int = Field(default=300, ge=30, le=3600)
    presentation_request_minutes: int = Field(default=15, ge=1, le=1440)

    @model_validator(mode="after")
    def _refuse_demo_secrets(self) -> Settings:
        if self.environment == "production":
            phrase = self.passphrase_bytes()
            if phrase is None:
                raise ValueError(
                    "DIPLOMA_EXCHANGE_KEY_PASSPHRASE or DIPLOMA_EXCHANGE_KEY_PASSPHRASE_FILE "
                    "must be set in production"
                )
            if phrase == DEMO_KEY_PASSPHRASE.encode():
                raise ValueError("the demo key passphrase is refused in production")
            if self.fetch_allow_hosts:
                raise ValueError(
                    "fetch_allow_hosts (plain-http / loopback DIDs) is refused in production"
                )
        return self

    def passphrase_bytes(self) -> bytes | None:
        """The key passphrase as bytes, from the variable or the file; None when unset."""
        if self.key_passphrase is not None:
            return self.key_passphrase.get_secret_value().encode()
        if self.key_passphrase_file is not None:
            return self.key_passphrase_file.read_bytes().strip()
        if self.environment != "production":
            return DEMO_KEY_PASSPHRASE.encode()
        return None

    @property
    def public_host(self) -> str:
        """Host[:port] of the public base URL."""
        return urlsplit(self.public_base_url).netloc

    @property
    def effective_log_origin(self) -> str:
        """The log's origin: a schema-less URL prefix (c2sp.org/tlog-tiles §Parameters)."""
        return self.log_origin or f"{self.public_host}/log"

    @property
    def effective_witness_name(self) -> str:
        return self.log_witness_name or f"{self.public_host}/witness"

    @property
    def effective_fetch_allow_hosts(self) -> frozenset[str]:
        """Hosts that may be fetched over http / on loopback: configured ones, and in
        development this service's own host (so did:web of the demo works locally)."""
        hosts = set(self.fetch_allow_hosts)
        if self.environment != "production":
            hosts.add(self.public_host)
        return frozenset(hosts)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings (cached; tests build their own ``Settings``)."""
    return Settings()
