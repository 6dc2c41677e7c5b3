#!/bin/sh
# mpi_signal.sh — SIGTERM to ONE rank of `mpirun -np 2 bin/arcade-mpi train --sync` stops
# both ranks after the same update: mpirun exits 0, rank 0 writes the final checkpoint and
# a summary marked interrupted, and `--resume` continues the run across 2 ranks to a
# larger frame budget. Run by `make test-mpi` (MPIRUN from the Makefile).
set -eu
MPIRUN=${MPIRUN:-mpirun --allow-run-as-root --oversubscribe}
dir=$(mktemp -d /tmp/arcade-mpi-signal-XXXXXX)
trap 'rm -rf "$dir"' EXIT
fail() { echo "mpi_signal: $*" >&2; cat "$dir/out" >&2 2>/dev/null || true; exit 1; }

$MPIRUN -np 2 bin/arcade-mpi train --sync --threads 1 --envs-per-thread 8 --frames 1000000000 \
    --checkpoint-every 0 --out "$dir/run" >"$dir/out" 2>&1 &
mpirun_pid=$!
# wait (up to 60 s) until the run writes metrics rows, i.e. it trains
i=0
until [ -f "$dir/run/metrics.csv" ] && [ "$(wc -l <"$dir/run/metrics.csv")" -ge 3 ]; do
    i=$((i + 1)); [ $i -le 600 ] || { kill -TERM $mpirun_pid; fail "no metrics after 60 s"; }
    sleep 0.1
done
rank_pid=$(ps --ppid $mpirun_pid -o pid= | tail -n 1)
[ -n "$rank_pid" ] || fail "no rank process under mpirun $mpirun_pid"
kill -TERM $rank_pid
wait $mpirun_pid || fail "mpirun exited with $? after SIGTERM to rank pid $rank_pid"
grep -q '"interrupted":[[:space:]]*true' "$dir/run/summary.json" || fail "summary not marked interrupted"
[ -f "$dir/run/checkpoints/final.safetensors" ] || fail "no final checkpoint"
frames=$(sed -n 's/.*"frames":[[:space:]]*\([0-9]*\).*/\1/p' "$dir/run/summary.json")
[ "$frames" -gt 0 ] || fail "summary frames '$frames'"

target=$((frames + 4000))
$MPIRUN -np 2 bin/arcade-mpi train --resume "$dir/run" --frames $target >"$dir/out" 2>&1 \
    || fail "resume failed"
grep -q "resumed at $frames frames" "$dir/out" || fail "resume did not start at $frames frames"
grep -q '"interrupted":[[:space:]]*false' "$dir/run/summary.json" || fail "resumed run still interrupted"
echo "mpi_signal: ok (SIGTERM to one rank stopped both at $frames frames; resumed to $target)"
