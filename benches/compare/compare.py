"""Time datasketch and rensa MinHash (128 permutations, word 5-grams) on a JSONL corpus and
print throughput and ratios against wirecopy's figure (MB/s of raw text, one thread).

datasketch is timed from raw text (split, 5-gram strings, MinHash.update_batch), with its
permutations built once and shared, as a corpus run would; rensa is timed on already-shingled
input (lists of 5-gram strings built beforehand, not timed), as its strongest case.
wirecopy's figure includes its full normalisation and tokenisation: it is the `sketch`
part of `wirecopy sketch --threads 1 --timings` (tokenising, shingling, MinHash, band keys;
not reading the file). The three tools take turns, round by round, and each figure is the
best of its ROUNDS runs, so that a burst of other work on the machine slows all of them
alike rather than one tool's runs."""
import json
import re
import subprocess
import sys
import tempfile
import time

import datasketch
import rensa

ROUNDS = 5
path, wirecopy = sys.argv[1], sys.argv[2]
texts = [json.loads(line)["text"] for line in open(path, encoding="utf-8")]
nbytes = sum(len(t.encode("utf-8")) for t in texts)


def shingles(t):
    w = t.lower().split()
    return [" ".join(w[i:i + 5]) for i in range(len(w) - 4)]


def timed(run):
    t0 = time.perf_counter()
    run()
    return nbytes / 1e6 / (time.perf_counter() - t0)


def run_wirecopy():
    """MB/s of the sketch part, as wirecopy reports it."""
    with tempfile.TemporaryDirectory() as d:
        err = subprocess.run(
            [wirecopy, "sketch", path, "-o", f"{d}/s.wcsketch", "--threads", "1", "--timings"],
            check=True, capture_output=True, text=True).stderr
    return float(re.search(r"timing sketch .*\(([0-9.]+) MB/s", err).group(1))


proto = datasketch.MinHash(num_perm=128, seed=1)


def run_datasketch():
    for t in texts:
        m = datasketch.MinHash(num_perm=128, seed=1, permutations=proto.permutations,
                               scheme=proto.scheme)
        m.update_batch([s.encode("utf-8") for s in shingles(t)])


pre = [shingles(t) for t in texts]


def run_rensa():
    for s in pre:
        m = rensa.RMinHash(num_perm=128, seed=1)
        m.update(s)
        m.digest()


figures = {"wirecopy": [], "datasketch": [], "rensa": []}
for _ in range(ROUNDS):
    figures["wirecopy"].append(run_wirecopy())
    figures["datasketch"].append(timed(run_datasketch))
    figures["rensa"].append(timed(run_rensa))
wc_mbs, ds, rs = (max(figures[k]) for k in ("wirecopy", "datasketch", "rensa"))

print(f"corpus: {len(texts)} articles, {nbytes / 1e6:.1f} MB; best of {ROUNDS} rounds, "
      "the tools taking turns")
for k, v in figures.items():
    print(f"  {k:<10} runs (MB/s): " + " ".join(f"{x:.1f}" for x in v))
print(f"wirecopy   (raw text, 1 thread)      {wc_mbs:8.1f} MB/s")
print(f"datasketch {datasketch.__version__:<8}(raw text)     {ds:8.2f} MB/s")
print(f"rensa      (pre-shingled input)      {rs:8.1f} MB/s")
print(f"wirecopy / datasketch = {wc_mbs / ds:.1f}x (required >= 20)")
print(f"wirecopy / rensa      = {wc_mbs / rs:.2f}x (required >= 1)")
