#!/usr/bin/env bash
# valgrind_unit.sh — runs the unit tests under valgrind's memcheck: every
# invalid read or write, use of uninitialised memory, bad free and
# definite or indirect leak fails the test. Known problems of MPI, PMIx,
# HDF5, hwloc and fontconfig internals are suppressed
# (src/sanitize/valgrind.supp, each entry justified there); nothing of
# tessera's is. The tests run from the normal Release build (build/, made
# by jobs/bootstrap.sh if it is missing) with CK_FORK=no, so memcheck sees
# each suite in one process; the test_mpi_* suites run as 3 ranks, each
# under valgrind. About 2.5 minutes on 2 cores.
#
# Usage: jobs/valgrind_unit.sh [NAME...]   (default: every tests/unit suite)
# TESSERA_BUILD_DIR=dir picks another build. Exit status 0 only if every
# test passed with no memcheck error; the log of each is in
# $build/valgrind/NAME.log.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${TESSERA_BUILD_DIR:-$root/build}"
supp="$root/src/sanitize/valgrind.supp"

names=("$@")

command -v valgrind >/dev/null || { echo "valgrind_unit: valgrind is not installed (apt-get install valgrind)"; exit 1; }
[ -x "$build/tessera" ] || TESSERA_BUILD_DIR="$build" "$root/jobs/bootstrap.sh"
cmake --build "$build" -j"$(nproc 2>/dev/null || echo 2)" >/dev/null

if [ ${#names[@]} -eq 0 ]; then
    for t in "$build"/tests/test_*; do
        names+=("$(basename "$t")")
    done
fi

# Timing assertions and one emulation artefact (valgrind rounds int64 ->
# float32 twice) are skipped by the tests when this is set; see the tests.
export CK_FORK=no TESSERA_TEST_UNDER_VALGRIND=1
export OMPI_MCA_mpi_yield_when_idle=1
if [ "$(id -u)" -eq 0 ]; then
    export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
fi
vg=(valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect
    --show-leak-kinds=definite,indirect --keep-debuginfo=yes --num-callers=40 --suppressions="$supp")

mkdir -p "$build/valgrind"
failed=0
for n in "${names[@]}"; do
    log="$build/valgrind/$n.log"
    cmd=("${vg[@]}" "$build/tests/$n")
    [[ "$n" == test_mpi_* ]] && cmd=(mpirun --oversubscribe -np 3 "${cmd[@]}")
    start=$(date +%s.%N)
    status=0
    "${cmd[@]}" >"$log" 2>&1 || status=$?
    secs=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
    errors=$(grep -c '^==[0-9]*== [A-Z]' "$log" || true)
    if [ "$status" -eq 0 ]; then
        printf 'ok    %-24s %6s s\n' "$n" "$secs"
    else
        failed=$((failed + 1))
        what="test failed (status $status)"
        [ "$status" -eq 99 ] && what="memcheck errors ($errors report lines)"
        printf 'FAIL  %-24s %6s s  %s, see %s\n' "$n" "$secs" "$what" "$log"
    fi
done
printf 'valgrind_unit: %d of %d failed\n' "$failed" "${#names[@]}"
[ "$failed" -eq 0 ]
