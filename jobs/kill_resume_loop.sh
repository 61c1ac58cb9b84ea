#!/usr/bin/env bash
# kill_resume_loop.sh — the long form of the killed-rank test (issue 7):
# 20 loops of SIGKILL of a random worker in the middle of a compute and of
# a store, at 1, 2 and 3 workers (120 killed runs, about 20 minutes here),
# each followed by `tessera run --resume` and a bit-for-bit comparison with
# an uninterrupted run. CI runs 3 loops (ctest -R resume.kill).
#
# Usage: jobs/kill_resume_loop.sh [--loops N] [other kill_resume.py options]
#        TESSERA_BUILD_DIR (default build/) holds the tessera to test.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${TESSERA_BUILD_DIR:-$root/build}"
export OMPI_MCA_mpi_yield_when_idle="${OMPI_MCA_mpi_yield_when_idle:-1}"
if [ "$(id -u)" -eq 0 ]; then
    export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
fi
exec /usr/bin/python3 "$root/tests/resume/kill_resume.py" --tessera "$build/tessera" --loops 20 "$@"
