"""Time datasketch and rensa MinHash (128 permutations, word 5-grams) on a JSONL corpus and
print throughput and ratios against wirecopy's figure (MB/s of raw text, one thread).

datasketch is timed from raw text (split, 5-gram strings, MinHash.update_batch), with its
permutations built once and shared, as a corpus run would; rensa is timed on already-shingled
input (lists of 5-gram strings built beforehand, not timed), as its strongest case.
wirecopy's figure includes its full normalisation and tokenisation. Each figure is the best
of RUNS runs (run.sh does the same for wirecopy), so the ratios hold on a busy machine."""
import json
import sys
import time

import datasketch
import rensa

RUNS = 3
path, wc_mbs = sys.argv[1], float(sys.argv[2])
texts = [json.loads(line)["text"] for line in open(path, encoding="utf-8")]
nbytes = sum(len(t.encode("utf-8")) for t in texts)


def shingles(t):
    w = t.lower().split()
    return [" ".join(w[i:i + 5]) for i in range(len(w) - 4)]


def best(run):
    secs = []
    for _ in range(RUNS):
        t0 = time.perf_counter()
        run()
        secs.append(time.perf_counter() - t0)
    return nbytes / 1e6 / min(secs)


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


ds = best(run_datasketch)
rs = best(run_rensa)

print(f"corpus: {len(texts)} articles, {nbytes / 1e6:.1f} MB; best of {RUNS} runs each")
print(f"wirecopy   (raw text, 1 thread)      {wc_mbs:8.1f} MB/s")
print(f"datasketch {datasketch.__version__:<8}(raw text)     {ds:8.2f} MB/s")
print(f"rensa      (pre-shingled input)      {rs:8.1f} MB/s")
print(f"wirecopy / datasketch = {wc_mbs / ds:.1f}x (required >= 20)")
print(f"wirecopy / rensa      = {wc_mbs / rs:.2f}x (required >= 1)")
