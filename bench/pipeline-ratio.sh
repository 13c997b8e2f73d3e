#!/usr/bin/env bash
# Does the data pipeline keep the trainer fed? Compares the training rate of the full platform (the daemon: data
# loader, batch assembler with masking and prefetch, trainer actor) and of the foreground `pretrain` loop with
# `bench train` (steps on rows made in the same thread, nothing else running), on the same architecture and
# micro-batch, one optimizer step per micro-batch, interleaved round by round.
#
# usage: bench/pipeline-ratio.sh [--rounds 3] [--arch tiny] [--micro-batch 32] [--steps 40] [--precision fp32]
# Prints one line per run and the median ratios daemon/bench and pretrain/bench. Rates skip the first log window
# (warm-up), as bench train skips its warm-up steps.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
rounds=3 arch=tiny mb=32 steps=40 precision=fp32
while [[ $# -gt 0 ]]; do
  case "$1" in
    --rounds) rounds="$2"; shift 2 ;;
    --arch) arch="$2"; shift 2 ;;
    --micro-batch) mb="$2"; shift 2 ;;
    --steps) steps="$2"; shift 2 ;;
    --precision) precision="$2"; shift 2 ;;
    *) echo "pipeline-ratio.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
cj="$root/bin/cramjet"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cat > "$work/run.conf" <<EOF
arch = $arch
train { preset = cpu-short, budget = ${steps}steps, micro-batch = $mb, batch-size = $mb, ramp-fraction = 0,
        checkpoint-every = 0, log-every = 5, precision = $precision }
run { shards = synthetic }
EOF
# tokens/s over the logged windows after the first, from a run's metrics.jsonl
rate() {
  python3 - "$1" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
rows = rows[1:]  # the first window holds the warm-up
tokens = rows[-1]["tokens"] - rows[0]["tokens"]
secs = rows[-1]["elapsed_seconds"] - rows[0]["elapsed_seconds"]
print(tokens / secs)
PY
}
results="$work/results"
for ((r = 1; r <= rounds; r++)); do
  b=$("$cj" bench train --arch "$arch" --micro-batch "$mb" --steps "$steps" --precision "$precision" --json 2>/dev/null | tail -1 |
      python3 -c 'import json,sys; print(json.load(sys.stdin)["tokens_per_second"])')
  rm -rf "$work/fg" "$work/dm"
  "$cj" pretrain --config "$work/run.conf" --out "$work/fg" >/dev/null 2>&1
  f=$(rate "$work/fg/metrics.jsonl")
  "$cj" daemon --config "$work/run.conf" --set "run.out=\"$work/dm\"" --port 0 >/dev/null 2>&1
  d=$(rate "$work/dm/metrics.jsonl")
  echo "round $r: bench $b  pretrain $f  daemon $d tokens/s" | tee -a "$results"
done
python3 - "$results" <<'PY'
import re, statistics, sys
rows = [list(map(float, re.findall(r"bench (\S+)  pretrain (\S+)  daemon (\S+)", l)[0])) for l in open(sys.argv[1])]
print("median pretrain/bench %.3f, daemon/bench %.3f" % (statistics.median(f / b for b, f, d in rows),
                                                        statistics.median(d / b for b, f, d in rows)))
PY
