#!/usr/bin/env bash
# fuzz.sh — builds the libFuzzer harnesses of tests/fuzz with clang
# (AddressSanitizer, UBSan, warnings as errors) in build-fuzz/ and fuzzes
# each for SECONDS, two at a time on two cores, through their ctest tests
# fuzz.NAME. Each starts from its seeds (tests/fuzz/NAME/) and from what
# earlier runs found (build-fuzz/tests/fuzz/corpus/NAME/). A crash, leak,
# UB report or failed check fails the test and leaves the input that caused
# it as build-fuzz/tests/fuzz/crash-* (or leak-*, timeout-*); reproduce it
# with build-fuzz/tests/fuzz/fuzz_NAME FILE.
#
# Usage: jobs/fuzz.sh SECONDS [NAME...]   (NAME: chunks, slice_text, npy, h5_meta)
#        TESSERA_FUZZ_BUILD_DIR=dir builds elsewhere.
# Exit status 0 only if every harness ran its time without a finding.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${TESSERA_FUZZ_BUILD_DIR:-$root/build-fuzz}"
seconds="${1:-}"
[[ "$seconds" =~ ^[0-9]+$ ]] && [ "$seconds" -gt 0 ] || { echo "usage: jobs/fuzz.sh SECONDS [NAME...]"; exit 2; }
shift
command -v clang >/dev/null || { echo "fuzz: clang is not installed (jobs/bootstrap.sh installs it)"; exit 1; }

run() { printf '+ %s\n' "$*"; "$@"; }

jobs="$(nproc 2>/dev/null || echo 2)"
run env CC=clang cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTESSERA_WERROR=ON \
    -DTESSERA_FUZZ=ON -DTESSERA_FUZZ_SECONDS="$seconds" >/dev/null
run cmake --build "$build" -j"$jobs" --target fuzzers

filter=(-L '^fuzz$')
if [ $# -gt 0 ]; then
    names="$(printf '%s|' "$@")"
    filter=(-R "^fuzz\\.(${names%|})\$")
fi
run ctest --test-dir "$build" "${filter[@]}" -j"$jobs" --output-on-failure
