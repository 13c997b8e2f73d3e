#!/usr/bin/env bash
# Side-by-side training throughput: Cramjet's `bench train` against the independent PyTorch reference step
# (ref_bench.py: eager, --sdpa, --compile), interleaved round by round so that a noisy machine hurts all alike.
# Prints one JSON line per run and a summary table with the median tokens/s of each setup and Cramjet's ratio to it.
#
# usage: bench/compare.sh [--rounds N] [--arch tiny] [--micro-batch 32] [--steps 20] [--precision fp32]
#                         [--python PY] [--ref REF_BENCH_PY] [--setups "cramjet eager sdpa compile"]
# PY defaults to .venv-torch/bin/python (make it with ../shared/bench/setup-torch.sh), REF to
# ../shared/bench/ref_bench.py. Extra setups: cramjet-untuned (Cramjet without the allocator settings of bin/cramjet)
# and eager-tuned (PyTorch eager with them), to show what the allocator alone is worth.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
rounds=3 arch=tiny mb=32 steps=20 precision=fp32
py="$root/.venv-torch/bin/python" ref="$root/../shared/bench/ref_bench.py"
setups="cramjet eager sdpa compile"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --rounds) rounds="$2"; shift 2 ;;
    --arch) arch="$2"; shift 2 ;;
    --micro-batch) mb="$2"; shift 2 ;;
    --steps) steps="$2"; shift 2 ;;
    --precision) precision="$2"; shift 2 ;;
    --python) py="$2"; shift 2 ;;
    --ref) ref="$2"; shift 2 ;;
    --setups) setups="$2"; shift 2 ;;
    *) echo "compare.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
[[ -x "$py" ]] || { echo "compare.sh: no Python with torch at $py (see ../shared/bench/setup-torch.sh)" >&2; exit 2; }
[[ -f "$ref" ]] || { echo "compare.sh: no reference script at $ref" >&2; exit 2; }
tuning=$(grep -o 'MALLOC_[A-Z_]*=[^ ]*' "$root/bin/cramjet" | tr '\n' ' ')
out=$(mktemp)
run() { # setup -> one JSON line
  case "$1" in
    cramjet) "$root/bin/cramjet" bench train --arch "$arch" --micro-batch "$mb" --steps "$steps" --precision "$precision" --json 2>/dev/null ;;
    cramjet-untuned) CRAMJET_ALLOCATOR=default "$root/bin/cramjet" bench train --arch "$arch" --micro-batch "$mb" --steps "$steps" --precision "$precision" --json 2>/dev/null ;;
    eager) "$py" "$ref" --arch "$arch" --micro-batch "$mb" --steps "$steps" --precision "$precision" 2>/dev/null | tail -1 ;;
    eager-tuned) env $tuning "$py" "$ref" --arch "$arch" --micro-batch "$mb" --steps "$steps" --precision "$precision" 2>/dev/null | tail -1 ;;
    sdpa) "$py" "$ref" --arch "$arch" --micro-batch "$mb" --steps "$steps" --precision "$precision" --sdpa 2>/dev/null | tail -1 ;;
    compile) "$py" "$ref" --arch "$arch" --micro-batch "$mb" --steps "$steps" --precision "$precision" --compile 2>/dev/null | tail -1 ;;
    *) echo "compare.sh: unknown setup $1" >&2; exit 2 ;;
  esac
}
for ((r = 1; r <= rounds; r++)); do
  for s in $setups; do
    line=$(run "$s")
    echo "{\"round\": $r, \"setup\": \"$s\", \"result\": $line}" | tee -a "$out"
  done
done
python3 - "$out" <<'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
by = {}
for r in rows:
    res = r["result"]
    # ref_bench reports the median step; bench train reports both: compare medians with medians.
    tps = res.get("median_tokens_per_second", res["tokens_per_second"])
    ms = res.get("median_ms_per_step", res["ms_per_step"])
    by.setdefault(r["setup"], []).append((tps, ms, res.get("mfu")))
cj = {r["round"]: r["result"].get("median_tokens_per_second") for r in rows if r["setup"] == "cramjet"}
print()
print("| setup | tokens/s (median of rounds) | ms/step | all rounds | Cramjet / setup (median of per-round ratios) |")
print("|---|---|---|---|---|")
for s, v in by.items():
    tps = statistics.median(x[0] for x in v)
    ms = statistics.median(x[1] for x in v)
    ratios = [cj[r["round"]] / r["result"].get("median_tokens_per_second", r["result"]["tokens_per_second"])
              for r in rows if r["setup"] == s and cj.get(r["round"])]
    ratio = f"{statistics.median(ratios):.2f}" if ratios and s != "cramjet" else "-"
    print(f"| {s} | {tps:,.0f} | {ms:.0f} | {', '.join(f'{x[0]:,.0f}' for x in v)} | {ratio} |")
PY
rm -f "$out"
