#!/usr/bin/env bash
# The CUDA checks, in one go and under 10 minutes, printing one JSON summary on stdout (progress on stderr):
#   1. bench peak                                    (fp32, bf16, fp16 matmul peaks on the GPU)
#   2. bench train --arch crammed-bert               in fp32, bf16 and fp16 (micro-batch 128 by default)
#   3. a 2-minute daemon run of crammed-bert with bert-o4 on synthetic rows, scraping /metrics as it trains
#
# usage: bench/gpu-check.sh [--micro-batch N] [--steps N] [--pretrain-budget 2m] [--out DIR]
#                           [--arch crammed-bert] [--allow-cpu]   (the last two: a plumbing check on a CPU machine)
#
# libtorch for CUDA: DJL 0.36 runs libtorch 2.7.1. Maven Central has no CUDA build of it, so point
# PYTORCH_LIBRARY_PATH at one (a libtorch-2.7.1+cu128 folder's lib/, or the torch/lib folder of a pip install of
# torch 2.7.1 for CUDA 12.8). When PYTORCH_LIBRARY_PATH is unset, the script looks for such a torch in python3.
# The JNI bridge for cu128 is in the pytorch-jni jar the build already has.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
mb=128 steps=20 budget=2m out="${TMPDIR:-/tmp}/cramjet-gpu-check" arch=crammed-bert allow_cpu=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --micro-batch) mb="$2"; shift 2 ;;
    --steps) steps="$2"; shift 2 ;;
    --pretrain-budget) budget="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    --arch) arch="$2"; shift 2 ;;
    --allow-cpu) allow_cpu=1; shift ;;
    *) echo "gpu-check: unknown option $1" >&2; exit 2 ;;
  esac
done
log() { echo "gpu-check: $*" >&2; }

if ! command -v nvidia-smi >/dev/null 2>&1 || ! nvidia-smi -L >/dev/null 2>&1; then
  if [[ $allow_cpu == 0 ]]; then
    echo '{"ok": false, "error": "no NVIDIA GPU here (nvidia-smi finds none)"}'
    exit 1
  fi
  gpu="none (--allow-cpu)"
else
  gpu=$(nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader | head -1)
fi
if [[ $allow_cpu == 0 && -z "${PYTORCH_LIBRARY_PATH:-}" ]] && command -v python3 >/dev/null 2>&1; then
  found=$(python3 - <<'PY' 2>/dev/null || true
import os, torch
if torch.__version__.startswith("2.7.") and torch.version.cuda:
    print(os.path.join(os.path.dirname(torch.__file__), "lib"))
PY
)
  [[ -n "$found" ]] && export PYTORCH_LIBRARY_PATH="$found" && log "using libtorch from $found"
fi
if [[ $allow_cpu == 0 && -z "${PYTORCH_LIBRARY_PATH:-}" ]]; then
  echo '{"ok": false, "error": "no CUDA libtorch 2.7.1: set PYTORCH_LIBRARY_PATH (see README, GPU machines)"}'
  exit 1
fi
[[ $allow_cpu == 0 ]] && export PYTORCH_VERSION=2.7.1 PYTORCH_FLAVOR="${PYTORCH_FLAVOR:-cu128}"
export CRAMJET_HOME="$out/home"
mkdir -p "$out" "$CRAMJET_HOME"
cj="$root/bin/cramjet"
log "GPU: $gpu"

log "1/3 bench peak"
peak=$("$cj" bench peak --seconds 5 --json 2>>"$out/stderr.log" | tail -1)

train=()
for p in fp32 bf16 fp16; do
  log "2/3 bench train $arch $p, micro-batch $mb"
  if [[ $allow_cpu == 1 && $p != fp32 ]]; then
    train+=("\"$p\": {\"error\": \"skipped on a CPU\"}")
    continue
  fi
  if r=$("$cj" bench train --arch "$arch" --micro-batch "$mb" --steps "$steps" --precision "$p" --json \
      2>>"$out/stderr.log" | tail -1) && [[ -n "$r" ]]; then
    train+=("\"$p\": $r")
  else
    train+=("\"$p\": {\"error\": \"failed; see $out/stderr.log\"}")
  fi
done

log "3/3 daemon: $arch with bert-o4 for $budget, scraping /metrics"
run="$out/run"
rm -rf "$run"
extra=""
# On a CPU a bert-o4 step at the end of its batch ramp (8192 rows) takes minutes: keep one micro-batch per step.
[[ $allow_cpu == 1 ]] && extra=", batch-size = $mb"
cat > "$out/run.conf" <<EOF
arch = $arch
train { preset = bert-o4, budget = $budget, micro-batch = $mb, checkpoint-every = 0, log-every = 10 $extra }
run { shards = synthetic, out = "$run" }
EOF
"$cj" daemon --config "$out/run.conf" --port 0 >"$out/daemon.log" 2>&1 &
pid=$!
url=""
for _ in $(seq 1 120); do
  url=$(grep -o 'http://127.0.0.1:[0-9]*' "$out/daemon.log" | head -1 || true)
  [[ -n "$url" && -f "$run/token" ]] && break
  sleep 1
done
scrapes=0 lastmetrics=""
while kill -0 "$pid" 2>/dev/null; do
  if [[ -n "$url" && -f "$run/token" ]]; then
    if m=$(curl -sf -H "Authorization: Bearer $(cat "$run/token")" "$url/metrics"); then
      scrapes=$((scrapes + 1)); lastmetrics="$m"
    fi
  fi
  sleep 5
done
wait "$pid" && rc=0 || rc=$?
metric() { echo "$lastmetrics" | awk -v n="$1" '$1 == n {print $2}' | tail -1; }
last=$(tail -1 "$run/metrics.jsonl" 2>/dev/null || echo null)

python3 - "$gpu" "$peak" "$rc" "$scrapes" "$last" "$(metric cramjet_tokens_trained_total)" \
  "$(metric cramjet_model_flops_utilization_ratio)" "$(metric cramjet_loss_scale)" "${train[@]}" <<'PY'
import json, sys
gpu, peak, rc, scrapes, last, tokens, mfu, scale = sys.argv[1:9]
train = json.loads("{" + ", ".join(sys.argv[9:]) + "}")
def num(x):
    try: return float(x)
    except ValueError: return None
print(json.dumps({
    "ok": rc == "0" and int(scrapes) > 0 and all("error" not in v or v["error"] == "skipped on a CPU"
                                                  for v in train.values()),
    "gpu": gpu,
    "bench_peak": json.loads(peak) if peak.startswith("{") else peak,
    "bench_train": train,
    "pretrain": {"exit_code": int(rc), "metrics_scrapes": int(scrapes), "last_step": json.loads(last),
                 "tokens_trained": num(tokens), "mfu": num(mfu), "loss_scale": num(scale)},
}))
PY
