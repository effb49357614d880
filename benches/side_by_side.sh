#!/usr/bin/env bash
# The whole main job on the FY2024 seed against the Python peer (fugashi + pandas + matplotlib),
# measured side by side in one run on this machine with the peer's own bench.sh (GNU time: one
# warm-up run, then N counted runs; min / median / max of wall, cpu and peak memory).
#   usage: benches/side_by_side.sh [N]        (from the repository root, ../shared beside it)
# Needs GNU time (apt-get install time) and network access to PyPI once, for the peer's venv.
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-5}
shared=${SHARED:-../shared}
scratch=${SCRATCH:-${TMPDIR:-/tmp}/zaitaku-side-by-side}
mkdir -p "$scratch"
cargo build --release --quiet
if [ ! -x "$scratch/venv/bin/python3" ]; then
  python3 -m venv "$scratch/venv"
  "$scratch/venv/bin/pip" install -q -r "$shared/peers/requirements.txt"
fi
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); $(date -u +%Y-%m-%dT%H:%MZ)"
echo "== zaitaku main job: data/ -> reports (release build)"
"$shared/peers/bench.sh" "$n" ./target/release/zaitaku --out "$scratch/zaitaku-reports"
echo "== zaitaku main job, --threads 1"
"$shared/peers/bench.sh" "$n" ./target/release/zaitaku --threads 1 --out "$scratch/zaitaku-reports-1"
echo "== Python peer: python_peer.py on the same table"
"$shared/peers/bench.sh" "$n" "$scratch/venv/bin/python3" "$shared/peers/python_peer.py" --out "$scratch/peer-out"
