#!/usr/bin/env bash
# The speed goals of issue 16, measured interleaved: each round runs every command once, in the
# same order, so a noisy minute slows all of them alike and the ratios stay fair. N rounds
# (default 5) after one warm-up round; min / median / max of wall seconds and peak MiB (GNU time).
#   usage: benches/interleaved.sh [N]     (from the repository root, after benches/whole_process.sh
#                                          has made target/bench-corpus/ and the peers' venv)
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-5}
shared=${SHARED:-../shared}
scratch=${SCRATCH:-${TMPDIR:-/tmp}/zaitaku-bench}
py=$scratch/venv/bin/python3
corpus=target/bench-corpus
zaitaku=./target/release/zaitaku
[ -s "$corpus/big.txt" ] || { echo "no $corpus/big.txt: run benches/whole_process.sh once" >&2; exit 2; }
[ -x "$py" ] || { echo "no $py: run benches/whole_process.sh once (it makes the peers' venv)" >&2; exit 2; }
cargo build --release --quiet
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

names=(
  "main job, seed, cache warm"
  "main job, seed, --no-cache"
  "Python peer, seed"
  "tag --threads 1, 10 MB"
  "tokens --threads 1, 10 MB"
  "fugashi, 10 MB"
  "main job, 10 MB, --no-cache"
)
command_of() {
  case $1 in
    0) cmd=("$zaitaku" --out "$scratch/il-cached") ;;
    1) cmd=("$zaitaku" --no-cache --out "$scratch/il-cold") ;;
    2) cmd=("$py" "$shared/peers/python_peer.py" --out "$scratch/il-peer") ;;
    3) cmd=("$zaitaku" --threads 1 tag "$corpus/big.txt") ;;
    4) cmd=("$zaitaku" --threads 1 tokens "$corpus/big.txt") ;;
    5) cmd=("$py" "$shared/peers/bench_fugashi.py" "$corpus/big.txt" nodes) ;;
    6) cmd=("$zaitaku" --no-cache --data "$corpus/bigdata" --out "$scratch/il-big") ;;
  esac
}
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); $(date -u +%Y-%m-%dT%H:%MZ); $n rounds"
: > "$out/all"
for round in $(seq 0 "$n"); do
  for i in "${!names[@]}"; do
    command_of "$i"
    /usr/bin/time -f '%e %M' -o "$out/t" "${cmd[@]}" >/dev/null 2>&1 || echo "exit $? from: ${cmd[*]}" >&2
    if [ "$round" -gt 0 ]; then echo "$i $(tail -n 1 "$out/t")" >> "$out/all"; fi
  done
done
python3 - "$out/all" "${names[@]}" <<'EOF'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1])]
names = sys.argv[2:]
print(f"| what | wall s: min / median / max | peak MiB (median) |")
print("|---|---|---:|")
medians = {}
for i, name in enumerate(names):
    wall = [float(r[1]) for r in rows if int(r[0]) == i]
    peak = [float(r[2]) / 1024 for r in rows if int(r[0]) == i]
    medians[name] = statistics.median(wall)
    print(f"| {name} | {min(wall):.2f} / **{statistics.median(wall):.2f}** / {max(wall):.2f} | {statistics.median(peak):.1f} |")
m = medians
print()
print(f"- peer / main job warm: {m['Python peer, seed'] / m['main job, seed, cache warm']:.1f}x; "
      f"peer / main job --no-cache: {m['Python peer, seed'] / m['main job, seed, --no-cache']:.1f}x (goal 20x)")
print(f"- fugashi / tag --threads 1: {m['fugashi, 10 MB'] / m['tag --threads 1, 10 MB']:.2f}x (goal 1.5x); "
      f"fugashi / tokens: {m['fugashi, 10 MB'] / m['tokens --threads 1, 10 MB']:.2f}x")
EOF
