#!/usr/bin/env bash
# test.sh — the test command of the README, and what CI runs: bootstrap
# (install what is missing, build build/), then
#   1. every test with ctest in build/ (Release, warnings as errors);
#   2. the same tests built with AddressSanitizer and UBSan in build-asan/
#      (TESSERA_SANITIZE=ON; RelWithDebInfo; not -Werror, as GCC warns
#      spuriously under -fsanitize). pipeline.scale_np64 is not built
#      there: 64 ASan processes on 2 cores take minutes, the same code
#      runs under ASan at 1-4 ranks;
#   3. each libFuzzer harness for TESSERA_TEST_FUZZ_SECONDS (jobs/fuzz.sh).
# Each ctest run is bounded by an overall time limit. The exit status is
# the first failing step's (124 if a limit hit), else 0.
# Run it as root: bootstrap installs packages, and the slurm tests start a
# private SLURM cluster (tests/slurm/local_cluster.sh) and stop it again.
#
# Usage: jobs/test.sh [extra ctest arguments, e.g. -R pipeline] (for steps 1 and 2)
#        TESSERA_TEST_TIMEOUT=seconds (default 4500) bounds each ctest run.
#        TESSERA_TEST_SANITIZE=0 skips step 2.
#        TESSERA_TEST_FUZZ_SECONDS=N fuzzes each harness N s (default 30; 0 skips step 3; jobs/fuzz.sh runs longer ones by hand).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${TESSERA_BUILD_DIR:-$root/build}"
asan_build="${TESSERA_ASAN_BUILD_DIR:-$root/build-asan}"
limit="${TESSERA_TEST_TIMEOUT:-4500}"
sanitize="${TESSERA_TEST_SANITIZE:-1}"
fuzz_seconds="${TESSERA_TEST_FUZZ_SECONDS:-30}"

"$root/jobs/bootstrap.sh"

# Tests start MPI jobs; as root Open MPI needs both variables, and idle ranks
# should hand their core over (see shared notes on oversubscribed runs).
export OMPI_MCA_mpi_yield_when_idle="${OMPI_MCA_mpi_yield_when_idle:-1}"
if [ "$(id -u)" -eq 0 ]; then
    export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
fi

status=0
summary=()
# step NAME COMMAND...: runs it, records its status and time; the first
# failure decides the exit status.
step() {
    local name="$1" start=$SECONDS rc=0
    shift
    printf '+ %s\n' "$*"
    "$@" || rc=$?
    [ "$rc" -eq 124 ] && printf 'test: %s did not finish within %s s\n' "$name" "$limit"
    summary+=("$(printf '%-10s %s in %d s' "$name" "$([ "$rc" -eq 0 ] && echo ok || echo "FAILED ($rc)")" \
        $((SECONDS - start)))")
    [ "$status" -eq 0 ] && status=$rc
    return 0
}

step ctest timeout --kill-after=30 "$limit" ctest --test-dir "$build" --output-on-failure -j1 "$@"

if [ "$sanitize" != 0 ]; then
    jobs="$(nproc 2>/dev/null || echo 2)"
    step asan-build bash -c "cmake -S '$root' -B '$asan_build' -DCMAKE_BUILD_TYPE=RelWithDebInfo \
        -DTESSERA_SANITIZE=ON -DTESSERA_WERROR=OFF >/dev/null && cmake --build '$asan_build' -j$jobs"
    step asan-ctest timeout --kill-after=30 "$limit" ctest --test-dir "$asan_build" --output-on-failure -j1 "$@"
fi

if [ "$fuzz_seconds" != 0 ]; then
    step fuzz timeout --kill-after=30 "$limit" "$root/jobs/fuzz.sh" "$fuzz_seconds"
fi

printf 'test: %s\n' "${summary[@]}"
exit "$status"
