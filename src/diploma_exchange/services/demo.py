"""Demo data: a NIC, two universities with the demo keys from ``keys/demo``, a few diplomas.

Idempotent: running it again reuses what exists. The demo keys and API keys are public
(committed to git) and marked demo-only; ``Settings`` refuses the demo passphrase in
production, and this seeder refuses to run there.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlmodel import Session, select

from diploma_exchange.config import Settings
from diploma_exchange.credentials import sample_diploma_data
from diploma_exchange.db.models import ApiKeyRecord, CredentialRecord, InstitutionRecord
from diploma_exchange.documents.signatories import Signatory
from diploma_exchange.errors import ConfigurationError
from diploma_exchange.proofs import keys
from diploma_exchange.services import institutions, issuance, sharing, trust
from diploma_exchange.trust.accreditation import Scope

DEMO_INSTITUTIONS: list[dict[str, Any]] = [
    {
        "slug": "nic",
        "kind": "nic",
        "name": "National Center for Higher Education Development (demo NIC)",
        "name_translations": {
            "kk": "Жоғары білімді дамыту ұлттық орталығы (демо)",
            "ru": "Национальный центр развития высшего образования (демо)",
        },
    },
    {
        "slug": "kaznu",
        "kind": "university",
        "name": "Al-Farabi Kazakh National University (demo)",
        "name_translations": {
            "kk": "Әл-Фараби атындағы Қазақ ұлттық университеті (демо)",
            "ru": "Казахский национальный университет имени аль-Фараби (демо)",
        },
        "url": "https://www.kaznu.kz",
        # Fictitious officials: demo diplomas must not carry a real person's name.
        "signatories": [
            {
                "name": {
                    "kk": "Айбек Сейітов (демо)",
                    "ru": "Айбек Сеитов (демо)",
                    "en": "Aibek Seitov (demo)",
                },
                "title": {"kk": "Ректор", "ru": "Ректор", "en": "Rector"},
            },
            {
                "name": {
                    "kk": "Дана Омарова (демо)",
                    "ru": "Дана Омарова (демо)",
                    "en": "Dana Omarova (demo)",
                },
                "title": {
                    "kk": "Тіркеу бөлімінің басшысы",
                    "ru": "Руководитель офиса регистратора",
                    "en": "Registrar",
                },
            },
        ],
    },
    {
        "slug": "enu",
        "kind": "university",
        "name": "L.N. Gumilyov Eurasian National University (demo)",
        "name_translations": {
            "kk": "Л.Н. Гумилев атындағы Еуразия ұлттық университеті (демо)",
            "ru": "Евразийский национальный университет имени Л.Н. Гумилёва (демо)",
        },
        "url": "https://enu.kz",
    },
]


@dataclass
class DemoSummary:
    institutions: list[InstitutionRecord] = field(default_factory=list)
    api_keys: dict[str, str] = field(default_factory=dict)  # slug -> plaintext demo key
    diploma_ids: list[str] = field(default_factory=list)
    #: Fresh claim codes for the demo diplomas nobody has claimed yet (the old ones stop working).
    claim_codes: list[sharing.ClaimCode] = field(default_factory=list)


def _load_demo_api_keys(keys_dir: Path) -> dict[str, str]:
    path = keys_dir / "api-keys.json"
    data = json.loads(path.read_text())
    return {k: v for k, v in data.items() if not k.startswith("_")}


def _ensure_api_key(
    session: Session, token: str, role: str, inst: InstitutionRecord | None
) -> None:
    match = institutions.API_KEY_RE.fullmatch(token)
    if match is None:
        raise ConfigurationError("a demo API key in keys/demo/api-keys.json is malformed")
    prefix, secret = match.groups()
    if session.exec(select(ApiKeyRecord).where(ApiKeyRecord.prefix == prefix)).first():
        return
    session.add(
        ApiKeyRecord(
            prefix=prefix,
            secret_sha256=hashlib.sha256(secret.encode()).hexdigest(),
            role=role,
            institution_id=inst.id if inst else None,
            label="demo key (public, demo only)",
        )
    )


def seed(
    session: Session, settings: Settings, keys_dir: Path, diplomas_per_university: int = 3
) -> DemoSummary:
    """Create (or reuse) the demo NIC, universities, API keys and diplomas."""
    if settings.environment == "production":
        raise ConfigurationError("demo data is refused in production")
    summary = DemoSummary()
    api_keys = _load_demo_api_keys(keys_dir)
    phrase = settings.passphrase_bytes()
    for spec in DEMO_INSTITUTIONS:
        slug = spec["slug"]
        record = session.exec(
            select(InstitutionRecord).where(InstitutionRecord.slug == slug)
        ).first()
        if record is None:
            private = keys.load_private_key((keys_dir / f"{slug}.pem").read_bytes(), phrase)
            record, _ = institutions.register_institution(
                session,
                settings,
                slug=slug,
                name=spec["name"],
                name_translations=spec["name_translations"],
                url=spec.get("url"),
                kind=spec["kind"],
                private_key=private,
                signatories=[Signatory.model_validate(s) for s in spec.get("signatories", [])],
            )
        summary.institutions.append(record)
        role = institutions.ROLE_ADMIN if spec["kind"] == "nic" else institutions.ROLE_INSTITUTION
        if slug in api_keys:
            _ensure_api_key(session, api_keys[slug], role, record if role != "admin" else None)
            summary.api_keys[slug] = api_keys[slug]
    session.flush()
    for record in summary.institutions:
        if record.kind == "university" and not trust.accreditation_documents(session, record):
            trust.accredit(
                session,
                settings,
                record,
                scope=Scope(isced_levels=("6", "7", "8")),
                accrediting_body="IAAR - Independent Agency for Accreditation and Rating (demo record)",
                valid_from=datetime(2016, 1, 1, tzinfo=UTC),
            )
    for offset, record in enumerate(r for r in summary.institutions if r.kind == "university"):
        existing = session.exec(
            select(CredentialRecord.id).where(CredentialRecord.institution_id == record.id)
        ).all()
        if existing:
            summary.diploma_ids.extend(existing[:diplomas_per_university])
            continue
        principal = institutions.Principal(
            role="institution", api_key_id="demo", institution=record
        )
        data = [sample_diploma_data(offset * 10 + i) for i in range(diplomas_per_university)]
        batch = issuance.issue_diplomas(session, settings, principal, data)
        summary.diploma_ids.extend(c["id"] for c in batch.credentials)
    minted = sharing.mint_claim_codes(session, settings, summary.diploma_ids, only_unclaimed=True)
    summary.claim_codes = [minted[i] for i in summary.diploma_ids if i in minted]
    return summary
