"""This service's checkpoints, tiles, entry bundles and proofs, checked by Go's
``golang.org/x/mod/sumdb/note`` and ``sumdb/tlog`` (an independent implementation)."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session

import go_checker
from conftest import Tenant
from diploma_exchange.config import Settings
from diploma_exchange.proofs.keys import generate_private_key
from diploma_exchange.services import transparency
from diploma_exchange.transparency import merkle, tiles
from diploma_exchange.transparency.checkpoint import Checkpoint, sign_checkpoint
from diploma_exchange.transparency.note import NoteSigner
from helpers import diploma_payload


@pytest.fixture(scope="module")
def gocheck(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return go_checker.build(tmp_path_factory.mktemp("go"))


def _synthetic(session: Session, count: int, issuer: str, start: int = 0) -> None:
    digests = [f"{start + i:064x}" for i in range(count)]
    transparency.log_issued(session, issuer, f"{issuer}#key-1", digests)


def test_go_verifies_the_served_log(
    gocheck: Path,
    client: TestClient,
    kaznu: Tenant,
    admin_key: str,
    engine: Engine,
    settings: Settings,
    tmp_path: Path,
) -> None:
    admin = {"Authorization": f"Bearer {admin_key}"}
    for i in range(3):
        assert (
            client.post("/v1/diplomas", json=diploma_payload(i), headers=kaznu.headers).status_code
            == 201
        )
    # More than one level-0 tile, so that level 1 has hashes and partial tiles at two levels.
    with Session(engine) as session:
        _synthetic(session, 300, kaznu.did)
        session.commit()
    old = client.post("/v1/log/checkpoints", headers=admin).json()
    old_size = old["treeSize"]
    old_root = base64.b64decode(old["checkpoint"].split("\n")[2])
    with Session(engine) as session:
        _synthetic(session, 250, kaznu.did, start=1000)
        session.commit()
    client.post("/v1/log/checkpoints", headers=admin)
    checkpoint = client.get("/log/checkpoint").text
    size = int(checkpoint.split("\n")[1])
    assert size > 512 and old_size > 256

    files: dict[str, bytes] = {}
    refs = tiles.tiles_for_size(size) + list(tiles.iter_entry_tiles(0, size))
    for ref in refs:
        response = client.get(f"/log/{ref.path()}")
        assert response.status_code == 200, ref.path()
        files[ref.path()] = response.content
    inclusion = []
    for index in (0, 1, 255, 256, old_size - 1, size - 1):
        proof = client.get(
            "/log/v1/proof/inclusion", params={"index": index, "treeSize": size}
        ).json()["proof"]
        inclusion.append((index, size, [base64.b64decode(h) for h in proof]))
    consistency = []
    for first in (1, 256, old_size, size - 1, size):
        proof = client.get(
            "/log/v1/proof/consistency", params={"first": first, "second": size}
        ).json()["proof"]
        with Session(engine) as session:
            root = merkle.mth(tiles.TileHashReader(transparency._tile_source(session)), 0, first)
        consistency.append((first, size, root, [base64.b64decode(h) for h in proof]))
    assert consistency[2][2] == old_root
    vkey = client.get("/log/v1/info").json()["vkey"]
    go_checker.write_dump(
        tmp_path / "dump",
        vkey=vkey,
        checkpoint=checkpoint,
        files=files,
        inclusion=inclusion,
        consistency=consistency,
    )
    output = go_checker.run(gocheck, tmp_path / "dump")
    assert f"size={size} entries={size}" in output


def test_go_verifies_a_three_level_tree(gocheck: Path, tmp_path: Path) -> None:
    """70,000 leaves (c2sp.org/tlog-tiles' own example): full and partial tiles at levels 0,
    1 and 2, built by this service's integration in several rounds."""
    signer = NoteSigner("example.kz/log", generate_private_key())
    store: dict[tuple[int, int], bytes] = {}

    def source(level: int, index: int) -> bytes:
        return store[(level, index)]

    entries = [f"entry {i}".encode() for i in range(70_000)]
    size = 0
    for step in (1, 255, 257, 40_000, 29_487):
        grown = tiles.integrate(
            size, [merkle.leaf_hash(e) for e in entries[size : size + step]], source
        )
        store.update(grown.tiles)
        size, root = grown.size, grown.root
    assert size == 70_000
    widths = {k: len(v) // 32 for k, v in store.items() if k[0] > 0}
    assert widths == {(1, 0): 256, (1, 1): 17, (2, 0): 1}
    files = {
        ref.path(): store[(ref.level, ref.index)][: ref.width * 32]
        for ref in tiles.tiles_for_size(size)
        if ref.level is not None
    }
    for ref in tiles.iter_entry_tiles(0, size):
        files[ref.path()] = tiles.encode_bundle(
            entries[ref.index * 256 : ref.index * 256 + ref.width]
        )
    reader = tiles.TileHashReader(source)
    inclusion = [
        (i, size, merkle.inclusion_proof(reader, i, size)) for i in (0, 65_535, 65_536, 69_999)
    ]
    consistency = [
        (m, size, merkle.mth(reader, 0, m), merkle.consistency_proof(reader, m, size))
        for m in (1, 3, 65_536, 69_998)
    ]
    checkpoint = sign_checkpoint(Checkpoint("example.kz/log", size, root), signer)
    go_checker.write_dump(
        tmp_path / "dump",
        vkey=signer.verifier.vkey,
        checkpoint=checkpoint,
        files=files,
        inclusion=inclusion,
        consistency=consistency,
        all_entries=False,
    )
    assert "size=70000" in go_checker.run(gocheck, tmp_path / "dump")


def test_go_rejects_a_tampered_dump(gocheck: Path, tmp_path: Path) -> None:
    """The checker can fail: one flipped bit in a tile, or a checkpoint signed by another key."""
    signer = NoteSigner("example.kz/log", generate_private_key())
    entries = [f"entry {i}".encode() for i in range(300)]
    store: dict[tuple[int, int], bytes] = {}
    grown = tiles.integrate(0, [merkle.leaf_hash(e) for e in entries], lambda l, i: store[(l, i)])
    store.update(grown.tiles)
    files = {
        r.path(): store[(r.level, r.index)][: r.width * 32]
        for r in tiles.tiles_for_size(300)
        if r.level is not None
    }
    for ref in tiles.iter_entry_tiles(0, 300):
        files[ref.path()] = tiles.encode_bundle(
            entries[ref.index * 256 : ref.index * 256 + ref.width]
        )
    good = sign_checkpoint(Checkpoint("example.kz/log", 300, grown.root), signer)
    go_checker.write_dump(tmp_path / "ok", vkey=signer.verifier.vkey, checkpoint=good, files=files)
    go_checker.run(gocheck, tmp_path / "ok")

    bad_entry = dict(files)
    bundle = bytearray(bad_entry["tile/entries/001.p/44"])
    bundle[-1] ^= 1
    bad_entry["tile/entries/001.p/44"] = bytes(bundle)
    go_checker.write_dump(
        tmp_path / "entry", vkey=signer.verifier.vkey, checkpoint=good, files=bad_entry
    )
    with pytest.raises(AssertionError, match="entry 299"):
        go_checker.run(gocheck, tmp_path / "entry")

    other = NoteSigner("example.kz/log", generate_private_key())
    forged = sign_checkpoint(Checkpoint("example.kz/log", 300, grown.root), other)
    go_checker.write_dump(
        tmp_path / "key", vkey=signer.verifier.vkey, checkpoint=forged, files=files
    )
    with pytest.raises(AssertionError, match="note.Open"):
        go_checker.run(gocheck, tmp_path / "key")
