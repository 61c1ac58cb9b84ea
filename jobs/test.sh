#!/usr/bin/env bash
# test.sh — the test command of the README: bootstrap (install what is
# missing, build build/), then run every test with ctest, one at a time, under
# an overall time limit. The exit status is ctest's (124 if the limit hit).
# Run it as root: bootstrap installs packages, and the slurm tests start a
# private SLURM cluster (tests/slurm/local_cluster.sh) and stop it again.
#
# Usage: jobs/test.sh [extra ctest arguments, e.g. -R pipeline]
#        TESSERA_TEST_TIMEOUT=seconds (default 4500) bounds the ctest run.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${TESSERA_BUILD_DIR:-$root/build}"
limit="${TESSERA_TEST_TIMEOUT:-4500}"

"$root/jobs/bootstrap.sh"

# Tests start MPI jobs; as root Open MPI needs both variables, and idle ranks
# should hand their core over (see shared notes on oversubscribed runs).
export OMPI_MCA_mpi_yield_when_idle="${OMPI_MCA_mpi_yield_when_idle:-1}"
if [ "$(id -u)" -eq 0 ]; then
    export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
fi

cmd=(timeout --kill-after=30 "$limit" ctest --test-dir "$build" --output-on-failure -j1 "$@")
printf '+ %s\n' "${cmd[*]}"
status=0
"${cmd[@]}" || status=$?
[ "$status" -eq 124 ] && printf 'test: ctest did not finish within %s s\n' "$limit"
exit "$status"
