#!/usr/bin/env bash
# Scaling series and LSH recall on generated corpora (a person runs this; not part of CI).
#
#   benches/scale.sh [SIZES...]        default sizes: 25000 50000 100000
#   RECALL=10000 benches/scale.sh      also LSH vs all-pairs recall on a 10k corpus (~4 min)
#
# Corpora come from benches/make_corpus.py (seed 1) under $CORPORA (default /tmp/wirecopy-
# corpora) and are reused when present. Each size runs `wirecopy report --format json` with
# default settings under /usr/bin/time -v and prints wall time, peak resident memory, the
# per-stage timings and the pair counts. Ratios between sizes hold on a busy machine; the
# absolute figures do not.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
corpora="${CORPORA:-/tmp/wirecopy-corpora}"
mkdir -p "$corpora"
sizes=("$@")
[ ${#sizes[@]} -eq 0 ] && sizes=(25000 50000 100000)
cargo build --release --quiet
bin="$root/target/release/wirecopy"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT

corpus() {
  local n="$1" f="$corpora/c$1.jsonl"
  [ -s "$f" ] || python3 benches/make_corpus.py "$n" "$f" >&2
  echo "$f"
}

echo "| articles | MB | wall s | peak GB | read | sketch | candidates | verify | fetch | align | report | verified pairs | aligned pairs | passages |"
echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
for n in "${sizes[@]}"; do
  f="$(corpus "$n")"
  /usr/bin/time -v "$bin" report "$f" --format json -o "$out/r.json" --timings 2> "$out/err"
  python3 - "$f" "$out/err" "$out/r.json" "$n" <<'PY'
import json, os, re, sys
f, err, rep, n = sys.argv[1:]
e = open(err).read()
t = dict(re.findall(r"timing (\w+)\s+([0-9.]+) s", e))
wall = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)", e).group(1)
secs = sum(float(x) * 60 ** i for i, x in enumerate(reversed(wall.split(":"))))
peak = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", e).group(1)) / 1e6
with open(rep) as fh:
    head = fh.read(4096)
s = {k: int(v) for k, v in re.findall(r'"(verified_pairs|aligned_pairs|passages)": (\d+)', head)}
print(f"| {int(n):,} | {os.path.getsize(f) / 1e6:.0f} | {secs:.0f} | {peak:.2f} | "
      + " | ".join(t.get(k, "?") for k in ("read", "sketch", "candidates", "verify", "fetch", "align", "report"))
      + f" | {s['verified_pairs']:,} | {s['aligned_pairs']:,} | {s['passages']:,} |")
PY
done

if [ -n "${RECALL:-}" ]; then
  f="$(corpus "$RECALL")"
  "$bin" report "$f" --format json -o "$out/all.json" --candidates all-pairs
  echo
  echo "LSH recall against --candidates all-pairs, $RECALL articles (pairs with a reuse passage; reused words;"
  echo "'same story': both articles carry the same generated story, the generator's own truth):"
  for opts in "" "--lsh-frequent-links 0"; do
    start=$(date +%s.%N)
    # shellcheck disable=SC2086
    "$bin" report "$f" --format json -o "$out/lsh.json" --candidates lsh $opts
    secs=$(echo "$(date +%s.%N) - $start" | bc)
    python3 - "$out/all.json" "$out/lsh.json" "${opts:-defaults}" "$secs" <<'PY'
import json, sys
def reuse(p):
    r = json.load(open(p))
    d = {}
    for x in r["passages"]:
        if x["kind"] != "boilerplate":
            k = tuple(sorted((x["a"]["doc"], x["b"]["doc"])))
            d[k] = d.get(k, 0) + x["words"]
    return d
def same_story(k):
    # make_corpus.py ids are OUTLET/STORY, unrelated articles OUTLET/uN.
    s = [d.rsplit("/", 1)[-1] for d in k]
    return s[0] == s[1] and not s[0].startswith("u")
a, b = reuse(sys.argv[1]), reuse(sys.argv[2])
line = f"  {sys.argv[3]:<24}"
for name, sel in (("all", lambda k: True), ("same story", same_story),
                  ("other", lambda k: not same_story(k))):
    ref = [k for k in a if sel(k)]
    found = [k for k in ref if k in b]
    wa = sum(a[k] for k in ref) or 1
    wf = sum(a[k] for k in found)
    line += (f" {name}: pairs {len(found):,}/{len(ref):,} = {len(found) / max(1, len(ref)):.4f},"
             f" words {wf / wa:.4f};")
print(line + f" {float(sys.argv[4]):.0f} s")
PY
  done
fi
