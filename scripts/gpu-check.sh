#!/usr/bin/env bash
# gpu-check.sh — the GPU checks that need a real device (an NVIDIA machine with CUDA):
#   1. builds `make GPU=cuda` (bin/arcade-cuda and its Criterion runner),
#   2. runs the GPU tests (every op and the whole network against cpu_ref, optimizer steps
#      by hand values, one A3C update of the GPU learner against the CPU's) and fails if
#      they were skipped (no usable device),
#   3. runs `bench kernels` on the cpu and gpu backends and prints the table,
#   4. trains DQN for 20 s with the learner on the CPU and on the GPU (updates/s),
#   5. measures A3C training frames/s at k = 1, 4 and 16 for the async CPU learner, the
#      batched learner on the CPU and the batched learner on the GPU (`bench train`,
#      TRAIN_SECONDS each) and prints the table (also in $OUT/a3c-learners.md).
# Where the full build cannot work (a device image without OpenBLAS, Criterion or SDL
# development files), it falls back to `make gpu-selfcheck`: a plain program needing only
# cc and CUDA that runs the same comparisons against cpu_ref and times the GPU.
# Logs, the summary and bench.json go to $OUT (or build/gpu-check). A few minutes at
# most: the build ~1 min on 16 cores, the tests seconds, the bench ~15 s, DQN 40 s, the A3C
# table 9 x (TRAIN_SECONDS + ~2 s).
# Environment: CUDA_HOME (default /usr/local/cuda), CUDA_ARCH (default: from nvidia-smi,
# else sm_90), JOBS (default nproc), SECONDS_PER_CELL (default 0.2), TRAIN_SECONDS (default
# 10), A3C_THREADS (actor threads, default nproc - 1: the batched learner is one more).
set -uo pipefail
cd "$(dirname "$0")/.."

out="${OUT:-build/gpu-check}"
mkdir -p "$out"
cuda_home="${CUDA_HOME:-/usr/local/cuda}"
jobs="${JOBS:-$(nproc)}"
secs="${SECONDS_PER_CELL:-0.2}"
export OPENBLAS_NUM_THREADS=1
status=0

say() { printf '%s\n' "$*" | tee -a "$out/summary.txt"; }
: >"$out/summary.txt"

say "== gpu-check $(date -u +%FT%TZ) on $(hostname 2>/dev/null || echo unknown-host)"
if command -v nvidia-smi >/dev/null; then
    nvidia-smi -L | tee -a "$out/summary.txt"
    cap="$(nvidia-smi --query-gpu=compute_cap --format=csv,noheader 2>/dev/null | head -1 | tr -d ' .')"
else
    say "nvidia-smi not found (continuing: the runtime reports devices itself)"
    cap=""
fi
arch="${CUDA_ARCH:-${cap:+sm_$cap}}"
arch="${arch:-sm_90}"
[ -x "$cuda_home/bin/nvcc" ] || { say "FAIL: $cuda_home/bin/nvcc not found (set CUDA_HOME)"; exit 1; }

full=1
for pkg in openblas criterion; do
    pkg-config --exists "$pkg" 2>/dev/null || { say "pkg-config does not find $pkg"; full=0; }
done

if [ $full -eq 1 ]; then
    say "== build: make GPU=cuda CUDA_ARCH=$arch (-j$jobs)"
    if ! make -j"$jobs" GPU=cuda CUDA_HOME="$cuda_home" CUDA_ARCH="$arch" bin/arcade-cuda \
            build/gpu-cuda/tests/arcade_tests >"$out/build.log" 2>&1; then
        tail -15 "$out/build.log"
        say "full build failed (see $out/build.log): falling back to the self-check"
        full=0
    else
        say "build ok"
    fi
fi

if [ $full -eq 1 ]; then
    say "== GPU tests (kernels*_gpu: ops, network, optimizers against cpu_ref; a3c_batched_gpu: one"
    say "   update of the GPU learner against the CPU's synchronous A2C update)"
    build/gpu-cuda/tests/arcade_tests --filter '@(kernels*_gpu|a3c_batched_gpu)/*' --jobs 1 --verbose \
        >"$out/tests.log" 2>&1
    rc=$?
    # (--verbose lists the tests the filter leaves out as "Test is disabled": not skips)
    grep -E '^\[(FAIL|SKIP)\]|Synthesis' "$out/tests.log" | grep -v 'Test is disabled' | tee -a "$out/summary.txt"
    tested="$(sed -n 's/.*Synthesis: Tested: \([0-9]*\).*/\1/p' "$out/tests.log")"
    if [ $rc -ne 0 ]; then
        say "FAIL: GPU tests (exit $rc; see $out/tests.log)"
        status=1
    elif grep '^\[SKIP\]' "$out/tests.log" | grep -qv 'Test is disabled' || [ "${tested:-0}" -eq 0 ]; then
        say "FAIL: GPU tests were skipped: no usable device"
        status=1
    else
        say "GPU tests ok"
    fi

    say "== bench kernels (cpu and gpu, $secs s per measurement)"
    if bin/arcade-cuda bench kernels --backends cpu,gpu --seconds "$secs" >"$out/bench.txt" 2>&1 &&
       bin/arcade-cuda bench kernels --backends cpu,gpu --seconds "$secs" --json >"$out/bench.json" 2>>"$out/bench.txt"; then
        cat "$out/bench.txt" >>"$out/summary.txt"
        cat "$out/bench.txt"
    else
        cat "$out/bench.txt"
        say "FAIL: bench kernels"
        status=1
    fi

    say "== DQN learner on the GPU against the CPU (Breakout, 20 s each, updates/s)"
    for device in cpu gpu; do
        rm -rf "$out/dqn-$device"
        bin/arcade-cuda train --algo dqn --device "$device" --frames 1000000000 --learn-start 1000 \
            --checkpoint-every 0 --out "$out/dqn-$device" >"$out/dqn-$device.log" 2>&1 &
        pid=$!
        sleep 20
        kill -INT "$pid"
        wait "$pid"
        say "$device: $(grep -o '[0-9]* frames/s), [0-9]* updates' "$out/dqn-$device.log" | head -1) in ~20 s"
    done

    train_secs="${TRAIN_SECONDS:-10}"
    a3c_threads="${A3C_THREADS:-$(( $(nproc) > 1 ? $(nproc) - 1 : 1 ))}"
    say "== A3C learners: frames/s (Breakout, $a3c_threads actor threads x 32 envs, rollout 5, $train_secs s each)"
    json_field() { sed -n "s/.*\"$1\": \"*\([^,\"}]*\).*/\1/p" "$2"; }
    table="$out/a3c-learners.md"
    {
        echo "| k | cpu async frames/s | cpu batched frames/s | gpu batched frames/s | gpu batched updates/s | gpu / cpu async |"
        echo "|---|---|---|---|---|---|"
    } >"$table"
    for k in 1 4 16; do
        row="| $k"
        async_fps=0
        gpu_ups="-"
        for cell in "async cpu" "batched cpu" "batched gpu"; do
            set -- $cell
            log="$out/a3c-$1-$2-k$k.json"
            if bin/arcade-cuda bench train --learner "$1" --device "$2" --k "$k" --threads "$a3c_threads" \
                    --seconds "$train_secs" --json >"$log" 2>"$log.err"; then
                fps="$(json_field frames_per_second "$log")"
                backend="$(json_field backend "$log")"
                [ "$1" = async ] && async_fps="$fps"
                if [ "$2" = gpu ]; then
                    gpu_ups="$(json_field updates_per_second "$log")"
                    [ "$backend" = gpu ] || { say "FAIL: k=$k: the batched learner did not get the GPU ($(cat "$log.err"))"; status=1; }
                fi
            else
                fps="failed"
                say "FAIL: bench train --learner $1 --device $2 --k $k (see $log.err)"
                status=1
            fi
            row="$row | $fps"
        done
        ratio="$(awk -v g="$fps" -v c="$async_fps" 'BEGIN { if (c > 0 && g > 0) printf "%.2f", g / c; else print "-" }')"
        echo "$row | $gpu_ups | $ratio |" >>"$table"
    done
    cat "$table" | tee -a "$out/summary.txt"
else
    say "== self-check: make gpu-selfcheck CUDA_CHECK_ARCH=$arch (cc + CUDA only)"
    if ! make gpu-selfcheck CUDA_CHECK_HOME="$cuda_home" CUDA_CHECK_ARCH="$arch" >"$out/build.log" 2>&1; then
        tail -15 "$out/build.log"
        say "FAIL: self-check build (see $out/build.log)"
        exit 1
    fi
    build/gpu-compile/selfcheck "$secs" >"$out/selfcheck.txt" 2>&1
    rc=$?
    grep -v '^ok ' "$out/selfcheck.txt" | tee -a "$out/summary.txt"
    [ $rc -eq 0 ] || { say "FAIL: self-check (exit $rc; see $out/selfcheck.txt)"; status=1; }
fi

say "== result: $([ $status -eq 0 ] && echo PASS || echo FAIL) (logs in $out)"
exit $status
