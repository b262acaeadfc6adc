#!/usr/bin/env python3
"""Split a generated JSONL corpus into an archive's adds and a day's queries.

Usage: benches/archive/split.py CORPUS.jsonl OUTDIR [--queries N] [--seed S]
                                [--part-size N | --parts K] [--wire AP,Reuters,AFP]

Writes, in OUTDIR (which must not exist or be empty):

* wire.jsonl: every document whose outlet is a wire outlet (--wire; compared without regard
  to case, as `wirecopy --wire OUTLET` does), in corpus order;
* query.jsonl: N outlet (non-wire) documents drawn with random.Random(S).sample from all the
  outlet documents, written in corpus order;
* part-01.jsonl, part-02.jsonl, ...: the other outlet documents, in corpus order, cut so that
  the archive after adding wire.jsonl and parts 1..i holds i * part-size documents (the first
  part is part-size minus the wire documents long; the last holds what is left). With
  --parts K instead, the other outlet documents are cut into K parts of equal length (the
  first ones one longer).
* batch/: relative symbolic links 00-wire.jsonl, 01-part-01.jsonl, ..., 99-query.jsonl (the
  numbers widen past 98 parts), so that `wirecopy report batch/`, which reads a directory in
  sorted order, reads the documents in the order of the archive's adds followed by the
  queries: the batch run an archive query must agree with.
* split.json: the counts, the seed and, per part, its documents and the archive size after
  it.

Lines are copied byte for byte (offsets in reports stay those of the corpus). Deterministic
for a given corpus, seed and sizes.
"""

import argparse
import json
import os
import random
import sys


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("corpus")
    ap.add_argument("outdir")
    ap.add_argument("--queries", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=1)
    g = ap.add_mutually_exclusive_group()
    g.add_argument("--part-size", type=int, default=None)
    g.add_argument("--parts", type=int, default=None)
    ap.add_argument("--wire", default="AP,Reuters,AFP",
                    help="comma-separated wire outlets (default: AP,Reuters,AFP)")
    args = ap.parse_args()
    if args.part_size is None and args.parts is None:
        args.part_size = 10000
    wire_outlets = {w.strip().lower() for w in args.wire.split(",") if w.strip()}

    wire, outlet = [], []  # (line number, raw line)
    ids = set()
    with open(args.corpus, "rb") as f:
        for no, raw in enumerate(f, 1):
            if not raw.strip():
                continue
            try:
                doc = json.loads(raw)
            except ValueError as e:
                sys.exit(f"split.py: {args.corpus}:{no}: not JSON: {e}")
            if not isinstance(doc, dict) or "id" not in doc:
                sys.exit(f"split.py: {args.corpus}:{no}: not a JSON object with an id")
            if doc["id"] in ids:
                sys.exit(f"split.py: {args.corpus}:{no}: id {doc['id']!r} seen before")
            ids.add(doc["id"])
            if not raw.endswith(b"\n"):
                raw += b"\n"
            is_wire = str(doc.get("outlet", "")).lower() in wire_outlets
            (wire if is_wire else outlet).append(raw)

    if args.queries > len(outlet):
        sys.exit(f"split.py: {args.queries} queries asked, {len(outlet)} outlet documents")
    picked = set(random.Random(args.seed).sample(range(len(outlet)), args.queries))
    query = [r for i, r in enumerate(outlet) if i in picked]
    rest = [r for i, r in enumerate(outlet) if i not in picked]

    parts = []
    if args.parts is not None:
        k = args.parts
        if k < 1:
            sys.exit("split.py: --parts must be at least 1")
        size, extra = divmod(len(rest), k)
        at = 0
        for i in range(k):
            n = size + (1 if i < extra else 0)
            parts.append(rest[at:at + n])
            at += n
    else:
        n = args.part_size
        if n <= len(wire):
            sys.exit(f"split.py: --part-size {n} is not above the {len(wire)} wire documents")
        at, first = 0, n - len(wire)
        while at < len(rest):
            step = first if not parts else n
            parts.append(rest[at:at + step])
            at += step
    parts = [p for p in parts if p]

    os.makedirs(args.outdir, exist_ok=True)
    if os.listdir(args.outdir):
        sys.exit(f"split.py: {args.outdir} is not empty")
    width = 2 if len(parts) <= 98 else len(str(len(parts) + 1))
    last = "9" * width

    def write(name, lines):
        with open(os.path.join(args.outdir, name), "wb") as fh:
            fh.writelines(lines)

    write("wire.jsonl", wire)
    names = []
    for i, p in enumerate(parts, 1):
        names.append(f"part-{i:0{width}d}.jsonl")
        write(names[-1], p)
    write("query.jsonl", query)

    batch = os.path.join(args.outdir, "batch")
    os.mkdir(batch)
    links = [(f"{0:0{width}d}-wire.jsonl", "wire.jsonl")]
    links += [(f"{i:0{width}d}-{name}", name) for i, name in enumerate(names, 1)]
    links.append((f"{last}-query.jsonl", "query.jsonl"))
    assert [a for a, _ in links] == sorted(a for a, _ in links)
    for link, target in links:
        os.symlink(os.path.join("..", target), os.path.join(batch, link))

    total = len(wire)
    manifest = {"corpus": os.path.abspath(args.corpus), "seed": args.seed,
                "wire_outlets": sorted(wire_outlets), "documents": len(wire) + len(outlet),
                "wire": len(wire), "queries": len(query), "parts": []}
    for name, p in zip(names, parts):
        total += len(p)
        manifest["parts"].append({"file": name, "documents": len(p), "archive_after": total})
    manifest["archive"] = total
    with open(os.path.join(args.outdir, "split.json"), "w") as fh:
        json.dump(manifest, fh, indent=1)
        fh.write("\n")
    print(f"split.py: {len(wire)} wire, {len(parts)} parts ({total} archived with the wire), "
          f"{len(query)} queries -> {args.outdir}", file=sys.stderr)


if __name__ == "__main__":
    main()
