#!/usr/bin/env bash
# Detection quality against generated wire-copy corpora at increasing word edit rates.
#
# Builds the release binary, generates one corpus per edit rate from the shared news base
# (30 wire stories, 8 outlets x 30 articles, 20% distractors: 270 documents each), runs
# `wirecopy eval` on each with default detection settings and prints a markdown table.
# Generated data goes to a temporary directory that is removed at exit.
#
# Usage: scripts/eval-edit-rates.sh            (BASE=… and SEED=… override the defaults)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
base="${BASE:-$root/../shared/corpora/news.jsonl.gz}"
seed="${SEED:-1}"
rates=(0 0.05 0.10 0.15 0.20 0.30)

if [[ ! -f "$base" ]]; then
    echo "eval-edit-rates: base corpus not found: $base" >&2
    exit 2
fi
cargo build --release --quiet --manifest-path "$root/Cargo.toml"
bin="$root/target/release/wirecopy"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

# A top-level number of the pretty JSON scores (two-space indent), or of a nested object's
# field when given "object field".
field() {
    local file="$1" key="$2" sub="${3:-}"
    if [[ -z "$sub" ]]; then
        sed -n "s/^  \"$key\": \\([0-9.e+-]*\\),\\{0,1\\}\$/\\1/p" "$file"
    else
        sed -n "/^  \"$key\": {/,/^  }/s/^    \"$sub\": \\([0-9.e+-]*\\),\\{0,1\\}\$/\\1/p" "$file"
    fi
}
num() { printf '%.3f' "$1"; }

header='| edit rate | cases | detections | precision | recall | F1 | granularity | plagdet | micro P | micro R | distractor-pair detections (chars) |'
rule='|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|'
row() {
    local rate="$1" s="$2"
    printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s (%s) |\n' \
        "$rate" "$(field "$s" cases)" "$(field "$s" detections)" \
        "$(num "$(field "$s" precision)")" "$(num "$(field "$s" recall)")" \
        "$(num "$(field "$s" f1)")" "$(num "$(field "$s" granularity)")" \
        "$(num "$(field "$s" plagdet)")" \
        "$(num "$(field "$s" micro precision)")" "$(num "$(field "$s" micro recall)")" \
        "$(field "$s" distractor_pairs detections)" "$(field "$s" distractor_pairs chars)"
}
all=() wire=()
for rate in "${rates[@]}"; do
    dir="$tmp/rate-$rate"
    "$bin" generate --base "$base" --out "$dir" --seed "$seed" --wires 30 --outlets 8 \
        --articles 30 --edit-rate "$rate" --distractors 0.2 >/dev/null
    "$bin" report "$dir/corpus.jsonl" --format json -o "$dir/report.json"
    "$bin" eval --truth "$dir/truth.json" --report "$dir/report.json" --format json >"$dir/all.json"
    "$bin" eval --truth "$dir/truth.json" --report "$dir/report.json" --pairs-with wire \
        --format json >"$dir/wire.json"
    all+=("$(row "$rate" "$dir/all.json")")
    wire+=("$(row "$rate" "$dir/wire.json")")
done
echo "Wire-to-outlet pairs (eval --pairs-with wire):"
echo
echo "$header"; echo "$rule"; printf '%s\n' "${wire[@]}"
echo
echo "All pairs (outlet-to-outlet cases included: two articles that copied the same wire text):"
echo
echo "$header"; echo "$rule"; printf '%s\n' "${all[@]}"
