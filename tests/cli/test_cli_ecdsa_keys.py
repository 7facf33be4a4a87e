"""ECDSA keys from the command line: `keys add/use/rotate --type`, `keys generate --type`,
`institutions create --key-type`, `institutions did-key --key-type`; what is issued verifies."""

from __future__ import annotations

import json
from pathlib import Path

from cli_support import create_accredited, run_cli, write
from helpers import diploma_payload


def _env(tmp_path: Path) -> dict[str, str]:
    return {
        "DIPLOMA_EXCHANGE_DATABASE_URL": f"sqlite:///{tmp_path}/keys.db",
        "DIPLOMA_EXCHANGE_PUBLIC_BASE_URL": "https://diplomas.example.kz",
    }


def _issue(tmp_path: Path, env: dict[str, str], name: str, i: int) -> dict[str, object]:
    source = write(tmp_path, f"{name}.json", [diploma_payload(i)])
    out = tmp_path / name
    done = run_cli("issue", str(source), "--institution", "kbtu", "--out-dir", str(out), env=env)
    assert done.returncode == 0, done.stderr
    path = next(out.glob("*.json"))
    assert run_cli("verify", str(path), "--offline", env=env).returncode == 0
    return json.loads(path.read_text())  # type: ignore[no-any-return]


def test_an_institution_issues_with_its_chosen_key_type(tmp_path: Path) -> None:
    env = _env(tmp_path)
    assert create_accredited(env, "kbtu", "KBTU").returncode == 0
    added = run_cli("keys", "add", "--institution", "kbtu", "--type", "P-256", "--issuing", env=env)
    assert added.returncode == 0, added.stderr
    shown = json.loads(added.stdout)
    assert shown["newKey"].endswith("#key-2") and shown["keyType"] == "P-256"
    assert shown["didKey"].startswith("did:key:zDn") and shown["issuingKeyType"] == "P-256"

    ecdsa = _issue(tmp_path, env, "ecdsa", 0)
    proofs = ecdsa["proof"]
    assert isinstance(proofs, list)
    assert [p["cryptosuite"] for p in proofs] == ["ecdsa-jcs-2019", "ecdsa-rdfc-2019"]
    assert proofs[0]["verificationMethod"].endswith("#key-2")

    did_key = run_cli("institutions", "did-key", "kbtu", env=env)
    assert did_key.stdout.strip() == shown["didKey"]
    ed = run_cli("institutions", "did-key", "kbtu", "--key-type", "Ed25519", env=env)
    assert ed.returncode == 0 and ed.stdout.strip().startswith("did:key:z6Mk")

    rotated = run_cli("keys", "rotate", "--institution", "kbtu", env=env)
    assert rotated.returncode == 0, rotated.stderr
    assert json.loads(rotated.stdout)["keyType"] == "P-256"  # the issuing key type
    assert json.loads(rotated.stdout)["newKey"].endswith("#key-3")
    after = _issue(tmp_path, env, "rotated", 1)
    assert after["proof"][0]["verificationMethod"].endswith("#key-3")  # type: ignore[index]

    back = run_cli("keys", "use", "--institution", "kbtu", "--type", "ed25519", env=env)
    assert back.returncode == 0, back.stderr
    assert json.loads(back.stdout) == {
        "issuingKeyType": "Ed25519",
        "issuingKey": "did:web:diplomas.example.kz:institutions:kbtu#key-1",
    }
    eddsa = _issue(tmp_path, env, "eddsa", 2)
    assert eddsa["proof"][0]["cryptosuite"] == "eddsa-jcs-2022"  # type: ignore[index]


def test_bad_key_types_are_usage_errors(tmp_path: Path) -> None:
    env = _env(tmp_path)
    assert create_accredited(env, "kbtu", "KBTU").returncode == 0
    for args in (
        ("keys", "add", "--institution", "kbtu", "--type", "RSA"),
        ("keys", "rotate", "--institution", "kbtu", "--type", "P-521"),
        ("institutions", "create", "x", "X", "--key-type", "secp256k1"),
    ):
        result = run_cli(*args, env=env)
        assert result.returncode == 64, (args, result.stdout, result.stderr)
    no_key = run_cli("keys", "use", "--institution", "kbtu", "--type", "P-384", env=env)
    assert no_key.returncode != 0 and "no active P-384 key" in no_key.stderr


def test_create_with_key_type_and_generate(tmp_path: Path) -> None:
    env = _env(tmp_path)
    run_cli("institutions", "create", "nic", "Test NIC", "--nic", env=env)
    created = run_cli("institutions", "create", "sdu", "SDU", "--key-type", "P-384", env=env)
    assert created.returncode == 0, created.stderr
    did_key = run_cli("institutions", "did-key", "sdu", env=env)
    assert did_key.stdout.strip().startswith("did:key:z82")

    out = tmp_path / "p256.pem"
    generated = run_cli(
        "keys",
        "generate",
        "--out",
        str(out),
        "--type",
        "P-256",
        env={**env, "DIPLOMA_EXCHANGE_KEY_PASSPHRASE": "a test passphrase"},
    )
    assert generated.returncode == 0, generated.stderr
    shown = json.loads(generated.stdout)
    assert (
        shown["keyType"] == "P-256" and shown["didKey"] == "did:key:" + shown["publicKeyMultibase"]
    )
    assert out.read_bytes().startswith(b"-----BEGIN ENCRYPTED PRIVATE KEY-----")
