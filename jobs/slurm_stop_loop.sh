#!/usr/bin/env bash
# slurm_stop_loop.sh — the long form of the SLURM stop/resume tests: runs
# tests/slurm/stop_resume.py (signals from scancel, scontrol requeue, a real
# --time=1 limit with and without the early warning; every resumed dataset
# compared bit for bit) LOOPS times on a private cluster of its own, about
# 2 minutes a loop. The hard time limit races srun's SIGKILL against
# tessera's stop, so the loop says how often each side won. CI runs it once
# (ctest -L slurm). Needs root and the SLURM packages (jobs/bootstrap.sh).
#
# Usage: jobs/slurm_stop_loop.sh [LOOPS (default 5)] [--only CASE,...]
#        TESSERA_BUILD_DIR (default build/) holds the tessera to test.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${TESSERA_BUILD_DIR:-$root/build}"
loops=5
if [[ "${1:-}" =~ ^[0-9]+$ ]]; then
    loops="$1"
    shift
fi
cluster="$root/tests/slurm/local_cluster.sh"
export TESSERA_SLURM_DIR="${TESSERA_SLURM_DIR:-/var/tmp/tessera-slurm-loop}"
export SLURM_CONF="$TESSERA_SLURM_DIR/etc/slurm.conf"
work="$(mktemp -d /var/tmp/tessera-stop-loop.XXXXXX)"

"$cluster" start
trap '"$cluster" stop; rm -rf "$work"' EXIT

failed=0 killed=0 stopped=0
for ((i = 1; i <= loops; i++)); do
    log="$work/loop-$i.log"
    if /usr/bin/python3 "$root/tests/slurm/stop_resume.py" --cluster "$cluster" --tessera "$build/tessera" \
        --source-dir "$root" --work "$work/loop-$i" "$@" >"$log" 2>&1; then
        result=passed
    else
        result=FAILED
        failed=$((failed + 1))
        cp "$log" "/var/tmp/tessera-stop-loop-$i.log"
    fi
    grep -q "hard: the ranks were killed" "$log" && killed=$((killed + 1))
    grep -q "hard: tessera stopped first" "$log" && stopped=$((stopped + 1))
    echo "loop $i/$loops: $result ($(tail -n 1 "$log"))"
    rm -rf "$work/loop-$i"
done
echo "slurm_stop_loop: $failed of $loops loops failed (logs in /var/tmp/tessera-stop-loop-N.log);" \
    "at the hard limit srun killed the ranks $killed times, tessera stopped first $stopped times"
[ "$failed" -eq 0 ]
