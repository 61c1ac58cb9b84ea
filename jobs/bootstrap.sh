#!/usr/bin/env bash
# bootstrap.sh — make a Debian 12 machine ready to build and test tessera, then
# build it into build/ (Release, warnings as errors). Idempotent: packages that
# are already installed are not touched, and apt is not called at all when
# nothing is missing, so a re-run costs only an incremental build.
#
# Usage: jobs/bootstrap.sh            (as root, or with everything installed)
#        TESSERA_BUILD_DIR=dir jobs/bootstrap.sh   to build somewhere else
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${TESSERA_BUILD_DIR:-$root/build}"

# What the build needs, then the test oracles (NumPy, h5py and Dask for the
# Debian python at /usr/bin/python3; a pyenv python on PATH may lack them;
# netCDF4, xarray and h5netcdf write and open the HDF5/netCDF-4 test files,
# hdf5-tools gives h5dump; libcairo2-dev lets v:plot write PNG; chromium
# renders the HTML report in the diagnostics tests; munge and the slurm
# daemons and client run the single-node SLURM cluster of tests/slurm, whose
# srun pmix plugin loads libpmix.so from libpmix-dev, which libopenmpi-dev
# brings; clang and its runtime libraries build the libFuzzer harnesses of
# jobs/fuzz.sh).
packages=(openmpi-bin libopenmpi-dev libhdf5-openmpi-dev liblua5.4-dev librandom123-dev check pkg-config libcairo2-dev
          chromium python3-numpy python3-h5py python3-dask python3-netcdf4 python3-xarray python3-h5netcdf hdf5-tools
          munge slurmctld slurmd slurm-client slurm-wlm-basic-plugins clang libclang-rt-dev)

say() { printf 'bootstrap: %s\n' "$*"; }
run() { printf '+ %s\n' "$*"; "$@"; }

installed() {
    [ "$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null)" = installed ]
}

command -v cmake >/dev/null || { say "cmake not found; install CMake and a C compiler first"; exit 1; }

missing=()
for p in "${packages[@]}"; do
    installed "$p" || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
    say "all ${#packages[@]} packages present (dpkg-query), skipping apt"
else
    say "missing packages: ${missing[*]}"
    if [ "$(id -u)" -ne 0 ]; then
        say "run this script as root (apt-get install needs it), or install them yourself"
        exit 1
    fi
    export DEBIAN_FRONTEND=noninteractive
    run apt-get update
    run apt-get install -y --no-install-recommends "${missing[@]}"
fi

run /usr/bin/python3 -c 'import numpy, h5py, dask, netCDF4, xarray, h5netcdf'

jobs="$(nproc 2>/dev/null || echo 2)"
run cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release -DTESSERA_WERROR=ON
run cmake --build "$build" -j"$jobs"
say "built $build/tessera"
