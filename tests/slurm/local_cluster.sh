#!/usr/bin/env bash
# local_cluster.sh — a private single-node SLURM cluster on this machine, for
# the tests: munged, slurmctld and slurmd run as root from one directory
# (TESSERA_SLURM_DIR) with their own config, munge socket, ports and state.
# Invariant: stop signals only the PIDs this script recorded, and only while
# /proc says they are still our daemon running from our directory.
#
# Usage: local_cluster.sh start | stop | status | env | wait JOBID [SECONDS]
#   start   write the config, start the daemons, wait until a probe job ran
#   stop    cancel our jobs, wait for their step daemons, stop the daemons
#   status  say what runs; exit 0 if all three daemons do, else 3
#   env     print `export SLURM_CONF=...` (eval it to use sbatch by hand)
#   wait    poll the job every 0.25 s until it ends; exit with its status
#           (0 done, the job's exit code if it failed, 124 time limit,
#           130 cancelled, 137 out of memory, 2 unknown job, 125 gave up
#           after SECONDS (default 600), when the job is cancelled)
# Environment: TESSERA_SLURM_DIR (default /var/tmp/tessera-slurm),
#   TESSERA_SLURM_PORT (slurmctld's port, slurmd takes the next; default:
#   the first free pair from 6817), TESSERA_SLURM_TIMEOUT (seconds allowed
#   for each start step, default 60).
set -euo pipefail

dir="${TESSERA_SLURM_DIR:-/var/tmp/tessera-slurm}"
conf="$dir/etc/slurm.conf"
step_timeout="${TESSERA_SLURM_TIMEOUT:-60}"
daemons=(munged slurmctld slurmd)
export SLURM_CONF="$conf"

say() { printf 'local_cluster: %s\n' "$*" >&2; }
die() {
    say "$*"
    exit 1
}
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }'; }

# --- processes ------------------------------------------------------------

pidfile() { printf '%s/pids/%s.pid' "$dir" "$1"; }

# ours NAME PID: PID is a live (not zombie) NAME whose command line or
# environment names our directory, so a reused PID is never taken for ours.
ours() {
    local name="$1" pid="$2" comm stat
    [ -n "$pid" ] || return 1
    { read -r comm <"/proc/$pid/comm"; } 2>/dev/null || return 1
    [ "$comm" = "$name" ] || return 1
    { read -r stat <"/proc/$pid/stat"; } 2>/dev/null || return 1
    stat="${stat##*) }" # the state letter follows the parenthesised comm
    [ "${stat%% *}" != Z ] || return 1
    tr '\0' '\n' 2>/dev/null <"/proc/$pid/cmdline" | grep -qF "$dir/" && return 0
    tr '\0' '\n' 2>/dev/null <"/proc/$pid/environ" | grep -qxF "SLURM_CONF=$conf"
}

recorded_pid() {
    local f
    f="$(pidfile "$1")"
    if [ -r "$f" ]; then cat "$f"; fi
}

running() { ours "$1" "$(recorded_pid "$1")"; }

# launch NAME LOG CMD...: run CMD as a session leader in the background with
# only stdin/stdout/stderr open (a CI harness's pipes must not be held by
# daemons), record its PID and check that the PID is NAME. In a
# non-interactive shell `setsid` does not fork, so $! is the daemon itself.
launch() {
    local name="$1" log="$2" pid fd t0
    shift 2
    (
        for fd in "/proc/$BASHPID/fd/"*; do
            fd="${fd##*/}"
            [ "$fd" -gt 2 ] && eval "exec $fd>&-" 2>/dev/null
        done
        exec setsid "$@" </dev/null >>"$log" 2>&1
    ) &
    pid=$!
    echo "$pid" >"$(pidfile "$name")"
    t0="$(now)"
    until [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "$name" ]; do
        if ! kill -0 "$pid" 2>/dev/null || [ "$(elapsed "$t0" | cut -d. -f1)" -ge 5 ]; then
            return 1
        fi
        sleep 0.02
    done
}

# until_ready WHAT CHECK...: run CHECK every 0.05 s until it succeeds, at
# most step_timeout seconds; on failure show the logs, stop, exit 1.
until_ready() {
    local what="$1" t0
    shift
    t0="$(now)"
    until "$@" >/dev/null 2>&1; do
        if [ "$(elapsed "$t0" | cut -d. -f1)" -ge "$step_timeout" ]; then
            fail_start "$what did not happen within $step_timeout s"
        fi
        sleep 0.05
    done
    say "$what ($(elapsed "$start_t0") s)"
}

fail_start() {
    say "start failed: $1"
    local f
    for f in "$dir"/log/*.log; do
        [ -s "$f" ] || continue
        printf '\n--- last lines of %s ---\n' "$f" >&2
        tail -n 25 "$f" >&2
    done
    printf '\n' >&2
    stop_daemons
    exit 1
}

# stop_daemon NAME: SIGTERM, up to 60 s for it to go, then SIGKILL.
stop_daemon() {
    local name="$1" pid i
    pid="$(recorded_pid "$name")"
    if ours "$name" "$pid"; then
        kill -TERM "$pid" 2>/dev/null || true
        for ((i = 0; i < 600; i++)); do
            ours "$name" "$pid" || break
            sleep 0.1
        done
        if ours "$name" "$pid"; then
            say "$name ($pid) ignored SIGTERM for 60 s; sending SIGKILL"
            kill -KILL "$pid" 2>/dev/null || true
        fi
    elif [ -n "$pid" ]; then
        say "$name: recorded PID $pid is not our $name any more; not signalled"
    fi
    rm -f "$(pidfile "$name")"
}

stop_daemons() {
    local i
    for ((i = ${#daemons[@]} - 1; i >= 0; i--)); do
        stop_daemon "${daemons[i]}"
    done
}

# Our slurmstepd processes: they inherit SLURM_CONF from our slurmd.
our_stepds() {
    local p
    for p in /proc/[0-9]*; do
        ours slurmstepd "${p#/proc/}" && printf '%s ' "${p#/proc/}"
    done
    return 0
}

# --- configuration --------------------------------------------------------

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

choose_ports() {
    if [ -n "${TESSERA_SLURM_PORT:-}" ]; then
        ctld_port="$TESSERA_SLURM_PORT"
        port_in_use "$ctld_port" && die "port $ctld_port (TESSERA_SLURM_PORT) is in use: $(port_user "$ctld_port")"
        port_in_use $((ctld_port + 1)) && die "port $((ctld_port + 1)) (TESSERA_SLURM_PORT + 1) is in use: $(port_user $((ctld_port + 1)))"
        return 0
    fi
    for ((ctld_port = 6817; ctld_port < 6857; ctld_port += 2)); do
        port_in_use "$ctld_port" || port_in_use $((ctld_port + 1)) || return 0
    done
    die "no free pair of ports between 6817 and 6856 (set TESSERA_SLURM_PORT)"
}

port_user() { ss -ltnpH "sport = :$1" 2>/dev/null | sed 's/  */ /g' || true; }

# The node as slurmd sees it; CPUs is raised to at least 4 (config_overrides
# lets slurmd register anyway) so 3- and 4-task jobs fit on a 2-core machine.
write_config() {
    local host hw cpus mem
    host="$(hostname -s)"
    hw="$(slurmd -C 2>/dev/null | head -n 1)"
    cpus="$(sed -n 's/.* CPUs=\([0-9]*\).*/\1/p' <<<"$hw")"
    mem="$(sed -n 's/.* RealMemory=\([0-9]*\).*/\1/p' <<<"$hw")"
    if [ -z "$cpus" ] || [ -z "$mem" ]; then
        die "cannot read CPUs and RealMemory from 'slurmd -C': $hw"
    fi
    [ "$cpus" -ge 4 ] || cpus=4
    cat >"$conf" <<EOF
# Written by tests/slurm/local_cluster.sh: a one-node cluster for the tests.
ClusterName=tessera
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmdPort=$((ctld_port + 1))
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
# A requeued job may start again only once the credentials of its last run
# have expired (cred_expire, 120 s by default); 10 s is plenty to launch a
# step here and keeps requeue tests short.
AuthInfo=socket=$dir/munge/munge.sock,cred_expire=10
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
TmpFS=$dir/tmp
SlurmctldPidFile=$dir/run/slurmctld.pid
SlurmdPidFile=$dir/run/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
MailProg=/bin/true
# No cgroups: works in any container. Memory is enforced by sampling each
# step's RSS every second (OverMemoryKill).
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/linux
JobAcctGatherFrequency=task=1
JobAcctGatherParams=OverMemoryKill
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SchedulerType=sched/backfill
# Nothing else wakes the scheduler when a requeued job's wait (above) ends:
# look every 2 s (main scheduler) and 1 s (backfill), not 60 s and 30 s.
SchedulerParameters=batch_sched_delay=0,sched_interval=2,bf_interval=1
# Memory is consumable, so --mem-per-cpu/--mem are checked and exported to
# the job; a job that asks for none gets DefMemPerCPU, not the whole node.
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
DefMemPerCPU=$((mem / cpus))
MpiDefault=pmix
ReturnToService=2
SlurmdParameters=config_overrides
EnforcePartLimits=ALL
KillWait=5
MinJobAge=300
InactiveLimit=0
NodeName=$host NodeHostname=$host NodeAddr=127.0.0.1 CPUs=$cpus Boards=1 SocketsPerBoard=1 CoresPerSocket=$cpus ThreadsPerCore=1 RealMemory=$mem State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
EOF
    # PMIx's per-step client directories go here instead of /tmp.
    printf 'PMIxCliTmpDirBase=%s/tmp\n' "$dir" >"$dir/etc/mpi.conf"
    node="$host"
}

# --- commands -------------------------------------------------------------

check_prerequisites() {
    [ "$(id -u)" -eq 0 ] || die "must run as root (slurmd starts job steps as the submitting user; SlurmUser=root)"
    local c missing=()
    for c in munged mungekey munge unmunge slurmctld slurmd sbatch srun scontrol sinfo squeue scancel; do
        command -v "$c" >/dev/null || missing+=("$c")
    done
    [ ${#missing[@]} -eq 0 ] || die "not installed: ${missing[*]} (run jobs/bootstrap.sh as root)"
}

cmd_start() {
    start_t0="$(now)"
    check_prerequisites
    if running munged || running slurmctld || running slurmd; then
        say "a cluster from $dir is still running (an earlier run did not stop it); stopping it first"
        cmd_stop
    fi
    choose_ports
    rm -rf "$dir/state" "$dir/spool" "$dir/tmp" "$dir/log" "$dir/pids"
    mkdir -p "$dir"/{etc,munge,state,spool,tmp,log,run,pids}
    # munged refuses a socket directory that others cannot traverse.
    chmod 755 "$dir" "$dir/munge"
    write_config
    say "directory $dir, ports $ctld_port/$((ctld_port + 1)), node $node"

    [ -s "$dir/munge/munge.key" ] || mungekey --create --keyfile="$dir/munge/munge.key" --bits=1024
    chmod 600 "$dir/munge/munge.key"
    local sock="$dir/munge/munge.sock"
    launch munged "$dir/log/munged.log" munged -F --socket="$sock" --key-file="$dir/munge/munge.key" \
        --pid-file="$dir/run/munged.pid" --seed-file="$dir/munge/munged.seed" --log-file="$dir/log/munged.log" ||
        fail_start "munged did not start"
    until_ready "munged answers" munge_roundtrip "$sock"

    launch slurmctld "$dir/log/slurmctld.out" slurmctld -D -f "$conf" || fail_start "slurmctld did not start"
    until_ready "slurmctld is up" ctld_up
    launch slurmd "$dir/log/slurmd.out" slurmd -D -f "$conf" || fail_start "slurmd did not start"
    until_ready "node $node is idle" node_idle

    # The first batch job after a fresh slurmctld waits for the scheduler's
    # first pass (2-3 s); a probe takes that wait and checks munge
    # credentials, batch launch and a pmix step.
    local id rc=0
    id="$(sbatch --parsable --job-name=probe --time=1 --output="$dir/log/probe-%j.out" --wrap='srun true')" ||
        fail_start "sbatch of the probe job failed"
    wait_job "$id" "$step_timeout" || rc=$?
    [ "$rc" -eq 0 ] || fail_start "the probe job $id ended with status $rc: $(cat "$dir/log/probe-$id.out" 2>/dev/null)"
    say "probe job ran; cluster ready in $(elapsed "$start_t0") s (export SLURM_CONF=$conf)"
}

munge_roundtrip() { munge -S "$1" -n | unmunge -S "$1"; }
ctld_up() { running slurmctld && scontrol ping | grep -q 'is UP'; }
node_idle() { running slurmd && [ "$(sinfo -h -n "$node" -o %T)" = idle ]; }

cmd_stop() {
    local t0 i ids stepds
    t0="$(now)"
    if ! running munged && ! running slurmctld && ! running slurmd; then
        rm -rf "$dir/pids"
        say "not running ($dir)"
        return 0
    fi
    if running slurmctld; then
        ids="$(squeue -h -o %i 2>/dev/null || true)"
        if [ -n "$ids" ]; then
            say "cancelling jobs: $(tr '\n' ' ' <<<"$ids")"
            # shellcheck disable=SC2086 # one job id a word
            scancel $ids 2>/dev/null || true
            for ((i = 0; i < 250; i++)); do
                [ -z "$(squeue -h -o %i 2>/dev/null)" ] && break
                sleep 0.1
            done
        fi
    fi
    # Step daemons linger briefly after their job; slurmd must outlive them.
    for ((i = 0; i < 200; i++)); do
        [ -z "$(our_stepds)" ] && break
        sleep 0.1
    done
    stop_daemons
    stepds="$(our_stepds)"
    [ -z "$stepds" ] || say "warning: slurmstepd still running (not signalled): $stepds"
    say "stopped in $(elapsed "$t0") s"
}

cmd_status() {
    local name all=0
    for name in "${daemons[@]}"; do
        if running "$name"; then
            say "$name running (PID $(recorded_pid "$name"))"
        else
            say "$name not running"
            all=3
        fi
    done
    if [ "$all" -eq 0 ]; then
        sinfo -N -o '%N %T %c %m' >&2 || all=3
        squeue >&2 || all=3
        say "export SLURM_CONF=$conf"
    fi
    return "$all"
}

# wait_job ID SECONDS: see the usage at the top. `sbatch --wait` is not used:
# it polls at 2, 10, 42... s and can return 0 for a job that is still
# COMPLETING after a time limit or a cancel.
wait_job() {
    local id="$1" limit="$2" t0 line state code rc sig
    t0="$(now)"
    while :; do
        if ! line="$(scontrol -o show job "$id" 2>&1)"; then
            say "job $id: $line"
            return 2
        fi
        state="$(sed -n 's/.* JobState=\([A-Z_]*\).*/\1/p' <<<"$line")"
        case "$state" in
        COMPLETED | FAILED | TIMEOUT | CANCELLED | OUT_OF_MEMORY | NODE_FAIL | BOOT_FAIL | DEADLINE | PREEMPTED) break ;;
        esac
        if [ "$(elapsed "$t0" | cut -d. -f1)" -ge "$limit" ]; then
            say "job $id still $state after $limit s ($(sed -n 's/.* Reason=\([^ ]*\).*/\1/p' <<<"$line")); cancelling it"
            scancel "$id" 2>/dev/null || true
            return 125
        fi
        sleep 0.25
    done
    code="$(sed -n 's/.* ExitCode=\([0-9]*:[0-9]*\).*/\1/p' <<<"$line")"
    rc="${code%%:*}" sig="${code##*:}"
    say "job $id $state (exit code $code) after $(elapsed "$t0") s"
    case "$state" in
    COMPLETED) return 0 ;;
    TIMEOUT) return 124 ;;
    CANCELLED) return 130 ;;
    OUT_OF_MEMORY) return 137 ;;
    FAILED)
        [ "${rc:-0}" -ne 0 ] && return "$rc"
        [ "${sig:-0}" -ne 0 ] && return $((128 + sig))
        return 1
        ;;
    *) return 1 ;;
    esac
}

case "${1:-}" in
start) cmd_start ;;
stop) cmd_stop ;;
status) cmd_status ;;
env) printf 'export SLURM_CONF=%s\n' "$conf" ;;
wait)
    [ -n "${2:-}" ] || die "usage: local_cluster.sh wait JOBID [SECONDS]"
    wait_job "$2" "${3:-600}"
    ;;
*) die "usage: local_cluster.sh start|stop|status|env|wait JOBID [SECONDS]" ;;
esac
