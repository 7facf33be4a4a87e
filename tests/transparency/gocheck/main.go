// gocheck verifies a transparency log dump with Go's golang.org/x/mod/sumdb/note and
// sumdb/tlog: an implementation independent of the service's (RFC 9162 hashing, C2SP
// tiles with tlog's own tile arithmetic, note signatures with note's own key ID rules).
//
// Usage: gocheck DIR. DIR holds `vkey`, `checkpoint` (a signed note), the C2SP tiles and
// entry bundles under `tile/`, and `proofs.json` with the service's inclusion and
// consistency proofs. It prints "ok ..." and exits 0, or prints the failure and exits 1.
package main

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

type inclusion struct {
	Index int64    `json:"index"`
	Size  int64    `json:"size"`
	Proof []string `json:"proof"`
}

type consistency struct {
	First     int64    `json:"first"`
	Second    int64    `json:"second"`
	FirstRoot string   `json:"firstRoot"`
	Proof     []string `json:"proof"`
}

type proofs struct {
	Inclusion   []inclusion   `json:"inclusion"`
	Consistency []consistency `json:"consistency"`
	AllEntries  bool          `json:"allEntries"`
}

// c2spPath turns tlog's "tile/8/L/N[.p/W]" (and "tile/8/data/...") into C2SP's
// "tile/L/N[.p/W]" ("tile/entries/...").
func c2spPath(t tlog.Tile) string {
	p := strings.TrimPrefix(t.Path(), "tile/8/")
	p = strings.Replace(p, "data/", "entries/", 1)
	return "tile/" + p
}

type dirTiles struct{ dir string }

func (d dirTiles) Height() int { return 8 }

func (d dirTiles) ReadTiles(tiles []tlog.Tile) ([][]byte, error) {
	out := make([][]byte, len(tiles))
	for i, t := range tiles {
		data, err := os.ReadFile(filepath.Join(d.dir, c2spPath(t)))
		if err != nil {
			return nil, err
		}
		out[i] = data
	}
	return out, nil
}

func (d dirTiles) SaveTiles(tiles []tlog.Tile, data [][]byte) {}

func hashes(list []string) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(list))
	for i, s := range list {
		raw, err := base64.StdEncoding.DecodeString(s)
		if err != nil || len(raw) != tlog.HashSize {
			return nil, fmt.Errorf("bad hash %q", s)
		}
		copy(out[i][:], raw)
	}
	return out, nil
}

func fail(format string, args ...interface{}) {
	fmt.Printf("FAIL: "+format+"\n", args...)
	os.Exit(1)
}

func main() {
	dir := os.Args[1]
	vkey, err := os.ReadFile(filepath.Join(dir, "vkey"))
	if err != nil {
		fail("%v", err)
	}
	verifier, err := note.NewVerifier(strings.TrimSpace(string(vkey)))
	if err != nil {
		fail("vkey: %v", err)
	}
	msg, err := os.ReadFile(filepath.Join(dir, "checkpoint"))
	if err != nil {
		fail("%v", err)
	}
	n, err := note.Open(msg, note.VerifierList(verifier))
	if err != nil {
		fail("note.Open: %v", err)
	}
	lines := strings.Split(strings.TrimSuffix(n.Text, "\n"), "\n")
	if len(lines) < 3 || lines[0] != verifier.Name() {
		fail("checkpoint text %q (origin must be the key name %q)", n.Text, verifier.Name())
	}
	size, err := strconv.ParseInt(lines[1], 10, 64)
	if err != nil {
		fail("size: %v", err)
	}
	rootList, err := hashes([]string{lines[2]})
	if err != nil {
		fail("root: %v", err)
	}
	root := rootList[0]
	tree := tlog.Tree{N: size, Hash: root}
	reader := tlog.TileHashReader(tree, dirTiles{dir})
	th, err := tlog.TreeHash(size, reader)
	if err != nil {
		fail("TreeHash: %v", err)
	}
	if th != root {
		fail("the tiles hash to %v, the checkpoint says %v", th, root)
	}

	raw, err := os.ReadFile(filepath.Join(dir, "proofs.json"))
	if err != nil {
		fail("%v", err)
	}
	var p proofs
	if err := json.Unmarshal(raw, &p); err != nil {
		fail("proofs.json: %v", err)
	}

	entries := int64(0)
	if p.AllEntries {
		// Every entry bundle: each entry hashes (RecordHash) to its leaf, whose own proof
		// (ProveRecord over the tiles) checks against the root.
		for start := int64(0); start < size; start += 256 {
			w := size - start
			if w > 256 {
				w = 256
			}
			t := tlog.Tile{H: 8, L: -1, N: start / 256, W: int(w)}
			data, err := os.ReadFile(filepath.Join(dir, c2spPath(t)))
			if err != nil {
				fail("%v", err)
			}
			for i := int64(0); i < w; i++ {
				if len(data) < 2 {
					fail("entry bundle %d truncated", t.N)
				}
				l := int(data[0])<<8 | int(data[1])
				entry := data[2 : 2+l]
				data = data[2+l:]
				index := start + i
				leaf := tlog.RecordHash(entry)
				proof, err := tlog.ProveRecord(size, index, reader)
				if err != nil {
					fail("ProveRecord %d: %v", index, err)
				}
				if err := tlog.CheckRecord(proof, size, root, index, leaf); err != nil {
					fail("entry %d: %v", index, err)
				}
				entries++
			}
			if len(data) != 0 {
				fail("entry bundle %d has trailing bytes", t.N)
			}
		}
	}

	for _, inc := range p.Inclusion {
		if inc.Size != size {
			fail("inclusion proofs must be for the checkpoint's size")
		}
		got, err := hashes(inc.Proof)
		if err != nil {
			fail("%v", err)
		}
		want, err := tlog.ProveRecord(size, inc.Index, reader)
		if err != nil {
			fail("ProveRecord: %v", err)
		}
		if len(got) != len(want) {
			fail("inclusion proof of %d: %d hashes, Go computes %d", inc.Index, len(got), len(want))
		}
		for i := range got {
			if got[i] != want[i] {
				fail("inclusion proof of %d differs from Go's at hash %d", inc.Index, i)
			}
		}
		leaf, err := reader.ReadHashes([]int64{tlog.StoredHashIndex(0, inc.Index)})
		if err != nil {
			fail("%v", err)
		}
		if err := tlog.CheckRecord(got, size, root, inc.Index, leaf[0]); err != nil {
			fail("CheckRecord %d: %v", inc.Index, err)
		}
	}
	for _, c := range p.Consistency {
		if c.Second != size {
			fail("consistency proofs must end at the checkpoint's size")
		}
		got, err := hashes(c.Proof)
		if err != nil {
			fail("%v", err)
		}
		firstRoot, err := hashes([]string{c.FirstRoot})
		if err != nil {
			fail("%v", err)
		}
		want, err := tlog.ProveTree(size, c.First, reader)
		if err != nil {
			fail("ProveTree: %v", err)
		}
		if len(got) != len(want) {
			fail("consistency proof %d->%d: %d hashes, Go computes %d", c.First, size, len(got), len(want))
		}
		for i := range got {
			if got[i] != want[i] {
				fail("consistency proof %d->%d differs from Go's at hash %d", c.First, size, i)
			}
		}
		if err := tlog.CheckTree(got, size, root, c.First, firstRoot[0]); err != nil {
			fail("CheckTree %d->%d: %v", c.First, size, err)
		}
	}
	if !bytes.HasPrefix(msg, []byte(n.Text)) {
		fail("note text is not a prefix of the note")
	}
	fmt.Printf("ok origin=%s size=%d entries=%d inclusion=%d consistency=%d\n",
		lines[0], size, entries, len(p.Inclusion), len(p.Consistency))
}
