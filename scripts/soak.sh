#!/usr/bin/env bash
# soak.sh — leave a training run going and watch that it stays healthy.
#
#   scripts/soak.sh [MINUTES]        (default 10)
#
# Runs `arcade train` (A3C on Breakout, 8 actor threads x 32 envs) pinned to 2 cores with
# a checkpoint every SOAK_CHECKPOINT_EVERY frames (a few seconds apart), and meanwhile
# evaluates the latest checkpoint over and over (`arcade eval`, 3 episodes, on the same
# cores). Every SOAK_SAMPLE seconds it records the trainer's resident memory (VmRSS of
# /proc/PID/status), its frame count and frames/s (the last metrics.csv row), and the
# evaluations so far. At the end it stops the run with SIGINT, as Ctrl-C would, and
# prints a summary: RSS min/max and its growth after the first tenth of the run (the
# warm-up: buffers, first checkpoint, allocator arenas), throughput mean/min/
# max, checkpoints, evaluations, errors (failed evaluations, a failed or slow stop,
# error lines from the trainer) — which must be 0 — and the stop latency.
#
# Environment: ARCADE (default bin/arcade), SOAK_DIR (default runs/soak), SOAK_CORES
# (default 0,1), SOAK_CHECKPOINT_EVERY (default 200000 frames), SOAK_SAMPLE (default 5 s),
# SOAK_KEEP (periodic checkpoints kept, default 5: older ones are deleted as it goes).
# Output: SOAK_DIR/soak.csv (t_s,rss_kb,frames,fps,checkpoints,evals,eval_errors), the
# summary on stdout and in SOAK_DIR/soak-summary.txt; the run itself in SOAK_DIR/run.
# Exit status: 0 when no error was counted, 1 otherwise.
set -euo pipefail

minutes=${1:-10}
arcade=${ARCADE:-bin/arcade}
dir=${SOAK_DIR:-runs/soak}
cores=${SOAK_CORES:-0,1}
every=${SOAK_CHECKPOINT_EVERY:-200000}
sample=${SOAK_SAMPLE:-5}
keep=${SOAK_KEEP:-5}
case $minutes in ''|*[!0-9.]*) echo "soak.sh: MINUTES must be a number, got '$minutes'" >&2; exit 2;; esac
[ -x "$arcade" ] || { echo "soak.sh: $arcade not found (run make first)" >&2; exit 2; }
command -v taskset >/dev/null || { echo "soak.sh: taskset not found (util-linux)" >&2; exit 2; }

rm -rf "$dir"
mkdir -p "$dir"
run=$dir/run
csv=$dir/soak.csv
export OPENBLAS_NUM_THREADS=1
taskset -c "$cores" "$arcade" train --game breakout --threads 8 --envs-per-thread 32 \
    --frames 1000000000000 --checkpoint-every "$every" --out "$run" \
    >"$dir/train.out" 2>"$dir/train.err" &
pid=$!
trap 'kill -9 $pid 2>/dev/null || true' EXIT

echo "t_s,rss_kb,frames,fps,checkpoints,evals,eval_errors" >"$csv"
: >"$dir/seen"
start=$(date +%s.%N)
end=$(awk -v s="$start" -v m="$minutes" 'BEGIN { printf "%.3f", s + 60 * m }')
evals=0 eval_errors=0 next_sample=0
echo "soak: $minutes min, trainer pid $pid on cores $cores, samples in $csv"
while :; do
    now=$(date +%s.%N)
    awk -v n="$now" -v e="$end" 'BEGIN { exit !(n >= e) }' && break
    kill -0 $pid 2>/dev/null || { echo "soak: the trainer exited early" >&2; break; }
    latest=$run/checkpoints/latest.safetensors
    if [ -f "$latest" ]; then
        if taskset -c "$cores" "$arcade" eval --checkpoint "$latest" --episodes 3 --json \
            >/dev/null 2>>"$dir/eval.err"; then
            evals=$((evals + 1))
        else
            eval_errors=$((eval_errors + 1))
        fi
    else
        sleep 0.5
    fi
    t=$(awk -v n="$(date +%s.%N)" -v s="$start" 'BEGIN { printf "%.1f", n - s }')
    if awk -v t="$t" -v x="$next_sample" 'BEGIN { exit !(t >= x) }'; then
        rss=$(awk '/^VmRSS/ { print $2 }' /proc/$pid/status 2>/dev/null || echo 0)
        row=$(tail -n 1 "$run/metrics.csv" 2>/dev/null || true)
        frames=$(echo "$row" | cut -d, -f1)
        fps=$(echo "$row" | cut -d, -f3)
        case $frames in ''|*[!0-9]*) frames=0 fps=0;; esac
        # keep the newest $keep periodic checkpoints (a 10-minute soak writes hundreds)
        # checkpoints written so far: every frames-N name seen (older ones are deleted,
        # keeping $keep, after they have been counted)
        { ls -1 "$run"/checkpoints/ 2>/dev/null || true; } | grep '^frames-' >>"$dir/seen" || true
        checkpoints=$(sort -u "$dir/seen" | wc -l)
        { ls -1t "$run"/checkpoints/frames-*.safetensors 2>/dev/null || true; } |
            tail -n +$((keep + 1)) | xargs -r rm -f
        echo "$t,${rss:-0},$frames,$fps,$checkpoints,$evals,$eval_errors" >>"$csv"
        next_sample=$(awk -v x="$next_sample" -v s="$sample" 'BEGIN { print x + s }')
    fi
done

# stop as Ctrl-C would and time it
sent=$(date +%s.%N)
kill -INT $pid 2>/dev/null || true
status=0
for _ in $(seq 1 200); do kill -0 $pid 2>/dev/null || break; sleep 0.05; done
if kill -0 $pid 2>/dev/null; then
    echo "soak: the trainer did not stop within 10 s of SIGINT" >&2
    kill -9 $pid; status=137
fi
wait $pid || status=$?
trap - EXIT
latency=$(awk -v n="$(date +%s.%N)" -v s="$sent" 'BEGIN { printf "%.2f", n - s }')
trainer_errors=$(grep -ciE 'error|failed|check failed|non-finite' "$dir/train.err" || true)
eval_lines=$(grep -c . "$dir/eval.err" 2>/dev/null || true)
errors=$((eval_errors + trainer_errors + (status != 0 ? 1 : 0)))

awk -F, -v status="$status" -v latency="$latency" -v errors="$errors" \
    -v evals="$evals" -v eval_errors="$eval_errors" -v eval_lines="$eval_lines" \
    -v trainer_errors="$trainer_errors" -v minutes="$minutes" '
NR == 1 { next }
$3 > 0 {
    n++; t[n] = $1; rss[n] = $2; fps[n] = $4; frames = $3; ckpts = $5
    if (n == 1 || $2 < rmin) rmin = $2
    if ($2 > rmax) rmax = $2
    if ($1 >= minutes * 6 && !warm) { warm = $2; warm_t = $1 }
    if (fps[n] > 0) { m++; sum += $4; if (m == 1 || $4 < fmin) fmin = $4; if ($4 > fmax) fmax = $4 }
}
END {
    if (!warm) { warm = rss[1]; warm_t = t[1] }
    printf "soak summary (%s min, 8 actor threads on 2 cores)\n", minutes
    printf "| measure | value |\n|---|---|\n"
    printf "| samples | %d |\n", n
    printf "| frames trained | %d |\n", frames
    printf "| RSS min / max (MiB) | %.1f / %.1f |\n", rmin / 1024, rmax / 1024
    printf "| RSS growth from t=%.0f s to the end (MiB) | %+.1f |\n", warm_t, (rss[n] - warm) / 1024
    printf "| frames/s mean / min / max | %.0f / %.0f / %.0f |\n", m ? sum / m : 0, fmin, fmax
    printf "| periodic checkpoints written | %d |\n", ckpts
    printf "| evaluations of the latest checkpoint (failed) | %d (%d) |\n", evals, eval_errors
    printf "| trainer exit status, stop latency after SIGINT | %d, %.2f s |\n", status, latency
    printf "| error lines (trainer, eval) | %d, %d |\n", trainer_errors, eval_lines
    printf "| errors | %d |\n", errors
}' "$csv" | tee "$dir/soak-summary.txt"
[ "$errors" -eq 0 ]
