"""Any single change to a signed diploma makes it invalid; only changes that are not changes
of the signed JSON data survive.

What eddsa-jcs-2022 signs (VC DI EdDSA v1.0 §3.3): SHA-256(JCS(proof options)) ||
SHA-256(JCS(document without ``proof``)). JCS (RFC 8785) serialises the JSON *data model*, so
every member at every depth, in the document and in the proof options, is covered, plus
``proofValue`` itself (it is the signature). The property test below draws one path anywhere in
a diploma issued by the real service (``POST /v1/diplomas``), applies one mutation and runs the
in-process pipeline the API uses (``services.verification.verify``):

- outside ``proof``: ``proof.signature`` must be **failed** and the verdict **invalid**;
- inside ``proof``: never valid; ``proof.signature`` failed, except that a proof whose suite or
  key can no longer be determined (``type``/``cryptosuite`` changed to an unknown suite,
  ``verificationMethod`` naming a key that does not exist) is ``error`` / indeterminate: the
  verifier cannot check it, so it does not call it a forgery; the verdict is indeterminate
  (or invalid when the schema also rejects the proof's shape), never valid.

Changes that are legitimately *not* detected, each pinned by its own test here:

1. Serialisation, not data: whitespace, member order, string escapes (``\\u0041`` for ``A``,
   ``\\/``), number spelling (``5``, ``5.0``, ``5e0``, ``50E-1``). JCS maps them to the same
   bytes. In particular ``1`` vs ``1.0``: RFC 8785 (and I-JSON) numbers are IEEE 754 doubles,
   so ``1`` and ``1.0`` are the same number and canonicalise to ``1``. Decision: the verifier
   must not tell them apart either; the whole verdict stays **valid** (the schema agrees:
   JSON Schema's ``integer`` is "a number with a zero fractional part").
2. ``proof`` as a one-element array instead of the object: VC DI §2.1 lets ``proof`` be one
   proof or a set of proofs; a set of one is the same proof, and ``proof`` is not signed.
   Verdict **valid**.
3. Entries *appended* to the document's top-level ``@context`` after the proof's own
   ``@context``: Verify Proof (§3.3.2) step 4 only requires the document's ``@context`` to
   *start with* the proof's and then hashes the proof's, so the signature still verifies (by
   design: it lets contexts be added without re-signing). The signature check passes; whether
   the verdict stays valid is up to the schema, which today accepts any extra context (see
   the test's docstring).

The duplicate-key case is not a data-model change at all: it is refused by the strict JSON
parser before anything is verified.
"""

from __future__ import annotations

import copy
import json
import math
import random
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, event, given, note, settings
from hypothesis import strategies as st
from sqlalchemy.engine import Engine
from sqlmodel import Session

from conftest import Tenant
from diploma_exchange import strict_json
from diploma_exchange.config import Settings
from diploma_exchange.proofs.jcs import canonicalize
from diploma_exchange.services import verification
from diploma_exchange.verification.report import CheckName, CheckStatus, Verdict, VerificationReport
from helpers import diploma_payload

Path = tuple[str | int, ...]

PROPERTY_SETTINGS = settings(
    max_examples=200,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

#: One verifier, one database: the mutations do not depend on the backend.
sqlite_only = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)

#: Proof results that mean "cannot be checked" rather than "forged" (see the module docstring).
INDETERMINATE_CODES = frozenset({"unresolvable-key", "unsupported-cryptosuite", "unknown-context"})

# Latin letters and their look-alikes (Cyrillic, Greek, fullwidth).
HOMOGLYPHS = {
    "a": "\u0430",
    "c": "\u0441",
    "e": "\u0435",
    "o": "\u043e",
    "p": "\u0440",
    "x": "\u0445",
    "y": "\u0443",
    "i": "\u0456",
    "A": "\u0391",
    "B": "\u0392",
    "E": "\u0395",
    "K": "\u039a",
    "M": "\u039c",
    "T": "\u03a4",
    "0": "\u041e",
    "1": "\uff11",
    "-": "\u2010",
    ":": "\u2236",
    "/": "\u2215",
    ".": "\u2024",
}
#: Whitespace and invisible characters a human reader cannot see.
INVISIBLES = ["\u00a0", "\u2009", "\u200b", "\u200d", "\ufeff", "\t", " ", "\n", "\u3000"]
#: Non-BMP characters (surrogate pairs in UTF-16, which JCS sorts and escapes by).
NON_BMP = ["\U0001f600", "\U00010000", "\U0001d41a", "\U00020000", "\U0010fffd"]


# --- the signed diploma ----------------------------------------------------------------------


@dataclass
class Issued:
    document: dict[str, Any]
    verify: Callable[[dict[str, Any]], VerificationReport]


@pytest.fixture
def issued(
    client: TestClient, kaznu: Tenant, engine: Engine, settings: Settings
) -> Iterator[Issued]:
    """A diploma signed by the service (status entries, accredited issuer) and a verifier."""
    response = client.post("/v1/diplomas", json=diploma_payload(0), headers=kaznu.headers)
    assert response.status_code == 201, response.text
    document: dict[str, Any] = response.json()["verifiableCredential"]
    with Session(engine, expire_on_commit=False) as session:

        def verify(credential: dict[str, Any]) -> VerificationReport:
            return verification.verify(session, settings, credential)

        baseline = verify(document)
        assert baseline.verdict is Verdict.VALID, baseline.to_json()
        yield Issued(document, verify)


def check_of(report: VerificationReport, name: CheckName) -> tuple[CheckStatus, str]:
    found = next(c for c in report.checks if c.name is name)
    return found.status, found.code


# --- paths and mutations ---------------------------------------------------------------------


def all_paths(node: Any, prefix: Path = ()) -> list[Path]:
    """Every member and array element, at every depth (not the root itself)."""
    out: list[Path] = []
    if isinstance(node, dict | list):
        children: Any = node.items() if isinstance(node, dict) else enumerate(node)
        for key, child in children:
            out.append((*prefix, key))
            out.extend(all_paths(child, (*prefix, key)))
    return out


def get_at(doc: Any, path: Path) -> Any:
    for part in path:
        doc = doc[part]
    return doc


def replaced(doc: dict[str, Any], path: Path, value: Any) -> dict[str, Any]:
    out = copy.deepcopy(doc)
    get_at(out, path[:-1])[path[-1]] = value
    return out


def _jcs(value: Any) -> bytes | str:
    try:
        return canonicalize(value)
    except Exception as exc:  # noqa: BLE001 - an uncanonicalisable mutation is still a change
        return repr(exc)


@dataclass(frozen=True)
class Mutation:
    kind: str
    path: Path
    detail: str
    document: dict[str, Any]

    @property
    def in_proof(self) -> bool:
        return bool(self.path) and self.path[0] == "proof"


chars = st.one_of(
    st.characters(exclude_categories=["Cs"]),
    st.sampled_from([*HOMOGLYPHS.values(), *INVISIBLES, *NON_BMP, '"', "\\", "\x00", "\x7f"]),
)


def mutate_string(data: st.DataObject, text: str) -> tuple[str, str]:
    """One character-level change of ``text``; returns (new text, what was done)."""
    ops = ["replace", "insert", "delete", "homoglyph", "invisible", "non-bmp", "normalise"]
    op = data.draw(st.sampled_from(ops), label="string op")
    if not text:
        op = "insert"
    if op == "normalise":
        forms = [
            unicodedata.normalize(f, text) for f in ("NFC", "NFD", "NFKC", "NFKD")
        ]  # e.g. Kazakh "й" = "и" + U+0306 in NFD
        different = [f for f in forms if f != text]
        if different:
            return data.draw(st.sampled_from(different), label="normal form"), "normal form"
        op = "homoglyph"
    if op == "homoglyph":
        spots = [i for i, ch in enumerate(text) if ch in HOMOGLYPHS]
        if spots:
            i = data.draw(st.sampled_from(spots), label="index")
            return text[:i] + HOMOGLYPHS[text[i]] + text[i + 1 :], f"homoglyph at {i}"
        op = "replace"
    if op == "delete":
        i = data.draw(st.integers(0, len(text) - 1), label="index")
        return text[:i] + text[i + 1 :], f"delete {i}"
    if op in ("insert", "invisible"):
        i = data.draw(st.integers(0, len(text)), label="index")
        pool = st.sampled_from(INVISIBLES) if op == "invisible" else chars
        ch = data.draw(pool, label="char")
        return text[:i] + ch + text[i:], f"insert {ch!r} at {i}"
    i = data.draw(st.integers(0, len(text) - 1), label="index")
    pool = st.sampled_from(NON_BMP) if op == "non-bmp" else chars
    ch = data.draw(pool.filter(lambda c: c != text[i]), label="char")
    return text[:i] + ch + text[i + 1 :], f"replace {i} by {ch!r}"


def mutate_number(data: st.DataObject, number: float) -> tuple[Any, str]:
    ops: list[tuple[str, Callable[[float], Any]]] = [
        ("+1", lambda n: n + 1),
        ("-1", lambda n: n - 1),
        ("+0.5", lambda n: n + 0.5),
        ("*10", lambda n: n * 10 if n else 7),
        ("negate", lambda n: -n if n else -1),
        ("next double", lambda n: math.nextafter(float(n), math.inf)),
        ("0.1 more", lambda n: round(n + 0.1, 10)),
    ]
    name, op = data.draw(st.sampled_from(ops), label="number op")
    return op(number), name


def mutations(data: st.DataObject, doc: dict[str, Any], paths: list[Path]) -> Mutation:
    # A quarter of the draws inside the proof: it has few members but all of them matter.
    proof = [p for p in paths if p[0] == "proof"]
    region = data.draw(st.sampled_from(["anywhere", "anywhere", "anywhere", "proof"]))
    path = data.draw(st.sampled_from(proof if region == "proof" else paths), label="path")
    value = get_at(doc, path)
    parent = get_at(doc, path[:-1])
    kinds = ["delete"]
    if isinstance(value, str):
        kinds += ["string", "string->list"]
    elif isinstance(value, bool):
        kinds += ["flip", "bool->string"]
    elif isinstance(value, int | float):
        kinds += ["number", "number->string"]
    elif isinstance(value, dict):
        kinds += ["add member"] + ([] if path == ("proof",) else ["object->list"])
    elif isinstance(value, list):
        kinds += ["duplicate element", "list->first element"]
        if len({_jcs(v) for v in value}) > 1:
            kinds.append("reorder")
    if isinstance(parent, dict):
        kinds.append("rename key")
    kind = data.draw(st.sampled_from(kinds), label="kind")

    detail = ""
    new_doc: dict[str, Any]
    if kind == "delete":
        new_doc = copy.deepcopy(doc)
        del get_at(new_doc, path[:-1])[path[-1]]
    elif kind == "string":
        new_value, detail = mutate_string(data, value)
        new_doc = replaced(doc, path, new_value)
    elif kind == "string->list":
        new_doc = replaced(doc, path, [value])
    elif kind == "flip":
        new_doc = replaced(doc, path, not value)
    elif kind in ("bool->string", "number->string"):
        new_doc = replaced(doc, path, json.dumps(value))
    elif kind == "number":
        new_value, detail = mutate_number(data, value)
        new_doc = replaced(doc, path, new_value)
    elif kind == "add member":
        key = data.draw(st.text(chars, min_size=1, max_size=8).filter(lambda k: k not in value))
        extra = data.draw(
            st.one_of(st.none(), st.booleans(), st.integers(-9, 9), st.text(chars, max_size=5))
        )
        new_doc = replaced(doc, path, {**value, key: extra})
        detail = f"{key!r}: {extra!r}"
    elif kind == "object->list":
        new_doc = replaced(doc, path, [value])
    elif kind == "duplicate element":
        j = data.draw(st.integers(0, len(value) - 1), label="element")
        k = data.draw(st.integers(0, len(value)), label="at")
        new_doc = replaced(doc, path, [*value[:k], copy.deepcopy(value[j]), *value[k:]])
        detail = f"copy {j} to {k}"
    elif kind == "list->first element":
        new_doc = replaced(doc, path, value[0])
    elif kind == "reorder":
        order = data.draw(
            st.permutations(range(len(value))).filter(
                lambda o: [_jcs(value[i]) for i in o] != [_jcs(v) for v in value]
            ),
            label="order",
        )
        new_doc = replaced(doc, path, [value[i] for i in order])
        detail = str(order)
    else:  # rename key
        old = str(path[-1])
        new_key, detail = mutate_string(data, old)
        new_doc = copy.deepcopy(doc)
        target = get_at(new_doc, path[:-1])
        renamed = {(new_key if k == old else k): v for k, v in target.items()}
        target.clear()
        target.update(renamed)
    return Mutation(kind, path, detail, new_doc)


def appends_context_only(original: dict[str, Any], mutated: dict[str, Any]) -> bool:
    """Invisible change 3: only entries appended to the document's ``@context``."""
    before, after = original.get("@context"), mutated.get("@context")
    if not isinstance(after, list) or not isinstance(before, list) or len(after) <= len(before):
        return False
    rest = {k: v for k, v in mutated.items() if k != "@context"}
    return after[: len(before)] == before and _jcs(rest) == _jcs(
        {k: v for k, v in original.items() if k != "@context"}
    )


# --- the properties --------------------------------------------------------------------------


@sqlite_only
def test_any_single_change_invalidates_the_diploma(issued: Issued) -> None:
    doc = issued.document
    paths = all_paths(doc)
    original = _jcs(doc)

    @PROPERTY_SETTINGS
    @given(st.data())
    def property_(data: st.DataObject) -> None:
        mutation = mutations(data, doc, paths)
        # Never a silent no-op: the mutated data model must differ from the signed one.
        assert _jcs(mutation.document) != original, mutation
        pointer = "/" + "/".join(map(str, mutation.path))
        note(f"{mutation.kind} at {pointer}: {mutation.detail}")
        event(f"{'proof' if mutation.in_proof else 'document'}: {mutation.kind}")
        report = issued.verify(mutation.document)
        signature = check_of(report, CheckName.PROOF_SIGNATURE)
        note(f"verdict {report.verdict}; signature {signature}")
        if appends_context_only(doc, mutation.document):
            # Invisible change 3 (module docstring): the signature must still verify.
            event("invisible: @context appended")
            assert signature == (CheckStatus.PASSED, "verified")
            return
        assert report.verdict is not Verdict.VALID
        if signature[0] is CheckStatus.ERROR:
            # Cannot be checked (module docstring): indeterminate, or invalid when another
            # check (the schema's proof shape) fails outright.
            assert mutation.in_proof and signature[1] in INDETERMINATE_CODES
        else:
            assert signature[0] is CheckStatus.FAILED
            assert report.verdict is Verdict.INVALID

    property_()


@sqlite_only
def test_every_proof_value_change_fails(issued: Issued) -> None:
    """``proofValue`` is not signed, it *is* the signature: each one-character change fails."""
    doc = issued.document
    value = doc["proof"]["proofValue"]

    @settings(PROPERTY_SETTINGS, max_examples=100)
    @given(st.data())
    def property_(data: st.DataObject) -> None:
        changed, detail = mutate_string(data, value)
        note(detail)
        report = issued.verify({**doc, "proof": {**doc["proof"], "proofValue": changed}})
        status, code = check_of(report, CheckName.PROOF_SIGNATURE)
        assert status is CheckStatus.FAILED
        assert code in ("signature-mismatch", "malformed-proof")
        assert report.verdict is Verdict.INVALID

    property_()


# --- invisible changes: what the verifier must do ----------------------------------------------


def number_paths(doc: dict[str, Any]) -> list[Path]:
    return [
        p
        for p in all_paths(doc)
        if isinstance(get_at(doc, p), int | float) and not isinstance(get_at(doc, p), bool)
    ]


@sqlite_only
def test_one_and_one_point_zero_are_the_same_number(issued: Issued) -> None:
    """Invisible change 1: an integer written as a float (wire ``5.0``) is the same JSON
    number; the signature, the schema and hence the verdict must not tell them apart."""
    doc = issued.document
    integers = [p for p in number_paths(doc) if isinstance(get_at(doc, p), int)]
    assert len(integers) > 10, "the sample diploma should have integers to rewrite"
    all_floats = copy.deepcopy(doc)
    for path in integers:
        single = replaced(doc, path, float(get_at(doc, path)))
        assert canonicalize(single) == canonicalize(doc)
        report = issued.verify(single)
        assert report.verdict is Verdict.VALID, (path, report.to_json())
        get_at(all_floats, path[:-1])[path[-1]] = float(get_at(doc, path))
    assert issued.verify(all_floats).verdict is Verdict.VALID


def respell(rng: random.Random, node: Any) -> str:
    """``node`` as JSON text with random whitespace, member order, escapes and number spelling."""
    if isinstance(node, dict):
        items = list(node.items())
        rng.shuffle(items)
        gap = rng.choice(["", " ", "\n  ", "\t"])
        parts = [f"{respell(rng, k)}:{respell(rng, v)}" for k, v in items]
        return "{" + gap + ("," + gap).join(parts) + gap + "}"
    if isinstance(node, list):
        return "[" + ", ".join(respell(rng, v) for v in node) + "]"
    if isinstance(node, str):
        style = rng.choice(["utf8", "ascii", "escape all", "slash"])
        if style == "utf8":
            return json.dumps(node, ensure_ascii=False)
        if style == "ascii":
            return json.dumps(node, ensure_ascii=True)
        if style == "slash":
            return json.dumps(node, ensure_ascii=False).replace("/", "\\/")
        return escape_all(node)
    if isinstance(node, bool) or node is None:
        return json.dumps(node)
    if isinstance(node, int):
        return rng.choice(["{}", "{}.0", "{}e0", "{}0E-1", "{}.000"]).format(node)
    return rng.choice([repr(node), f"{node}0", f"{Decimal(repr(node)).scaleb(2):f}e-2"])


@sqlite_only
def test_serialisation_variants_stay_valid(issued: Issued) -> None:
    """Invisible change 1: the same data written differently parses (strictly) to a document
    with the same canonical form, and verifies."""
    doc = issued.document

    @settings(PROPERTY_SETTINGS, max_examples=50)
    @given(st.integers(0, 2**32).map(random.Random))
    def property_(rng: random.Random) -> None:
        text = respell(rng, doc)
        parsed = strict_json.loads(text)
        assert canonicalize(parsed) == canonicalize(doc)
        report = issued.verify(parsed)
        assert report.verdict is Verdict.VALID, report.to_json()

    property_()


@sqlite_only
def test_a_proof_set_of_one_is_the_same_proof(issued: Issued) -> None:
    """Invisible change 2: ``"proof": [proof]`` is the same (unsigned) proof set."""
    wrapped = {**issued.document, "proof": [issued.document["proof"]]}
    assert issued.verify(wrapped).verdict is Verdict.VALID


@sqlite_only
def test_appended_context_keeps_the_signature(issued: Issued) -> None:
    """Invisible change 3, as eddsa-jcs-2022 §3.3.2 step 4 requires: the document's
    ``@context`` only has to *start with* the proof's. Whether such a diploma is otherwise
    acceptable is the schema's decision (today it is: the diploma schema allows additional
    contexts, as VC 2.0 does); changing any of the signed entries is detected."""
    doc = issued.document
    appended = {**doc, "@context": [*doc["@context"], "https://example.org/extra-context"]}
    assert check_of(issued.verify(appended), CheckName.PROOF_SIGNATURE) == (
        CheckStatus.PASSED,
        "verified",
    )
    prepended = {**doc, "@context": ["https://example.org/extra-context", *doc["@context"]]}
    assert check_of(issued.verify(prepended), CheckName.PROOF_SIGNATURE) == (
        CheckStatus.FAILED,
        "context-mismatch",
    )


# --- duplicate keys: refused before verification -----------------------------------------------


def object_paths(doc: dict[str, Any]) -> list[Path]:
    return [(), *(p for p in all_paths(doc) if isinstance(get_at(doc, p), dict))]


def escape_all(key: str) -> str:
    units = key.encode("utf-16-be")
    return '"' + "".join(f"\\u{units[i : i + 2].hex()}" for i in range(0, len(units), 2)) + '"'


def dumps_with_duplicate(
    node: Any, target: Path, key: str, value: Any, *, first: bool, escaped: bool, at: Path = ()
) -> str:
    """JSON text of ``node`` where the object at ``target`` has ``key`` a second time."""

    def dump(child: Any, path: Path) -> str:
        return dumps_with_duplicate(
            child, target, key, value, first=first, escaped=escaped, at=path
        )

    if isinstance(node, dict):
        members = [f"{json.dumps(k)}:{dump(v, (*at, k))}" for k, v in node.items()]
        if at == target:
            spelled = escape_all(key) if escaped else json.dumps(key)
            extra = f"{spelled}:{json.dumps(value)}"
            members = [extra, *members] if first else [*members, extra]
        return "{" + ",".join(members) + "}"
    if isinstance(node, list):
        return "[" + ",".join(dump(v, (*at, i)) for i, v in enumerate(node)) + "]"
    return json.dumps(node)


duplicate_values = st.one_of(
    st.none(), st.booleans(), st.integers(-5, 5), st.text(chars, max_size=8)
)


@st.composite
def duplicated(draw: st.DrawFn, doc: dict[str, Any]) -> tuple[str, str]:
    path = draw(st.sampled_from(object_paths(doc)))
    key = draw(st.sampled_from(sorted(get_at(doc, path))))
    value = draw(st.one_of(st.just(get_at(doc, (*path, key))), duplicate_values))
    text = dumps_with_duplicate(
        doc, path, key, value, first=draw(st.booleans()), escaped=draw(st.booleans())
    )
    return text, key


@sqlite_only
def test_duplicate_keys_are_refused(issued: Issued, client: TestClient) -> None:
    """The strict parser (and so the API) refuses a duplicated member anywhere, whichever copy
    comes first and however the key is escaped; the stdlib parser would silently keep one."""
    doc = issued.document
    assert strict_json.loads(json.dumps(doc)) == doc  # the control: no duplicate, accepted

    @PROPERTY_SETTINGS
    @given(duplicated(doc))
    def parser(case: tuple[str, str]) -> None:
        text, key = case
        json.loads(text)  # the stdlib accepts it: last one wins
        with pytest.raises(strict_json.DuplicateKeyError) as caught:
            strict_json.loads(text)
        assert caught.value.code == "duplicate-key"
        assert caught.value.extra == {"key": key}

    parser()

    @settings(PROPERTY_SETTINGS, max_examples=15)
    @given(duplicated(doc))
    def api(case: tuple[str, str]) -> None:
        text, _ = case
        response = client.post(
            "/v1/verifications",
            content=text.encode(),
            headers={"Content-Type": "application/json"},
        )
        assert response.status_code == 400, response.text
        assert response.json()["code"] == "duplicate-key"

    api()
