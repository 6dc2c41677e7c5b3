#!/bin/sh
# mpi_sweep.sh — `mpirun -np 2 bin/arcade-mpi sweep FILE.ini` spreads the runs over the
# ranks (run i on rank i % 2) and rank 0 writes the tables: its results.csv and
# results.md equal those of a one-process sweep of the same file, wall times aside (the
# runs are `--sync`, so each is a pure function of its seed and flags). Also: the runs
# trained as ordinary single processes (no run sees the launcher), and both ranks ran
# runs. Run by `make test-mpi` (MPIRUN from the Makefile).
set -eu
MPIRUN=${MPIRUN:-mpirun --allow-run-as-root --oversubscribe}
dir=$(mktemp -d /tmp/arcade-mpi-sweep-XXXXXX)
trap 'rm -rf "$dir"' EXIT
fail() { echo "mpi_sweep: $*" >&2; exit 1; }

cat >"$dir/sweep.ini" <<'INI'
[base]
frames = 2400
threads = 1
envs-per-thread = 8
sync = true
checkpoint-every = 0
[grid]
lr = 0.001, 0.003
seed = 1..2
INI

bin/arcade-mpi sweep "$dir/sweep.ini" --out "$dir/one" --jobs 2 >"$dir/one.out" 2>&1 \
    || { cat "$dir/one.out" >&2; fail "the one-process sweep failed"; }
$MPIRUN -np 2 bin/arcade-mpi sweep "$dir/sweep.ini" --out "$dir/two" --jobs 1 >"$dir/two.out" 2>&1 \
    || { cat "$dir/two.out" >&2; fail "the 2-rank sweep failed"; }

# results.csv without its wall_s column (third from the end: ...,wall_s,status,error; run
# names hold quoted commas, so count from the end); results.md's rows without the last
# (wall time) column
strip_csv() {
    head -n 1 "$1" | grep -q ',wall_s,status,error$' || fail "$1: unexpected columns"
    awk -F, '{ out = ""; for (i = 1; i <= NF; i++) if (i != NF - 2) out = out (out == "" ? "" : ",") $i; print out }' "$1"
}
strip_md() { grep '^| ' "$1" | sed 's/| [^|]* |$/|/'; }
strip_csv "$dir/one/results.csv" >"$dir/one.csv"
strip_csv "$dir/two/results.csv" >"$dir/two.csv"
strip_md "$dir/one/results.md" >"$dir/one.md"
strip_md "$dir/two/results.md" >"$dir/two.md"
[ "$(grep -c ',done,' "$dir/two.csv")" -eq 4 ] || { cat "$dir/two.csv" >&2; fail "not 4 runs done"; }
cmp -s "$dir/one.csv" "$dir/two.csv" || { diff "$dir/one.csv" "$dir/two.csv" >&2; fail "results.csv differ"; }
cmp -s "$dir/one.md" "$dir/two.md" || { diff "$dir/one.md" "$dir/two.md" >&2; fail "results.md differ"; }
grep -q "rank 0 of 2" "$dir/two.out" && grep -q "rank 1 of 2" "$dir/two.out" || fail "both ranks did not take part"
if grep -l "MPI ranks" "$dir"/two/*/train.log >/dev/null 2>&1; then fail "a run joined the sweep's MPI job"; fi
echo "mpi_sweep: ok (2-rank sweep of 4 runs gives the one-process results.csv and results.md, wall times aside)"
