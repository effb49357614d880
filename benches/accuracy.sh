#!/usr/bin/env bash
# Tagging accuracy of the shipped rules on every gold set in the repository, and on the
# development set of real prose in ../shared/dev/ where it exists, in one Markdown table.
#
#   benches/accuracy.sh            # builds the release binary (text stages only) if needed
#   BIN=path/to/zaitaku benches/accuracy.sh
#
# Status accuracy is over true positives; "entity (named)" is over true positives whose gold
# names an entity (a rule that never names anything scores well on "entity (all)").
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-target/release/zaitaku}
if [ ! -x "$BIN" ]; then
  cargo build --release --quiet --no-default-features
fi
sets=(
  "tests/gold/r06.jsonl|FY2024 table (in-sample: the rules were written from it)"
  "tests/regression/r07_gold.jsonl|FY2025-style table written for this project (regression)"
  "tests/regression/passages.jsonl|40 passages written for this project (regression)"
  "tests/integration/free_text_cases.jsonl|construct cases in this project's own words"
  "../shared/dev/external_dev.jsonl|50 passages of real prose from other prefectures (development set)"
)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "| set | records | micro P | micro R | micro F1 | TP / FP / FN | status | entity (all) | entity (named) |"
echo "|---|---:|---:|---:|---:|---|---:|---:|---:|"
for entry in "${sets[@]}"; do
  file=${entry%%|*}
  what=${entry#*|}
  [ -f "$file" ] || continue
  "$BIN" eval --gold "$file" --json -o "$tmp/eval.json"
  python3 - "$tmp/eval.json" "$file" "$what" <<'PY'
import json, sys
e = json.load(open(sys.argv[1]))
m = e["micro"]
tp, fp, fn = m["tp"], m["fp"], m["fn"]
ratio = lambda a, b: a / b if b else 0.0
p, r = ratio(tp, tp + fp), ratio(tp, tp + fn)
f1 = 2 * p * r / (p + r) if p + r else 0.0
named = ratio(e.get("entity_named_correct", 0), e.get("entity_named_total", 0))
print(f"| `{sys.argv[2]}`: {sys.argv[3]} | {e['num_records']} | {p:.3f} | {r:.3f} | **{f1:.3f}** | {tp} / {fp} / {fn} | "
      f"{ratio(e['status_correct'], tp):.3f} | {ratio(e['entity_correct'], tp):.3f} | "
      f"{named:.3f} ({e.get('entity_named_correct', 0)}/{e.get('entity_named_total', 0)}) |")
PY
done
