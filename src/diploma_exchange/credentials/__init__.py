"""The shared diploma schema: a W3C VC 2.0 credential in the Open Badges 3.0 shape.

Public API:

* models — ``DiplomaCredential`` and its parts, ``DiplomaData`` (the issuing payload),
  ``IssuerProfile`` and ``build_diploma_credential``;
* ``validate_credential`` / ``ensure_valid_credential`` — the JSON Schema and profile rules;
* ``find_undefined_terms`` / ``ensure_defined_terms`` — offline JSON-LD "safe mode" expansion;
* ``load_context`` / ``document_loader`` — the bundled contexts (never the network);
* ``parse_graduating_class`` — CSV import of a graduating class;
* ``sample_diploma_data`` — deterministic demo diplomas.

See ``docs/schema.md`` for the field-by-field documentation.
"""

from diploma_exchange.credentials.contexts import (
    CONTEXTS,
    DIPLOMA_CONTEXT_URL,
    DIPLOMA_CREDENTIAL_CONTEXT,
    ContextNotBundled,
    document_loader,
    load_context,
)
from diploma_exchange.credentials.csv_import import CSV_COLUMNS, parse_graduating_class
from diploma_exchange.credentials.jsonld import ensure_defined_terms, find_undefined_terms
from diploma_exchange.credentials.models import (
    DIPLOMA_SCHEMA_ID,
    Achievement,
    AchievementSubject,
    Address,
    Alignment,
    CourseResult,
    CredentialSchemaRef,
    Credits,
    Criteria,
    DataIntegrityProof,
    DiplomaCredential,
    DiplomaData,
    Graduate,
    IdentifierEntry,
    IdentityObject,
    IssuerProfile,
    NqfLevel,
    Profile,
    ResultDescription,
    ResultEntry,
    StatusEntry,
    build_diploma,
    build_diploma_credential,
)
from diploma_exchange.credentials.samples import (
    sample_credential_id,
    sample_diploma_credential,
    sample_diploma_data,
    sample_issuer,
)
from diploma_exchange.credentials.schema import (
    ensure_valid_credential,
    generate_json_schema,
    load_json_schema,
    validate_credential,
)

__all__ = [
    "CONTEXTS",
    "CSV_COLUMNS",
    "DIPLOMA_CONTEXT_URL",
    "DIPLOMA_CREDENTIAL_CONTEXT",
    "DIPLOMA_SCHEMA_ID",
    "Achievement",
    "AchievementSubject",
    "Address",
    "Alignment",
    "ContextNotBundled",
    "CourseResult",
    "CredentialSchemaRef",
    "Credits",
    "Criteria",
    "DataIntegrityProof",
    "DiplomaCredential",
    "DiplomaData",
    "Graduate",
    "IdentifierEntry",
    "IdentityObject",
    "IssuerProfile",
    "NqfLevel",
    "Profile",
    "ResultDescription",
    "ResultEntry",
    "StatusEntry",
    "build_diploma",
    "build_diploma_credential",
    "document_loader",
    "ensure_defined_terms",
    "ensure_valid_credential",
    "find_undefined_terms",
    "generate_json_schema",
    "load_context",
    "load_json_schema",
    "parse_graduating_class",
    "sample_credential_id",
    "sample_diploma_credential",
    "sample_diploma_data",
    "sample_issuer",
    "validate_credential",
]
