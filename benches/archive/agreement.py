#!/usr/bin/env python3
"""Do an archive query and a batch run give the same passages for the queried documents?

Usage: benches/archive/agreement.py BATCH.json ARCHIVE.json --query QUERY.jsonl
                                    [--list N] [--labels batch,archive]

BATCH.json is `wirecopy report DIR --format json` over the whole corpus (DIR reads the
archive's adds in order, then the queries: split.py's batch/); ARCHIVE.json is
`wirecopy report --archive ARCHIVE QUERY.jsonl --format json`. Any two JSON reports can be
compared (two batch runs should agree at 100 %).

What is compared: the passages of each report with at least one side in a document of
QUERY.jsonl. A passage is keyed by its two document ids (in sorted order, its spans swapped
to match, so the comparison does not depend on which side a report calls `a`). The
characters counted are those of both sides' spans (`start`/`end`, Unicode scalar values into
the document's full text, half-open; see the schema in src/report.rs): for each document
pair, side and kind, the union of that report's spans. A character agrees when both reports
cover it, for the same document pair, on the same side, with the same kind. Printed:

* agreement = agreeing / (characters of either report), and the shares of each report's
  characters the other reproduces;
* passage counts: identical (same pair, spans, kind, direction), spans differ (overlapping
  on both sides, same kind), kind differs, direction differs (same spans and kind), only in
  one report;
* each differing passage, with ids, spans, kinds, words, direction, whether its pair is in
  each report's aligned `pairs` (with the shared shingles), which side is a query and which
  is wire: what one needs to explain it;
* checks: settings of the two reports, query documents present in each, metadata (outlet,
  date, title, url, chars, bytes, words, body_start, wire) of documents listed in both, and
  the texts of identically placed passages.

The JSON is read line by line (serde_json's pretty printing: top-level arrays' elements
start with a line "    {" and end with "    }" or "    },"), so a batch report of several GB
does not have to fit in memory; compact JSON falls back to json.load.
"""

import argparse
import hashlib
import json
import re
import signal
import sys
from collections import defaultdict

DOC_RE = re.compile(rb'"doc": ("(?:[^"\\]|\\.)*")')
PAIR_RE = re.compile(rb'^      "(a|b)": ("(?:[^"\\]|\\.)*")', re.M)
META = ("outlet", "date", "title", "url", "chars", "bytes", "words", "body_start", "wire")


def read_report(path, wanted):
    """(head, documents, pairs, passages) of a report; only the array elements that involve
    a document id in `wanted` (documents: every one, but only the fields compared)."""
    head_lines, docs, pairs, passages = [], {}, [], []
    with open(path, "rb") as f:
        first = f.readline()
        if first.strip() != b"{":
            f.seek(0)
            return read_whole(json.load(f), wanted)
        key, chunk, seen_array = None, None, False
        for line in f:
            if key is None:
                m = re.match(rb'^  "(\w+)": \[(\]?)', line)
                if m:
                    seen_array = True
                    if not m.group(2):
                        key = m.group(1).decode()
                elif line.rstrip(b"\n") == b"}":
                    break
                elif not seen_array:
                    head_lines.append(line)
                continue
            if chunk is None:
                if line.startswith(b"  ]"):
                    key = None
                    continue
                if line == b"    {\n":
                    chunk = [line]
                continue
            chunk.append(line)
            if line in (b"    }\n", b"    },\n"):
                text = b"".join(chunk)
                chunk = None
                if text.endswith(b",\n"):
                    text = text[:-2]
                if key == "documents":
                    d = json.loads(text)
                    docs[d["id"]] = {k: d.get(k) for k in META + ("reused_chars",)}
                elif key == "passages":
                    ids = [json.loads(x) for x in DOC_RE.findall(text, 0, 4096)[:2]]
                    if len(ids) < 2:
                        ids = [json.loads(x) for x in DOC_RE.findall(text)[:2]]
                    if wanted is None or ids[0] in wanted or ids[1] in wanted:
                        passages.append(slim(json.loads(text)))
                elif key == "pairs":
                    ab = dict((k.decode(), json.loads(v)) for k, v in PAIR_RE.findall(text))
                    if wanted is None or ab.get("a") in wanted or ab.get("b") in wanted:
                        pairs.append(json.loads(text))
    try:
        head = json.loads("{" + b"".join(head_lines).decode().rstrip().rstrip(",") + "}")
    except ValueError:
        head = {}
    return head, docs, pairs, passages


def read_whole(r, wanted):
    head = {k: r.get(k) for k in ("schema_version", "wirecopy_version", "fingerprint",
                                  "settings", "summary")}
    docs = {d["id"]: {k: d.get(k) for k in META + ("reused_chars",)} for d in r["documents"]}
    keep = (lambda a, b: True) if wanted is None else (lambda a, b: a in wanted or b in wanted)
    pairs = [p for p in r["pairs"] if keep(p["a"], p["b"])]
    passages = [slim(p) for p in r["passages"] if keep(p["a"]["doc"], p["b"]["doc"])]
    return head, docs, pairs, passages


def slim(p):
    """What is compared of a passage: canonical pair, spans, kind, orientation."""
    a, b = p["a"], p["b"]
    swap = b["doc"] < a["doc"]
    x, y = (b, a) if swap else (a, b)
    if p["direction"] == "a_to_b":
        orient = "y->x" if swap else "x->y"
    else:
        orient = "undirected"
    th = hashlib.blake2b((x["text"] + "\0" + y["text"]).encode(), digest_size=8).hexdigest()
    return {"x": x["doc"], "y": y["doc"], "xs": (x["start"], x["end"]),
            "ys": (y["start"], y["end"]), "kind": p["kind"], "orient": orient,
            "words": p["words"], "id": p["id"], "text": th}


def union(iv):
    out = []
    for s, e in sorted(iv):
        if out and s <= out[-1][1]:
            out[-1][1] = max(out[-1][1], e)
        else:
            out.append([s, e])
    return out


def length(iv):
    return sum(e - s for s, e in iv)


def intersect(u, v):
    i = j = n = 0
    while i < len(u) and j < len(v):
        lo, hi = max(u[i][0], v[j][0]), min(u[i][1], v[j][1])
        if lo < hi:
            n += hi - lo
        if u[i][1] < v[j][1]:
            i += 1
        else:
            j += 1
    return n


def coverage(passages):
    cov = defaultdict(list)
    for p in passages:
        cov[(p["x"], p["y"], "x", p["kind"])].append(p["xs"])
        cov[(p["x"], p["y"], "y", p["kind"])].append(p["ys"])
    return {k: union(v) for k, v in cov.items()}


def overlaps(s, t):
    return max(s[0], t[0]) < min(s[1], t[1])


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("batch")
    ap.add_argument("archive")
    ap.add_argument("--query", required=True, help="the queried documents (JSONL)")
    ap.add_argument("--list", type=int, default=200, help="list at most N differences")
    ap.add_argument("--labels", default="batch,archive")
    args = ap.parse_args()
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    la, lb = args.labels.split(",")

    qids = set()
    with open(args.query, "rb") as f:
        for line in f:
            if line.strip():
                qids.add(json.loads(line)["id"])

    ha, da, pa, A = read_report(args.batch, qids)
    hb, db, pb, B = read_report(args.archive, qids)

    # Checks first: a difference here explains passage differences.
    notes = []
    sa, sb = ha.get("settings"), hb.get("settings")
    if sa != sb:
        diff = sorted(k for k in set(sa or {}) | set(sb or {})
                      if (sa or {}).get(k) != (sb or {}).get(k))
        notes.append("settings differ: " + ("; ".join(
            f"{k} ({la} {(sa or {}).get(k)!r}, {lb} {(sb or {}).get(k)!r})" for k in diff)
            or "(unreadable)"))
    for label, docs in ((la, da), (lb, db)):
        missing = sorted(qids - set(docs))
        if missing:
            notes.append(f"{label}: {len(missing)} query document(s) not in `documents`, "
                         f"e.g. {missing[:3]}")
    common = set(da) & set(db)
    bad_meta = []
    for d in sorted(common):
        diff = [k for k in META if da[d].get(k) != db[d].get(k)]
        if diff:
            bad_meta.append((d, diff))
    if bad_meta:
        d, diff = bad_meta[0]
        notes.append(f"{len(bad_meta)} of the {len(common)} documents in both reports have "
                     f"different metadata, e.g. {d}: "
                     + ", ".join(f"{k} {da[d].get(k)!r} vs {db[d].get(k)!r}" for k in diff))
    wire = {d for d, m in da.items() if m.get("wire")} | {d for d, m in db.items()
                                                          if m.get("wire")}

    ca, cb = coverage(A), coverage(B)
    chars_a = sum(length(v) for v in ca.values())
    chars_b = sum(length(v) for v in cb.values())
    agree = sum(intersect(v, cb[k]) for k, v in ca.items() if k in cb)
    either = chars_a + chars_b - agree

    # Passage by passage.
    by_pair = defaultdict(lambda: ([], []))
    for p in A:
        by_pair[(p["x"], p["y"])][0].append(p)
    for p in B:
        by_pair[(p["x"], p["y"])][1].append(p)
    pairs_a = {tuple(sorted((p["a"], p["b"]))): p for p in pa}
    pairs_b = {tuple(sorted((p["a"], p["b"]))): p for p in pb}
    counts = defaultdict(int)
    text_mismatch = []
    diffs = []  # (pair, [batch passages], [archive passages], category)
    for pair, (xs, ys) in sorted(by_pair.items()):
        exact = lambda p: (p["xs"], p["ys"], p["kind"], p["orient"])
        yset = defaultdict(list)
        for q in ys:
            yset[exact(q)].append(q)
        rest_x, used = [], set()
        for p in xs:
            cand = yset.get(exact(p))
            if cand:
                q = cand.pop()
                used.add(id(q))
                counts["identical"] += 1
                if p["text"] != q["text"]:
                    text_mismatch.append((pair, p, q))
            else:
                rest_x.append(p)
        rest_y = [q for q in ys if id(q) not in used]
        # Group the others by overlap on both sides (connected components).
        items = [(la, p) for p in rest_x] + [(lb, q) for q in rest_y]
        parent = list(range(len(items)))

        def find(i):
            while parent[i] != i:
                parent[i] = parent[parent[i]]
                i = parent[i]
            return i
        for i in range(len(items)):
            for j in range(i + 1, len(items)):
                if items[i][0] != items[j][0] and overlaps(items[i][1]["xs"], items[j][1]["xs"]) \
                        and overlaps(items[i][1]["ys"], items[j][1]["ys"]):
                    parent[find(i)] = find(j)
        groups = defaultdict(list)
        for i, it in enumerate(items):
            groups[find(i)].append(it)
        for g in groups.values():
            ga = [p for l, p in g if l == la]
            gb = [p for l, p in g if l == lb]
            if not gb:
                cat = f"only in {la}"
            elif not ga:
                cat = f"only in {lb}"
            elif {p["kind"] for p in ga} != {p["kind"] for p in gb}:
                cat = "kind differs"
            elif sorted((p["xs"], p["ys"]) for p in ga) == sorted((p["xs"], p["ys"]) for p in gb):
                cat = "direction differs"
            else:
                cat = "spans differ"
            counts[cat] += len(ga) + len(gb)
            diffs.append((pair, ga, gb, cat))

    print(f"passages involving the {len(qids):,} query documents: {la} {len(A):,}, "
          f"{lb} {len(B):,}")
    print(f"passage characters (both sides): {la} {chars_a:,}, {lb} {chars_b:,}, "
          f"agreeing {agree:,}")
    pct = lambda n, d: 100.0 * n / d if d else 100.0
    print(f"agreement: {pct(agree, either):.3f} % of the characters of either report "
          f"({la} reproduced {pct(agree, chars_a):.3f} %, {lb} confirmed {pct(agree, chars_b):.3f} %)")
    order = ["identical", "spans differ", "kind differs", "direction differs",
             f"only in {la}", f"only in {lb}"]
    print("passages: " + ", ".join(f"{k} {counts.get(k, 0):,}" for k in order)
          + "  (differing ones counted in both reports)")
    if text_mismatch:
        notes.append(f"{len(text_mismatch)} identically placed passage(s) have different "
                     f"side texts, e.g. {text_mismatch[0][0]}")
    qa = {d: da[d]["reused_chars"] for d in qids if d in da}
    qb = {d: db[d]["reused_chars"] for d in qids if d in db}
    same_reuse = sum(1 for d in qa if d in qb and qa[d] == qb[d])
    print(f"query documents with the same reused_chars (informational: clusters differ in "
          f"scope): {same_reuse:,} / {len(set(qa) & set(qb)):,}")
    for n in notes:
        print(f"check: {n}")

    def fmt(p, label, other_pairs, own_pairs):
        pr = (p["x"], p["y"])
        own = own_pairs.get(pr)
        oth = other_pairs.get(pr)
        return (f"    {label:<8} {p['kind']:<11} {p['x']}[{p['xs'][0]}:{p['xs'][1]}] "
                f"{p['y']}[{p['ys'][0]}:{p['ys'][1]}] {p['orient']} words {p['words']}; "
                f"pair aligned here: {'yes' if own else 'no'}"
                + (f" ({own['shared_shingles']} shared)" if own else "")
                + f", in the other: {'yes' if oth else 'no'}"
                + (f" ({oth['shared_shingles']} shared)" if oth else ""))
    if diffs:
        lost = defaultdict(int)
        for pair, ga, gb, cat in diffs:
            for p in ga + gb:
                lost[cat] += (p["xs"][1] - p["xs"][0]) + (p["ys"][1] - p["ys"][0])
        print("differences by category (passages; characters of their spans, both reports): "
              + "; ".join(f"{c}: {sum(1 for d in diffs if d[3] == c)} group(s), "
                          f"{lost[c]:,} chars" for c in order if lost.get(c)))
        print(f"differing passages (x < y by id; q = query document, w = wire; first "
              f"{min(args.list, len(diffs))} of {len(diffs)} group(s)):")
        for pair, ga, gb, cat in diffs[:args.list]:
            tag = lambda d: d + (" (q)" if d in qids else "") + (" (w)" if d in wire else "")
            print(f"  {cat}: {tag(pair[0])} / {tag(pair[1])}")
            for p in ga:
                print(fmt(p, la, pairs_b, pairs_a))
            for p in gb:
                print(fmt(p, lb, pairs_a, pairs_b))
    return 0


if __name__ == "__main__":
    sys.exit(main())
