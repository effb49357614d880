#!/usr/bin/env bash
# Whole-process figures (wall, cpu, peak memory) for the performance goals, side by side with the
# peers in one run on this machine. GNU time: one warm-up run, then N counted runs; min / median /
# max. Corpora are made here, under target/bench-corpus/ (never committed):
#   big.txt       the FY2024 table text repeated 300 times (9,993,300 bytes, as the peers' README)
#   big20.jsonl   the seed's records as JSON Lines (ids dropped) repeated to 20 MB
#   big100.jsonl  the same to 100 MB
#   bigdata/      big.txt as a data folder, for the main job at scale
#   usage: benches/whole_process.sh [N]     (from the repository root)
# The Python peer and fugashi rows need ../shared/peers and PyPI once (a venv in $SCRATCH);
# without them those rows are skipped.
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-5}
shared=${SHARED:-../shared}
scratch=${SCRATCH:-${TMPDIR:-/tmp}/zaitaku-bench}
corpus=target/bench-corpus
mkdir -p "$scratch" "$corpus"
cargo build --release --quiet
zaitaku=./target/release/zaitaku
seed=data/r06_tokyo_zaitaku_jigyo_ichiran.txt

# One warm-up, then N runs of a command; prints min / median / max of wall, cpu and peak MiB.
measure() {
  local tmp
  tmp=$(mktemp)
  "$@" >/dev/null 2>&1 || true
  for _ in $(seq "$n"); do
    /usr/bin/time -f '%e %U %S %M' -o "$tmp" "$@" >/dev/null 2>&1 || echo "exit $? from: $*" >&2
    tail -n 1 "$tmp"
  done | python3 -c '
import statistics, sys
rows = [tuple(map(float, l.split())) for l in sys.stdin if l.strip()]
wall = [r[0] for r in rows]; cpu = [r[1] + r[2] for r in rows]; peak = [r[3] / 1024 for r in rows]
for name, v in (("wall s", wall), ("cpu s", cpu), ("peak MiB", peak)):
    print(f"  {name:9} min {min(v):8.3f}  median {statistics.median(v):8.3f}  max {max(v):8.3f}  (n={len(v)})")
'
  rm -f "$tmp"
}

if [ ! -s "$corpus/big.txt" ]; then
  for _ in $(seq 300); do cat "$seed"; done > "$corpus/big.txt"
fi
if [ ! -s "$corpus/big100.jsonl" ]; then
  "$zaitaku" ingest "$seed" | sed 's/^{"id":"[^"]*",/{/' > "$corpus/seed.jsonl"
  : > "$corpus/big20.jsonl"
  while [ "$(stat -c %s "$corpus/big20.jsonl")" -lt 20000000 ]; do cat "$corpus/seed.jsonl" >> "$corpus/big20.jsonl"; done
  : > "$corpus/big100.jsonl"
  for _ in 1 2 3 4 5; do cat "$corpus/big20.jsonl" >> "$corpus/big100.jsonl"; done
fi
printf '{"id":"p-1","description":"MCSを導入した。"}\n' > "$corpus/one.jsonl"
mkdir -p "$corpus/bigdata"
ln -sf ../big.txt "$corpus/bigdata/r06_big.txt"

peers=false
if [ -d "$shared/peers" ]; then
  if [ ! -x "$scratch/venv/bin/python3" ]; then
    python3 -m venv "$scratch/venv" && "$scratch/venv/bin/pip" install -q -r "$shared/peers/requirements.txt" || true
  fi
  [ -x "$scratch/venv/bin/python3" ] && peers=true
fi
py=$scratch/venv/bin/python3

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); $(date -u +%Y-%m-%dT%H:%MZ)"
echo "corpora: $(stat -c '%n %s bytes' "$corpus/big.txt" "$corpus/big20.jsonl" "$corpus/big100.jsonl" | paste -sd';')"

echo "== 1. main job on the seed, no cache (data/ -> reports)"
measure "$zaitaku" --no-cache --out "$scratch/reports"
echo "== 1b. main job on the seed, cache warm"
measure "$zaitaku" --out "$scratch/reports-cached"
if $peers; then
  echo "== 1p. Python peer: python_peer.py on the seed"
  measure "$py" "$shared/peers/python_peer.py" --out "$scratch/peer-out"
fi

echo "== 2. zaitaku tag --threads 1 on big.txt (10 MB)"
measure "$zaitaku" --threads 1 tag "$corpus/big.txt"
echo "== 2b. zaitaku tag --threads 2 on big.txt"
measure "$zaitaku" --threads 2 tag "$corpus/big.txt"
echo "== 2c. zaitaku tokens --threads 1 on big.txt (tokenize stage only, TSV out)"
measure "$zaitaku" --threads 1 tokens "$corpus/big.txt"
if $peers; then
  echo "== 2p. fugashi: bench_fugashi.py big.txt nodes"
  measure "$py" "$shared/peers/bench_fugashi.py" "$corpus/big.txt" nodes
fi

echo "== 3. zaitaku tag on JSON Lines, 20 MB then 100 MB (memory must not grow)"
measure "$zaitaku" tag "$corpus/big20.jsonl"
measure "$zaitaku" tag "$corpus/big100.jsonl"

echo "== 4. start-up: zaitaku tag on a one-line passage (dictionary load + rule compile + one record)"
measure "$zaitaku" tag "$corpus/one.jsonl"

echo "== 5. main job on big.txt (10 MB, 17,400 records, one fiscal year), no cache: the report at scale"
measure "$zaitaku" --no-cache --data "$corpus/bigdata" --out "$scratch/reports-big"
echo "  report: $(du -sh "$scratch/reports-big" | cut -f1) in $(find "$scratch/reports-big" -type f | wc -l) files; index.html $(stat -c %s "$scratch/reports-big/index.html") bytes"
