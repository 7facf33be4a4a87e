"""Accreditation records: a NIC's signed, time-bounded statement that an institution may award
qualifications of some levels and fields.

A record is a W3C VC 2.0 credential of type ``AccreditationCredential`` issued by the NIC's
DID, with the institution as subject. Records are never edited: a withdrawal is a new record
(status ``withdrawn``) whose ``validFrom`` is the moment of withdrawal and which supersedes
the earlier one, so the history stays verifiable. :func:`accreditation_at` answers "was this
institution accredited for this level and field at that moment?" from a set of records.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

from diploma_exchange.errors import InvalidInput

ACCREDITATION_CONTEXT = "https://w3id.org/diploma-exchange/v1"
ACCREDITATION_TYPE = "AccreditationCredential"
Status = Literal["accredited", "conditional", "withdrawn"]
STATUSES: tuple[str, ...] = ("accredited", "conditional", "withdrawn")


@dataclass(frozen=True, slots=True)
class Scope:
    """What an institution may award. Empty tuples mean "any"; ISCED-F codes match by
    prefix (a broad field ``06`` covers ``0613``); levels are ISCED 2011 first digits."""

    isced_levels: tuple[str, ...] = ()
    isced_fields: tuple[str, ...] = ()
    programme_codes: tuple[str, ...] = ()

    def covers(
        self, *, level: str | None, field_code: str | None, programme: str | None
    ) -> tuple[bool, str]:
        """Whether a qualification of that level / field / programme is in scope, and why not."""
        if self.isced_levels and (level is None or level[:1] not in self.isced_levels):
            return (
                False,
                f"ISCED level {level!r} is outside the accredited levels {list(self.isced_levels)}",
            )
        if self.isced_fields and (
            field_code is None or not any(field_code.startswith(f) for f in self.isced_fields)
        ):
            return (
                False,
                f"ISCED-F field {field_code!r} is outside the accredited fields {list(self.isced_fields)}",
            )
        if self.programme_codes and programme not in self.programme_codes:
            return False, f"programme {programme!r} is not an accredited programme"
        return True, "in scope"

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"type": "AccreditationScope"}
        if self.isced_levels:
            out["iscedLevels"] = list(self.isced_levels)
        if self.isced_fields:
            out["iscedFields"] = list(self.isced_fields)
        if self.programme_codes:
            out["programmeCodes"] = list(self.programme_codes)
        return out

    @classmethod
    def from_json(cls, value: Any) -> Scope:
        if not isinstance(value, Mapping):
            return cls()

        def strings(name: str) -> tuple[str, ...]:
            items = value.get(name) or []
            if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
                raise InvalidInput(
                    f"scope.{name} must be a list of strings",
                    pointer=f"/credentialSubject/scope/{name}",
                )
            return tuple(items)

        return cls(strings("iscedLevels"), strings("iscedFields"), strings("programmeCodes"))


@dataclass(frozen=True, slots=True)
class AccreditationRecord:
    """The content of one accreditation credential."""

    id: str
    nic: str
    institution: str
    status: str
    scope: Scope
    valid_from: datetime
    valid_until: datetime | None
    accrediting_body: str
    legal_names: Mapping[str, str] = field(default_factory=dict)
    country: str | None = None
    supersedes: str | None = None


def _xsd(moment: datetime) -> str:
    # In UTC first: a time given with another offset was written as local time + "Z". And
    # isoformat, not strftime: glibc's %Y does not pad years before 1000 to four digits.
    if moment.utcoffset() is None:
        return moment.isoformat()
    return moment.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def build_accreditation_credential(record: AccreditationRecord) -> dict[str, Any]:
    """The unsigned AccreditationCredential of ``record``."""
    if record.status not in STATUSES:
        raise InvalidInput(f"status must be one of {', '.join(STATUSES)}", pointer="/status")
    if record.valid_until is not None and record.valid_until <= record.valid_from:
        raise InvalidInput("validUntil must be after validFrom", pointer="/validUntil")
    subject: dict[str, Any] = {
        "id": record.institution,
        "type": "AccreditedInstitution",
        "accreditationStatus": record.status,
        "scope": record.scope.to_json(),
        "accreditingBody": record.accrediting_body,
    }
    if record.legal_names:
        subject["legalName"] = dict(record.legal_names)
    if record.country:
        subject["addressCountryCode"] = record.country
    credential: dict[str, Any] = {
        "@context": ["https://www.w3.org/ns/credentials/v2", ACCREDITATION_CONTEXT],
        "id": record.id,
        "type": ["VerifiableCredential", ACCREDITATION_TYPE],
        "issuer": record.nic,
        "validFrom": _xsd(record.valid_from),
        "credentialSubject": subject,
    }
    if record.valid_until is not None:
        credential["validUntil"] = _xsd(record.valid_until)
    if record.supersedes:
        credential["supersedes"] = record.supersedes
    return credential


def _parse_time(value: Any, pointer: str) -> datetime:
    if not isinstance(value, str):
        raise InvalidInput("a date-time is required", pointer=pointer)
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError as exc:
        raise InvalidInput(f"{value!r} is not a date-time", pointer=pointer) from exc
    if parsed.tzinfo is None:
        raise InvalidInput("the date-time needs a time zone", pointer=pointer)
    return parsed


def parse_accreditation_credential(credential: Mapping[str, Any]) -> AccreditationRecord:
    """The record inside an AccreditationCredential (its proof is the caller's to verify).

    Raises:
        InvalidInput: not an AccreditationCredential, or a malformed field (with a pointer).
    """
    types = credential.get("type")
    if not isinstance(types, list) or ACCREDITATION_TYPE not in types:
        raise InvalidInput("not an AccreditationCredential", pointer="/type")
    subject = credential.get("credentialSubject")
    if not isinstance(subject, Mapping) or not isinstance(subject.get("id"), str):
        raise InvalidInput(
            "credentialSubject.id (the institution's DID) is required",
            pointer="/credentialSubject/id",
        )
    issuer = credential.get("issuer")
    nic = issuer.get("id") if isinstance(issuer, Mapping) else issuer
    if not isinstance(nic, str):
        raise InvalidInput("issuer is required", pointer="/issuer")
    status = subject.get("accreditationStatus")
    if status not in STATUSES:
        raise InvalidInput(
            f"accreditationStatus must be one of {', '.join(STATUSES)}",
            pointer="/credentialSubject/accreditationStatus",
        )
    names = subject.get("legalName") or {}
    return AccreditationRecord(
        id=str(credential.get("id", "")),
        nic=nic,
        institution=str(subject["id"]),
        status=str(status),
        scope=Scope.from_json(subject.get("scope")),
        valid_from=_parse_time(credential.get("validFrom"), "/validFrom"),
        valid_until=_parse_time(credential["validUntil"], "/validUntil")
        if credential.get("validUntil")
        else None,
        accrediting_body=str(subject.get("accreditingBody", "")),
        legal_names=dict(names) if isinstance(names, Mapping) else {},
        country=subject.get("addressCountryCode")
        if isinstance(subject.get("addressCountryCode"), str)
        else None,
        supersedes=credential.get("supersedes")
        if isinstance(credential.get("supersedes"), str)
        else None,
    )


@dataclass(frozen=True, slots=True)
class AccreditationDecision:
    """Whether the institution was accredited for the qualification at the moment asked."""

    accredited: bool | None  # None: no record at all for this institution
    code: str
    message: str
    record_id: str | None = None


def accreditation_at(
    records: Iterable[AccreditationRecord],
    *,
    institution: str,
    moment: datetime,
    level: str | None,
    field_code: str | None,
    programme: str | None = None,
) -> AccreditationDecision:
    """Decide from ``records`` (already verified) whether ``institution`` was accredited for
    this qualification at ``moment``.

    A record applies from its ``validFrom`` until its ``validUntil`` or until a later record
    of the same NIC supersedes it (a withdrawal is such a later record)."""
    mine = sorted((r for r in records if r.institution == institution), key=lambda r: r.valid_from)
    if not mine:
        return AccreditationDecision(
            None, "no-accreditation-record", f"no accreditation record for {institution}"
        )
    superseded_at: dict[str, datetime] = {}
    for record in mine:
        if record.supersedes:
            superseded_at[record.supersedes] = min(
                record.valid_from, superseded_at.get(record.supersedes, record.valid_from)
            )
    in_force: list[AccreditationRecord] = []
    for record in mine:
        end = min(
            [t for t in (record.valid_until, superseded_at.get(record.id)) if t is not None],
            default=None,
        )
        if record.valid_from <= moment and (end is None or moment < end):
            in_force.append(record)
    if not in_force:
        first, last = mine[0], mine[-1]
        if moment < first.valid_from:
            return AccreditationDecision(
                False,
                "not-yet-accredited",
                f"{institution} was first accredited on {_xsd(first.valid_from)}, after this diploma was issued",
                first.id,
            )
        return AccreditationDecision(
            False,
            "accreditation-lapsed",
            f"{institution} was not accredited on {_xsd(moment)} (the last record is {last.status} from {_xsd(last.valid_from)})",
            last.id,
        )
    current = in_force[-1]
    if current.status == "withdrawn":
        return AccreditationDecision(
            False,
            "accreditation-withdrawn",
            f"{institution}'s accreditation was withdrawn on {_xsd(current.valid_from)}, before this diploma was issued",
            current.id,
        )
    covered, why = current.scope.covers(level=level, field_code=field_code, programme=programme)
    if not covered:
        return AccreditationDecision(
            False,
            "outside-accredited-scope",
            f"{institution} was accredited, but {why}",
            current.id,
        )
    return AccreditationDecision(
        True,
        "accredited",
        f"{institution} was {current.status} by {current.accrediting_body or current.nic} for this qualification on {_xsd(moment)}",
        current.id,
    )


def qualification_of(
    credential: Mapping[str, Any],
) -> tuple[str | None, str | None, str | None, datetime | None]:
    """(ISCED level, ISCED-F field, programme code, issue moment) of a diploma credential."""
    subject = credential.get("credentialSubject")
    achievement = subject.get("achievement") if isinstance(subject, Mapping) else None
    level = field_code = programme = None
    if isinstance(achievement, Mapping):
        level = (
            achievement.get("iscedLevel")
            if isinstance(achievement.get("iscedLevel"), str)
            else None
        )
        field_code = (
            achievement.get("iscedFieldCode")
            if isinstance(achievement.get("iscedFieldCode"), str)
            else None
        )
        programme = (
            achievement.get("humanCode") if isinstance(achievement.get("humanCode"), str) else None
        )
    issued = credential.get("validFrom") or credential.get("issuanceDate")
    moment = None
    if isinstance(issued, str):
        try:
            moment = datetime.fromisoformat(issued)
        except ValueError:
            moment = None
        if moment is not None and moment.tzinfo is None:
            moment = None
    return level, field_code, programme, moment


def sort_history(records: Sequence[AccreditationRecord]) -> list[AccreditationRecord]:
    return sorted(records, key=lambda r: (r.institution, r.valid_from))
