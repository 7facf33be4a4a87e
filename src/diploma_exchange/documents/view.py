"""A display model of a diploma credential, read tolerantly from untrusted JSON.

Pages and PDFs show what a credential *says*, whether or not it verified, so nothing here may
raise on odd input: every field is optional, wrong types become "absent", and long strings are
cut. Escaping is the renderer's job (Jinja2 autoescape, PDF text drawing); this module only
picks values out.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

#: Languages of the interface and the documents, in display order.
LANGUAGES: tuple[str, ...] = ("kk", "ru", "en")

_MAX_TEXT = 500
_MAX_ROWS = 200


def _text(value: Any, limit: int = _MAX_TEXT) -> str | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        try:
            return str(value)[:limit]
        except ValueError:
            # An int of more than sys.get_int_max_str_digits() digits refuses str().
            return None
    if isinstance(value, str):
        value = value.strip()
        return value[:limit] if value else None
    return None


def _langmap(value: Any) -> dict[str, str]:
    """A language map ({"kk": ..., "en": ...}) or a plain string (stored under "")."""
    if isinstance(value, str):
        text = _text(value)
        return {"": text} if text else {}
    if isinstance(value, Mapping):
        out: dict[str, str] = {}
        for key, item in list(value.items())[:20]:
            text = _text(item)
            if isinstance(key, str) and text:
                out[key[:16]] = text
        return out
    return {}


def pick(names: Mapping[str, str], lang: str) -> str | None:
    """The text for ``lang``, else English, else any language; None when empty."""
    for key in (lang, "en", ""):
        if names.get(key):
            return names[key]
    return next(iter(names.values()), None)


def _obj(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _list(value: Any) -> Sequence[Any]:
    if isinstance(value, list):
        return value[:_MAX_ROWS]
    return [value] if isinstance(value, Mapping) else []


def _date(value: Any) -> str | None:
    """The date part (YYYY-MM-DD) of an xsd:dateTime or date; the text itself otherwise."""
    text = _text(value, 40)
    if text and len(text) >= 10 and text[4] == "-" and text[7] == "-":
        return text[:10]
    return text


@dataclass(frozen=True, slots=True)
class TranscriptLine:
    code: str | None
    title: dict[str, str]
    credits: str | None
    grade: str | None
    grade_points: str | None
    term: str | None


@dataclass(frozen=True, slots=True)
class ResultLine:
    name: str | None
    value: str | None
    result_type: str | None = None


@dataclass(frozen=True, slots=True)
class DiplomaView:
    """What a person reads on a diploma, each value optional."""

    credential_id: str | None = None
    types: tuple[str, ...] = ()
    holder_name: dict[str, str] = field(default_factory=dict)
    holder_given_name: dict[str, str] = field(default_factory=dict)
    holder_family_name: dict[str, str] = field(default_factory=dict)
    date_of_birth: str | None = None
    student_id: str | None = None
    qualification: dict[str, str] = field(default_factory=dict)
    achievement_type: str | None = None
    field_of_study: str | None = None
    specialization: str | None = None
    programme_code: str | None = None
    description: str | None = None
    isced_field: str | None = None
    isced_level: str | None = None
    nqf_framework: str | None = None
    nqf_level: str | None = None
    eqf_level: str | None = None
    official_length: str | None = None
    credits_value: str | None = None
    credits_system: str | None = None
    credits_ects: str | None = None
    credits_earned: str | None = None
    languages_of_instruction: tuple[str, ...] = ()
    mode_of_study: str | None = None
    access_requirements: dict[str, str] = field(default_factory=dict)
    access_to_further_study: dict[str, str] = field(default_factory=dict)
    professional_status: dict[str, str] = field(default_factory=dict)
    honours: dict[str, str] = field(default_factory=dict)
    criteria: str | None = None
    institution_name: str | None = None
    institution_id: str | None = None
    institution_url: str | None = None
    institution_country: str | None = None
    institution_country_code: str | None = None
    institution_locality: str | None = None
    awarded_date: str | None = None
    valid_from: str | None = None
    valid_until: str | None = None
    study_start: str | None = None
    study_end: str | None = None
    diploma_number: str | None = None
    results: tuple[ResultLine, ...] = ()
    transcript: tuple[TranscriptLine, ...] = ()
    #: How many transcript lines the credential has; more than ``len(transcript)`` when cut.
    transcript_total: int = 0
    grade_scale: tuple[str, ...] = ()
    #: The GPA's scale and the lowest GPA that passes (its result description).
    gpa_min: str | None = None
    gpa_max: str | None = None
    gpa_pass_mark: str | None = None

    def holder(self, lang: str) -> str | None:
        return pick(self.holder_name, lang)

    def qualification_name(self, lang: str) -> str | None:
        return pick(self.qualification, lang)


def diploma_view(credential: Any) -> DiplomaView:
    """Read a :class:`DiplomaView` out of any JSON value; never raises."""
    doc = _obj(credential)
    issuer = doc.get("issuer")
    issuer_obj = _obj(issuer)
    address = _obj(issuer_obj.get("address"))
    subjects = _list(doc.get("credentialSubject"))
    subject = _obj(subjects[0]) if subjects else {}
    graduate = _obj(subject.get("graduate"))
    achievement = _obj(subject.get("achievement"))
    nqf = _obj(achievement.get("nqfLevel"))
    credits = _obj(achievement.get("credits"))

    qualification = _langmap(achievement.get("localizedName"))
    name = _text(achievement.get("name"))
    if name and not qualification:
        qualification = {"": name}
    if not qualification and _text(doc.get("name")):
        qualification = {"": str(_text(doc.get("name")))}

    descriptions = {
        _text(_obj(d).get("id")): _obj(d) for d in _list(achievement.get("resultDescription"))
    }
    results = []
    grade_scale: tuple[str, ...] = ()
    gpa: Mapping[str, Any] = next(
        (d for d in descriptions.values() if d.get("resultType") == "GradePointAverage"), {}
    )
    for entry in _list(subject.get("result")):
        entry_obj = _obj(entry)
        description = descriptions.get(_text(entry_obj.get("resultDescription")), {})
        results.append(
            ResultLine(
                name=_text(description.get("name")) or _text(description.get("resultType")),
                value=_text(entry_obj.get("value")),
                result_type=_text(description.get("resultType"), 64),
            )
        )
    for description in descriptions.values():
        allowed = description.get("allowedValue")
        if isinstance(allowed, list) and not grade_scale:
            grade_scale = tuple(t for t in (_text(a, 16) for a in allowed[:30]) if t)

    transcript = tuple(
        TranscriptLine(
            code=_text(row.get("code"), 40),
            title=_langmap(row.get("title")),
            credits=_text(row.get("creditsEarned"), 16),
            grade=_text(row.get("grade"), 16),
            grade_points=_text(row.get("gradePoints"), 16),
            term=_text(row.get("term"), 32),
        )
        for row in (_obj(r) for r in _list(subject.get("transcript")))
    )
    raw = subject.get("transcript")
    student_id = None
    for ident in _list(subject.get("identifier")):
        ident_obj = _obj(ident)
        if ident_obj.get("identityType") in ("sisSourcedId", "studentId") and not ident_obj.get(
            "hashed"
        ):
            student_id = _text(ident_obj.get("identityHash"), 64)
    languages = tuple(
        t
        for t in (_text(v, 16) for v in _list_of_str(achievement.get("languageOfInstruction")))
        if t
    )
    eqf = achievement.get("eqfLevel")
    return DiplomaView(
        credential_id=_text(doc.get("id")),
        types=tuple(t for t in (_text(v, 64) for v in _list_of_str(doc.get("type"))) if t),
        holder_name=_langmap(graduate.get("fullName")),
        holder_given_name=_langmap(graduate.get("givenName")),
        holder_family_name=_langmap(graduate.get("familyName")),
        date_of_birth=_date(graduate.get("dateOfBirth")),
        student_id=student_id,
        qualification=qualification,
        achievement_type=_text(achievement.get("achievementType"), 64),
        field_of_study=_text(achievement.get("fieldOfStudy")),
        specialization=_text(achievement.get("specialization")),
        programme_code=_text(achievement.get("humanCode"), 64),
        description=_text(achievement.get("description")),
        isced_field=_text(achievement.get("iscedFieldCode"), 8),
        isced_level=_text(achievement.get("iscedLevel"), 8),
        nqf_framework=_text(nqf.get("framework"), 32),
        nqf_level=_text(nqf.get("level"), 8),
        eqf_level=_text(eqf, 4) if isinstance(eqf, int) and not isinstance(eqf, bool) else None,
        official_length=_text(achievement.get("officialLength"), 32),
        credits_value=_text(credits.get("value"), 16),
        credits_system=_text(credits.get("system"), 32),
        credits_ects=_text(credits.get("ectsEquivalent"), 16),
        credits_earned=_text(subject.get("creditsEarned"), 16),
        languages_of_instruction=languages,
        mode_of_study=_text(achievement.get("modeOfStudy"), 32),
        access_requirements=_langmap(achievement.get("accessRequirements")),
        access_to_further_study=_langmap(achievement.get("accessToFurtherStudy")),
        professional_status=_langmap(achievement.get("professionalStatus")),
        honours=_langmap(subject.get("honours")),
        criteria=_text(_obj(achievement.get("criteria")).get("narrative")),
        institution_name=_text(issuer_obj.get("name")),
        institution_id=_text(issuer_obj.get("id")) or _text(issuer),
        institution_url=_text(issuer_obj.get("url")),
        institution_country=_text(address.get("addressCountry"), 64),
        institution_country_code=_text(address.get("addressCountryCode"), 2),
        institution_locality=_text(address.get("addressLocality"), 64),
        awarded_date=_date(doc.get("awardedDate")),
        valid_from=_date(doc.get("validFrom")),
        valid_until=_date(doc.get("validUntil")),
        study_start=_date(subject.get("activityStartDate")),
        study_end=_date(subject.get("activityEndDate")),
        diploma_number=_text(subject.get("diplomaNumber"), 64),
        results=tuple(results),
        transcript=transcript,
        transcript_total=max(len(transcript), len(raw) if isinstance(raw, list) else 0),
        grade_scale=grade_scale,
        gpa_min=_text(gpa.get("valueMin"), 16),
        gpa_max=_text(gpa.get("valueMax"), 16),
        gpa_pass_mark=_text(gpa.get("requiredValue"), 16),
    )


def _list_of_str(value: Any) -> Sequence[Any]:
    if isinstance(value, str):
        return [value]
    return value[:_MAX_ROWS] if isinstance(value, list) else []
