/* stop.h — stopping a run on SIGTERM, SIGINT or SIGUSR1 (a time limit, a
 * Ctrl-C, SLURM's --signal): the handlers only set a flag the library
 * reads between tasks; the run then ends with CLI_STOPPED_STATUS and a
 * message saying how to finish it. */
#ifndef TS_CLI_STOP_H
#define TS_CLI_STOP_H

#include <signal.h>
#include <stdio.h>

#include "tessera.h"

/* Exit status of a run stopped on request: sysexits' EX_TEMPFAIL, "try
 * again later" (run again with --resume). */
#define CLI_STOPPED_STATUS 75

/* The flag the handlers set (to the signal's number), for ts_config. */
const volatile sig_atomic_t *cli_stop_flag(void);

/* Installs the handlers. A second SIGINT ends the process at once (the
 * default action); SIGTERM and SIGUSR1 only ever set the flag. */
void cli_stop_install(void);

/* The driver's closing lines of a stopped run: which signal, the exit
 * status, and the command that finishes the run. */
void cli_stop_report(const ts_ctx *ctx, FILE *out);

#endif
