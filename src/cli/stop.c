/* stop.c — the signal handlers of a stop request. A handler may only do
 * async-signal-safe things, so it stores the signal's number in a
 * volatile sig_atomic_t (the program's one mutable global, as a handler
 * needs) and everything else happens where the library polls it. */
#include "cli/stop.h"

#include <string.h>

static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
    stop_signal = sig;
    /* Ctrl-C twice ends us at once (async-signal-safe). A second SIGTERM
     * does not: SLURM sends each task two at a time limit, and whoever
     * sends SIGTERM follows it with SIGKILL when a stop takes too long. */
    if (sig == SIGINT)
        signal(sig, SIG_DFL);
}

const volatile sig_atomic_t *cli_stop_flag(void) { return &stop_signal; }

void cli_stop_install(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    /* Interrupted system calls restart: HDF5 and MPI never see EINTR. */
    sa.sa_flags = SA_RESTART;
    const int sigs[] = {SIGTERM, SIGINT, SIGUSR1};
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
        sigaction(sigs[i], &sa, NULL);
}

static const char *signal_name(int sig)
{
    switch (sig) {
    case SIGTERM: return "SIGTERM";
    case SIGINT: return "SIGINT";
    case SIGUSR1: return "SIGUSR1";
    default: return "a stop request";
    }
}

void cli_stop_report(const ts_ctx *ctx, FILE *out)
{
    int sig = 0;
    ts_ctx_stopped(ctx, &sig);
    unsigned long long seed = (unsigned long long)ts_ctx_seed(ctx);
    fprintf(out,
            "tessera: stopped by %s (exit status %d). To finish, run the same command again with "
            "--resume --seed %llu (or TESSERA_RESUME=1 TESSERA_SEED=%llu): the chunks already stored are "
            "skipped, and the result is identical to an uninterrupted run's. A SLURM job requeued "
            "(sbatch --requeue, scontrol requeue) resumes by itself.\n",
            signal_name(sig), CLI_STOPPED_STATUS, seed, seed);
    fflush(out);
}
