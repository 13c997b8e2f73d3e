#!/usr/bin/env bash
# Fault-injection soak: kills a `tiny` pretraining run with kill -9 at random points (during optimizer steps, while a
# checkpoint is being written, while old checkpoints are being pruned), resumes it each time, and at the end checks
# that every checkpoint left is valid, that no crash leftovers remain, that metrics.jsonl holds each step once, and
# that the final parameters and optimizer state are bit-identical (SHA-256 of the tensor files) to an uninterrupted
# run of the same config.
#
# usage: bench/soak.sh [--trials 20] [--steps 40] [--every 2] [--keep 2] [--pause-ms 600] [--micro-batch 4]
#                      [--config tiny-synthetic] [--max-minutes 40] [--seed N] [--work DIR]
#
# Kills land where they are aimed through the checkpoint store's test hook: -Dcramjet.fault.checkpoint-pause-ms
# makes each checkpoint write and each prune pause in the middle and print a marker, and the soak kills at a random
# moment inside that window (or at a random moment of a step). When the run reaches its budget before the trials are
# done, it is checked and a new round starts in a fresh folder. Bounded: --trials kills at most, and no new trial after
# --max-minutes. Exit 0 when every check passed, 1 otherwise.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
trials=20 steps=40 every=2 keep=2 pause=600 mb=4 config=tiny-synthetic max_minutes=40 seed=$RANDOM work=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --trials) trials="$2"; shift 2 ;;
    --steps) steps="$2"; shift 2 ;;
    --every) every="$2"; shift 2 ;;
    --keep) keep="$2"; shift 2 ;;
    --pause-ms) pause="$2"; shift 2 ;;
    --micro-batch) mb="$2"; shift 2 ;;
    --config) config="$2"; shift 2 ;;
    --max-minutes) max_minutes="$2"; shift 2 ;;
    --seed) seed="$2"; shift 2 ;;
    --work) work="$2"; shift 2 ;;
    -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
    *) echo "soak.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
for n in "$trials" "$steps" "$every" "$keep" "$pause" "$mb" "$max_minutes" "$seed"; do
  [[ "$n" =~ ^[0-9]+$ ]] || { echo "soak.sh: expected a whole number, got '$n'" >&2; exit 2; }
done
(( trials >= 1 && steps >= 2 && every >= 1 && keep >= 1 )) || { echo "soak.sh: --trials, --steps, --every, --keep must be >= 1 (--steps >= 2)" >&2; exit 2; }
command -v python3 >/dev/null || { echo "soak.sh: needs python3" >&2; exit 2; }
RANDOM=$seed
cj="$root/bin/cramjet"
if [[ -z "$work" ]]; then
  work=$(mktemp -d "${TMPDIR:-/tmp}/cramjet-soak.XXXXXX")
  trap 'rm -rf "$work"' EXIT
fi
mkdir -p "$work"
export CRAMJET_HOME="${CRAMJET_HOME:-$work/home}"
"$cj" --version >/dev/null # builds the jar first, if needed

args=(pretrain --config "$config" --budget "${steps}steps" --peak-flops 1e12
  --set "train.micro-batch=$mb" --set "train.batch-size=$((2 * mb))" --set "train.checkpoint-every=\"${every}steps\""
  --set "train.keep-checkpoints=$keep" --set train.log-every=1)
hook="-Dcramjet.fault.checkpoint-pause-ms=$pause"
start_s=$SECONDS

# SHA-256 of the final checkpoint's tensor files: "model optimizer"
final_sums() {
  local f
  f=$(ls -d "$1"/checkpoints/step-* 2>/dev/null | sort | tail -1)
  [[ -n "$f" && -f "$f/state.json" ]] || { echo "none none"; return; }
  echo "$(sha256sum "$f/model.safetensors" | cut -d' ' -f1) $(sha256sum "$f/optimizer.safetensors" | cut -d' ' -f1)"
}

echo "soak: seed $seed, $trials trials, $config at ${steps} steps, checkpoint every $every steps, keep $keep, pause ${pause} ms; work in $work" >&2
echo "soak: uninterrupted reference run ..." >&2
"$cj" "${args[@]}" --out "$work/reference" >"$work/reference.out" 2>"$work/reference.log" \
  || { echo "soak: the reference run failed; see $work/reference.log" >&2; exit 1; }
reference=$(final_sums "$work/reference")

# Bytes of what a crash leaves: temporaries, half-pruned folders, step folders without state.json.
leftover_bytes() {
  local d="$1/checkpoints" total=0 p
  [[ -d "$d" ]] || { echo 0; return; }
  for p in "$d"/.tmp-* "$d"/.prune-* "$d"/.replaced-* "$d"/step-*; do
    [[ -e "$p" ]] || continue
    if [[ "$(basename "$p")" == step-* && -f "$p/state.json" ]]; then continue; fi
    total=$((total + $(find "$p" -type f -printf '%s\n' | awk '{ s += $1 } END { print s + 0 }')))
  done
  echo "$total"
}

# After a process: when its log reports the start's cleanup, count it and the bytes measured before it started.
counted_cleanup() {
  if grep -q "checkpoint cleanup freed" "$1"; then
    cleanup_lines=$((cleanup_lines + 1))
    freed=$((freed + pending))
  fi
  if (( pending > 0 )) && ! grep -q "checkpoint cleanup freed" "$1" && grep -Eq " step [0-9]+ " "$1"; then
    echo "soak: $1: $pending bytes of leftovers, but no cleanup line before training" >&2
    failures=$((failures + 1))
  fi
}

# Checks one finished round; prints "verified total" and problems to stderr; returns 1 on a problem.
check_round() {
  local run="$1" ok=0
  python3 - "$run" "$steps" <<'PY' || ok=1
import hashlib, json, os, sys
run, steps = sys.argv[1], int(sys.argv[2])
ck = os.path.join(run, "checkpoints")
problems, verified, total = [], 0, 0
for name in sorted(os.listdir(ck)):
    p = os.path.join(ck, name)
    if name == "rejected":
        problems.append("rejected checkpoints: " + ", ".join(sorted(os.listdir(p))))
        continue
    if not name.startswith("step-"):
        problems.append("leftover " + name)
        continue
    total += 1
    try:
        state = json.load(open(os.path.join(p, "state.json")))
        for f, want in state["files"].items():
            h = hashlib.sha256()
            with open(os.path.join(p, f), "rb") as fh:
                for chunk in iter(lambda: fh.read(1 << 20), b""):
                    h.update(chunk)
            if h.hexdigest() != want:
                raise ValueError("checksum mismatch of " + f)
        verified += 1
    except Exception as e:
        problems.append(name + ": " + str(e))
lines = [json.loads(l)["step"] for l in open(os.path.join(run, "metrics.jsonl"))]
if lines != list(range(1, steps + 1)):
    problems.append("metrics.jsonl steps are not 1..%d once each (%d lines)" % (steps, len(lines)))
print(verified, total)
for p in problems:
    print("soak: " + run + ": " + p, file=sys.stderr)
sys.exit(1 if problems or verified != total else 0)
PY
  return $ok
}

declare -A kills=([step]=0 [write]=0 [prune]=0 [startup]=0)
pending=0 resumes=0 freed=0 verified=0 checked=0 rounds=0 identical_rounds=0 failures=0 trial=0 cleanup_lines=0
round_dir() { echo "$work/soak-$rounds"; }
rounds=1
run_dir=$(round_dir)

# Starts the run (resuming when a checkpoint exists); sets pid and log.
launch() {
  log="$work/trial-$trial.log"
  local extra=()
  if compgen -G "$run_dir/checkpoints/step-*/state.json" >/dev/null; then
    extra=(--resume "$run_dir")
    resumes=$((resumes + 1))
  fi
  pending=$(leftover_bytes "$run_dir") # what the start's cleanup should free
  CRAMJET_JAVA_OPTS="$hook" "$cj" "${args[@]}" --out "$run_dir" "${extra[@]}" >"$work/trial-$trial.out" 2>"$log" &
  pid=$!
}

# Finishes a round: resume until the budget is spent, then check it.
finish_round() {
  local tries=0 code=1
  while (( tries < 3 )); do
    local extra=()
    if compgen -G "$run_dir/checkpoints/step-*/state.json" >/dev/null; then extra=(--resume "$run_dir"); resumes=$((resumes + 1)); fi
    pending=$(leftover_bytes "$run_dir")
    code=0
    "$cj" "${args[@]}" --out "$run_dir" "${extra[@]}" >"$work/finish-$rounds.out" 2>"$work/finish-$rounds.log" || code=$?
    counted_cleanup "$work/finish-$rounds.log"
    (( code == 0 )) && break
    tries=$((tries + 1))
  done
  if (( code != 0 )); then
    echo "soak: round $rounds did not finish (exit $code); see $work/finish-$rounds.log" >&2
    failures=$((failures + 1))
    return
  fi
  local out
  if out=$(check_round "$run_dir"); then :; else failures=$((failures + 1)); fi
  [[ "$out" =~ ^[0-9]+\ [0-9]+$ ]] || out="0 0"
  verified=$((verified + ${out% *})); checked=$((checked + ${out#* }))
  if [[ "$(final_sums "$run_dir")" == "$reference" ]]; then
    identical_rounds=$((identical_rounds + 1))
  else
    echo "soak: round $rounds: final tensors differ from the reference ($(final_sums "$run_dir") vs $reference)" >&2
    failures=$((failures + 1))
  fi
}

phases=(step write prune)
while (( trial < trials )); do
  if (( SECONDS - start_s > max_minutes * 60 )); then
    echo "soak: time limit of $max_minutes minutes reached after $trial trials" >&2
    failures=$((failures + 1))
    break
  fi
  trial=$((trial + 1))
  target=${phases[$(( (trial - 1) % 3 ))]}
  launch
  # Wait for the target phase to begin in this process, then kill at a random moment inside it.
  deadline=$((SECONDS + 300))
  case "$target" in
    write) pattern="cramjet-fault: checkpoint-write-begin" ;;
    prune) pattern="cramjet-fault: prune-begin" ;;
    step) pattern=" step [0-9]+ " ;;
  esac
  finished=0
  while ! grep -Eq "$pattern" "$log" 2>/dev/null; do
    if ! kill -0 "$pid" 2>/dev/null; then finished=1; break; fi
    (( SECONDS < deadline )) || break
    sleep 0.05
  done
  if (( finished )); then
    wait "$pid" && code=0 || code=$?
    counted_cleanup "$log"
    if (( code == 0 )); then
      echo "soak: trial $trial: the run reached its budget before a $target kill; checking round $rounds" >&2
      finish_round
      rounds=$((rounds + 1)); run_dir=$(round_dir)
      trial=$((trial - 1))
      continue
    fi
    echo "soak: trial $trial: the run exited $code before it could be killed; see $log" >&2
    failures=$((failures + 1))
    continue
  fi
  if [[ "$target" == step ]]; then
    sleep "$(awk -v r=$RANDOM 'BEGIN { printf "%.3f", r / 32768 * 2.0 }')"
  else
    # within the first 3/4 of the pause: polling and process start-up eat into the rest
    sleep "$(awk -v r=$RANDOM -v p="$pause" 'BEGIN { printf "%.3f", r / 32768 * 0.75 * p / 1000 }')"
  fi
  kill -9 "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  counted_cleanup "$log"
  # Where did it land? The last hook marker before the kill says so.
  last=$(grep -Eo "cramjet-fault: (checkpoint-write-begin|checkpoint-write-end|prune-begin|prune-end)" "$log" | tail -1 || true)
  case "$last" in
    *checkpoint-write-begin) phase=write ;;
    *prune-begin) phase=prune ;;
    *) if grep -Eq " step [0-9]+ " "$log"; then phase=step; else phase=startup; fi ;;
  esac
  kills[$phase]=$((kills[$phase] + 1))
  echo "soak: trial $trial: aimed at $target, killed during $phase" >&2
done
finish_round

printf '\n| %-34s | %s |\n' "fault-injection soak (seed $seed)" "result"
printf '|%s|%s|\n' "------------------------------------" "--------"
printf '| %-34s | %s |\n' "trials (kill -9)" "$trial"
printf '| %-34s | %s |\n' "kills during a step" "${kills[step]}"
printf '| %-34s | %s |\n' "kills during a checkpoint write" "${kills[write]}"
printf '| %-34s | %s |\n' "kills during pruning" "${kills[prune]}"
printf '| %-34s | %s |\n' "kills during start-up" "${kills[startup]}"
printf '| %-34s | %s |\n' "resumes" "$resumes"
printf '| %-34s | %s |\n' "rounds run to the end" "$rounds"
printf '| %-34s | %s |\n' "checkpoints verified" "$verified of $checked"
printf '| %-34s | %s |\n' "bytes freed by cleanup" "$freed ($(awk -v b="$freed" 'BEGIN { printf "%.1f MB", b / 1e6 }'), $cleanup_lines cleanup lines logged)"
printf '| %-34s | %s |\n' "final parameters identical" "$( (( identical_rounds == rounds )) && echo yes || echo no) ($identical_rounds of $rounds rounds)"
printf '| %-34s | %s |\n' "wall time" "$((SECONDS - start_s)) s"
if (( failures > 0 )); then
  echo "soak: FAILED ($failures problems; logs in $work)" >&2
  trap - EXIT
  exit 1
fi
echo "soak: passed" >&2
