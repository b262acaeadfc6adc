#!/usr/bin/env bash
# Archive mode (issue 16) on a generated corpus: query cost, add cost, query time against
# archive size, and agreement with a batch run. A person runs this; not part of CI.
#
#   benches/archive/run.sh [N]          default N=110000 (about 20 min on 2 cores)
#
# Environment: CORPORA (default /tmp/wirecopy-corpora; the corpus cN.jsonl is made there by
# benches/make_corpus.py, seed 1, and reused), QUERIES (2000), PART (10000 documents per
# archive add), SIZES (archive sizes of the query-time series, "10000 50000 100000"),
# SEED (1, the queries' draw), REPEAT (3: the add-cost runs, best taken), WIRE ("AP Reuters
# AFP"), WORK (a directory to keep the archives, reports and logs in; default a temporary
# directory, removed at the end), BIN (a wirecopy binary; default: cargo build --release).
#
# Everything runs under `nice -n 10` and /usr/bin/time -v (wall clock, peak resident set).
#
# (a) split.py cuts the corpus into the wire stories, parts of PART outlet articles (the
#     first part shorter, so that the archive after part i holds i*PART documents) and
#     QUERIES outlet articles drawn at random. `index create`, then `index add` of the wire
#     file and of each part in turn (each add timed); then `report --archive A query.jsonl
#     --format json` (the day's audit; targets < 10 s, < 1.5 GB) and the batch run it
#     replaces, `report batch/ --format json` over the whole corpus in the same order
#     (archive adds, then queries): the speed-up (target >= 10x), and agreement.py on the
#     two reports (target >= 99.5 % of passage characters).
# (b) `index add` of one PART-document part into an empty archive vs the `read` + `sketch`
#     timings of `report PART.jsonl --timings`: the cost per article (target: add no
#     slower). Best of REPEAT runs each.
# (c) The same queries against the archive when it holds SIZES documents (queried while
#     (a)'s adds grow it, so the archives are nested prefixes of the same parts).
set -euo pipefail
if [ -z "${WIRECOPY_BENCH_NICE:-}" ]; then
  export WIRECOPY_BENCH_NICE=1
  exec nice -n 10 bash "$0" "$@"
fi
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cd "$root"
n="${1:-110000}"
corpora="${CORPORA:-/tmp/wirecopy-corpora}"
queries="${QUERIES:-2000}"
part="${PART:-10000}"
read -r -a sizes <<< "${SIZES:-10000 50000 100000}"
seed="${SEED:-1}"
repeat="${REPEAT:-3}"
read -r -a wire_outlets <<< "${WIRE:-AP Reuters AFP}"
wire=()
for w in "${wire_outlets[@]}"; do wire+=(--wire "$w"); done

if [ -n "${BIN:-}" ]; then
  bin="$BIN"
else
  cargo build --release --quiet
  bin="$root/target/release/wirecopy"
fi
if [ -n "${WORK:-}" ]; then
  work="$WORK"
  rm -rf "$work"
  mkdir -p "$work"
else
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' EXIT
fi
mkdir -p "$work/t" "$corpora"

corpus="$corpora/c$n.jsonl"
if [ ! -s "$corpus" ]; then
  echo "run.sh: generating $corpus (a few minutes for 110k)" >&2
  python3 benches/make_corpus.py "$n" "$corpus.tmp" >&2
  mv "$corpus.tmp" "$corpus"
fi

# measure NAME CMD...: time CMD into $work/t/NAME.{time,err,rc}; a failure is reported, and
# the caller decides whether to go on.
# Also samples the process's resident set every 0.2 s into NAME.rss: peak anonymous and peak
# file-backed (memory-mapped segments, which the kernel can drop) KB, which /usr/bin/time's
# single figure adds together.
measure() {
  local name="$1" rc=0 tpid child anon=0 file=0 a f
  shift
  /usr/bin/time -v -o "$work/t/$name.time" "$@" 2> "$work/t/$name.err" &
  tpid=$!
  while kill -0 "$tpid" 2> /dev/null; do
    child="$(pgrep -P "$tpid" | head -n 1 || true)"
    if [ -n "$child" ] && read -r a f < <(awk '/^RssAnon/ {a = $2} /^RssFile/ {f = $2}
        END {print a + 0, f + 0}' "/proc/$child/status" 2> /dev/null); then
      [ "$a" -gt "$anon" ] && anon="$a"
      [ "$f" -gt "$file" ] && file="$f"
    fi
    sleep 0.2
  done
  wait "$tpid" || rc=$?
  echo "$anon $file" > "$work/t/$name.rss"
  echo "$rc" > "$work/t/$name.rc"
  if [ "$rc" -ne 0 ]; then
    echo "run.sh: $name exited with $rc: $*" >&2
    tail -n 5 "$work/t/$name.err" >&2
  fi
  return "$rc"
}
# steps.tsv: section, step name, documents, archive documents after it, label.
step() { printf '%s\t%s\t%s\t%s\t%s\n' "$@" >> "$work/steps.tsv"; }
: > "$work/steps.tsv"

split="$work/split"
python3 "$here/split.py" "$corpus" "$split" --queries "$queries" --seed "$seed" \
  --part-size "$part" --wire "$(IFS=,; echo "${wire_outlets[*]}")"
python3 -c 'import json, sys
m = json.load(open(sys.argv[1]))
print("wire.jsonl", m["wire"], m["wire"])
for p in m["parts"]:
    print(p["file"], p["documents"], p["archive_after"])' "$split/split.json" > "$work/parts.txt"

# (a) and (c): build the archive add by add; query it at the sizes of the series.
archive="$work/A"
echo "run.sh: (a) building the archive in $archive" >&2
measure a-create "$bin" index create "$archive"
step create a-create 0 0 "index create"
i=0
while read -r f docs after <&3; do
  name="a-add-$(printf %02d "$i")"
  if [ "$f" = wire.jsonl ]; then
    measure "$name" "$bin" index add "$archive" "$split/$f" "${wire[@]}" --timings
  else
    measure "$name" "$bin" index add "$archive" "$split/$f" --timings
  fi
  step add "$name" "$docs" "$after" "$f"
  i=$((i + 1))
  for s in "${sizes[@]}"; do
    if [ "$after" = "$s" ]; then
      echo "run.sh: (c) querying the archive of $after documents" >&2
      measure "c-query-$s" "$bin" report --archive "$archive" "$split/query.jsonl" \
        --format json -o "$work/query-$s.json" --timings || true
      step size "c-query-$s" "$queries" "$after" "$work/query-$s.json"
    fi
  done
done 3< "$work/parts.txt"
"$bin" index stats "$archive" --format json > "$work/stats.json" || echo '{}' > "$work/stats.json"
du -sb "$archive" | cut -f1 > "$work/archive.bytes"

echo "run.sh: (a) the day's query against the whole archive" >&2
total="$(tail -n 1 "$work/parts.txt" | cut -d' ' -f3)"
measure a-query "$bin" report --archive "$archive" "$split/query.jsonl" --format json \
  -o "$work/query.json" --timings || true
step query a-query "$queries" "$total" "report --archive A query.jsonl"
echo "run.sh: (a) the batch run over the whole corpus" >&2
measure a-batch "$bin" report "$split/batch" "${wire[@]}" --format json -o "$work/batch.json" \
  --timings || true
step query a-batch "$n" "" "report batch/ (whole corpus)"
if [ -s "$work/batch.json" ] && [ -s "$work/query.json" ]; then
  python3 "$here/agreement.py" "$work/batch.json" "$work/query.json" \
    --query "$split/query.jsonl" --list "${LIST:-100}" > "$work/agreement.txt" || true
else
  echo "agreement: not measured (a report is missing)" > "$work/agreement.txt"
fi

# (b) add cost: one part of exactly PART documents into an empty archive vs report's
# read + sketch of the same part.
bpart="$(awk -v n="$part" '$1 != "wire.jsonl" && $2 == n { print $1; exit }' "$work/parts.txt")"
if [ -n "$bpart" ]; then
  echo "run.sh: (b) add cost of $bpart ($part documents)" >&2
  for r in $(seq 1 "$repeat"); do
    rm -rf "$work/B"
    "$bin" index create "$work/B"
    measure "b-add-$r" "$bin" index add "$work/B" "$split/$bpart" --timings || true
    step addcost "b-add-$r" "$part" "$part" "$bpart"
    measure "b-report-$r" "$bin" report "$split/$bpart" --timings --format json \
      -o "$work/b-report.json" || true
    step readsketch "b-report-$r" "$part" "" "$bpart"
  done
fi

python3 - "$work" "$n" "$queries" <<'PY'
import json, os, re, sys
work, n, queries = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
t = os.path.join(work, "t")

def timed(name):
    """(wall s, peak bytes, rc, {timing: s}) of a measured step, or None."""
    try:
        tv = open(os.path.join(t, name + ".time")).read()
    except OSError:
        return None
    wall = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)", tv).group(1)
    secs = sum(float(x) * 60 ** i for i, x in enumerate(reversed(wall.split(":"))))
    peak = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", tv).group(1)) * 1024
    rc = int(open(os.path.join(t, name + ".rc")).read())
    err = open(os.path.join(t, name + ".err"), errors="replace").read()
    tm = {k: float(v) for k, v in re.findall(r"timing (\w+)\s+([0-9.]+) s", err)}
    try:
        anon, file = (int(x) * 1024 for x in open(os.path.join(t, name + ".rss")).read().split())
    except (OSError, ValueError):
        anon = file = 0
    return secs, peak, rc, tm, anon, file

STAGES = ("read", "sketch", "candidates", "verify", "fetch", "align", "report")
stages = lambda tm: " / ".join(f"{tm[k]:.2f}" if k in tm else "?" for k in STAGES)

def summary(path):
    try:
        with open(path) as fh:
            head = fh.read(1 << 16)
    except OSError:
        return {}
    m = re.search(r'"summary": (\{[^{}]*\})', head)
    return json.loads(m.group(1)) if m else {}

steps = [l.rstrip("\n").split("\t") for l in open(os.path.join(work, "steps.tsv"))]
gb = lambda b: f"{b / 1e9:.2f}"
mb = lambda b: f"{b / 1e6:.0f}"
flag = lambda rc: "" if rc == 0 else f" (exit {rc})"
verdict = lambda ok: "**met**" if ok else "**missed**"

print("\n### (a) Building the archive, add by add\n")
print("| add | documents | archive after | wall s | peak MB | documents/s |")
print("|---|---:|---:|---:|---:|---:|")
for kind, name, docs, after, label in steps:
    if kind in ("create", "add"):
        r = timed(name)
        if r is None:
            continue
        secs, peak, rc = r[:3]
        rate = f"{int(docs) / secs:,.0f}" if int(docs) and secs else "–"
        dn = f"{int(docs):,}" if kind == "add" else "–"
        print(f"| {label}{flag(rc)} | {dn} | {int(after):,} | {secs:.2f} | {mb(peak)} | {rate} |")
try:
    st = json.load(open(os.path.join(work, "stats.json")))
except ValueError:
    st = {}
disk = int(open(os.path.join(work, "archive.bytes")).read())
print(f"\nArchive on disk: {disk / 1e6:.0f} MB (`index stats`: {st.get('documents', '?')} documents, "
      f"{st.get('wire_documents', '?')} wire, {st.get('segments', '?')} segments, "
      f"{st.get('bytes', '?')} bytes).")

print(f"\n### (a) The day's {queries:,} articles: archive query vs batch run\n")
print("| run | documents | wall s | peak GB | of which anon / file-backed GB | passages | verified pairs | " + " / ".join(STAGES) + " s |")
print("|---|---:|---:|---:|---:|---:|---:|---:|")
q = timed("a-query")
b = timed("a-batch")
for name, label, rep in (("a-query", f"`report --archive` (archive of the other {n - queries:,})", "query.json"),
                         ("a-batch", f"`report batch/` (all {n:,})", "batch.json")):
    r = timed(name)
    if r is None:
        continue
    s = summary(os.path.join(work, rep))
    print(f"| {label}{flag(r[2])} | {s.get('documents', 0):,} | {r[0]:.2f} | {gb(r[1])} | "
          f"{gb(r[4])} / {gb(r[5])} | {s.get('passages', 0):,} | {s.get('verified_pairs', 0):,} | "
          f"{stages(r[3])} |")
ag = open(os.path.join(work, "agreement.txt")).read()
m = re.search(r"agreement: ([0-9.]+) %", ag)
if q and b:
    print(f"\nSpeed-up: {b[0] / q[0]:.1f}x (target >= 10x: {verdict(b[0] / q[0] >= 10)}); "
          f"query wall {q[0]:.2f} s (target < 10 s: {verdict(q[0] < 10)}), peak {gb(q[1])} GB "
          f"(target < 1.5 GB: {verdict(q[1] < 1.5e9)}).")
if m:
    print(f"Agreement: {m.group(1)} % of passage characters (target >= 99.5 %: "
          f"{verdict(float(m.group(1)) >= 99.5)}).")
print("\n```")
print("\n".join(ag.splitlines()[:12]))
if len(ag.splitlines()) > 12:
    print(f"... ({len(ag.splitlines()) - 12} more lines in agreement.txt)")
print("```")

adds = [timed(name) for kind, name, *_ in steps if kind == "addcost"]
reps = [timed(name) for kind, name, *_ in steps if kind == "readsketch"]
adds = [a for a in adds if a and a[2] == 0]
reps = [r for r in reps if r and "read" in r[3] and "sketch" in r[3]]
part = next((int(d) for k, _, d, *_ in steps if k == "addcost"), 0)
if adds and reps:
    add = min(a[0] for a in adds)
    rs = min(r[3]["read"] + r[3]["sketch"] for r in reps)
    best = min(reps, key=lambda r: r[3]["read"] + r[3]["sketch"])
    print(f"\n### (b) Add cost, {part:,} articles (best of {len(adds)})\n")
    print("| what | wall s | peak MB | ms per article |")
    print("|---|---:|---:|---:|")
    a = min(adds, key=lambda x: x[0])
    print(f"| `index add` into an empty archive (whole process) | {a[0]:.2f} | {mb(a[1])} | {1000 * a[0] / part:.3f} |")
    for k, v in sorted(a[3].items()):
        print(f"| &nbsp;&nbsp;its `timing {k}` | {v:.3f} | | {1000 * v / part:.3f} |")
    print(f"| `report --timings`: read + sketch | {rs:.3f} | {mb(best[1])} (whole report) | {1000 * rs / part:.3f} |")
    print(f"| &nbsp;&nbsp;read / sketch | {best[3]['read']:.3f} / {best[3]['sketch']:.3f} | | |")
    a_add = [timed(name) for kind, name, d, after, label in steps if kind == "add" and int(d) == part]
    if a_add and a_add[0]:
        print(f"| (a)'s `index add` of the first {part:,}-article part (into a {part:,}-document archive) | {a_add[0][0]:.2f} | {mb(a_add[0][1])} | {1000 * a_add[0][0] / part:.3f} |")
    print(f"\nPer-article ratio add / (read + sketch): {add / rs:.2f} (target <= 1: {verdict(add <= rs)}).")

print(f"\n### (c) Query time against archive size ({queries:,} queries)\n")
print("| archive documents | wall s | peak GB | of which anon / file-backed GB | passages | verified pairs | " + " / ".join(STAGES) + " s |")
print("|---:|---:|---:|---:|---:|---:|---:|")
rows = [(int(after), name, label) for kind, name, d, after, label in steps if kind == "size"]
rows.append((next((int(after) for kind, name, d, after, label in steps if name == "a-query"), 0),
             "a-query", os.path.join(work, "query.json")))
for after, name, rep in sorted(set(rows)):
    r = timed(name)
    if r is None:
        continue
    s = summary(rep)
    print(f"| {after:,}{flag(r[2])} | {r[0]:.2f} | {gb(r[1])} | {gb(r[4])} / {gb(r[5])} | "
          f"{s.get('passages', 0):,} | {s.get('verified_pairs', 0):,} | {stages(r[3])} |")
PY
if [ -n "${WORK:-}" ]; then echo "run.sh: archives, reports and logs kept in $work" >&2; fi
