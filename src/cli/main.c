/* main.c — the `tessera` program: parse the command line (before MPI, the
 * same on every rank), then either print help/version on rank 0 or run the
 * script: the driver runs it and shuts the workers down with its status,
 * the workers serve plans until then. Every rank returns the same status. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "cli/options.h"
#include "cli/report.h"
#include "cli/requeue.h"
#include "cli/script.h"
#include "cli/stop.h"
#include "cli/version.h"
#include "lua/tslua.h"
#include "tessera.h"

static const char *env_lookup(const char *name, void *ud)
{
    (void)ud;
    return getenv(name);
}

/* The driver's part: banner, script, summary (the last two on success). */
static int drive(ts_ctx *ctx, const cli_options *o, int argc, char **argv)
{
    if (o->cfg.graph_path) {
        /* Plans append to it: start it empty. */
        FILE *f = fopen(o->cfg.graph_path, "w");
        if (!f) {
            fprintf(stderr, "tessera: cannot write %s\n", o->cfg.graph_path);
            return 1;
        }
        fclose(f);
    }
    if (!o->cfg.quiet)
        cli_report_banner(ctx, stderr);
    int status = cli_script_run(ctx, o, argc, argv);
    /* A stopped run did not finish, even if the script caught the error. */
    if (ts_ctx_stopped(ctx, NULL)) {
        cli_stop_report(ctx, stderr);
        return CLI_STOPPED_STATUS;
    }
    if (!o->cfg.quiet && status == 0) {
        char *summary = ts_ctx_summary(ctx);
        if (summary)
            fputs(summary, stderr);
        free(summary);
        ts_run_stats rs;
        ts_ctx_stats(ctx, &rs);
        if (rs.chunks_resumed > 0)
            fprintf(stderr, "resumed: %lld stored chunks of an interrupted run were not computed again\n",
                    (long long)rs.chunks_resumed);
    }
    return status;
}

static int run(const cli_options *o, int argc, char **argv)
{
    ts_ctx *ctx = NULL;
    int mpi_argc = argc; /* MPI may rewrite these; the script's arguments stay in argv */
    char **mpi_argv = argv;
    if (ts_ctx_create(&o->cfg, &mpi_argc, &mpi_argv, &ctx) != TS_OK) {
        /* Every rank fails the same way: one message, from rank 0. */
        if (cli_options_is_rank0(env_lookup, NULL))
            fprintf(stderr, "tessera: %s\n",
                    ctx ? ts_ctx_errmsg(ctx) : "cannot start: creating the context failed");
        ts_ctx_destroy(ctx);
        return 1;
    }
    /* Every rank runs the Lua functions of map_blocks and delayed tasks. */
    if (tslua_runner_register(ctx) != TS_OK)
        fprintf(stderr, "tessera: rank %d: cannot start the Lua task runner: %s\n", ts_ctx_rank(ctx),
                ts_ctx_errmsg(ctx));
    int status;
    if (ts_ctx_is_driver(ctx)) {
        status = drive(ctx, o, argc, argv);
        if (ts_ctx_shutdown(ctx, status) != TS_OK) {
            fprintf(stderr, "tessera: %s\n", ts_ctx_errmsg(ctx));
            status = status ? status : 1;
        }
    } else {
        status = ts_ctx_serve(ctx);
    }
    ts_ctx_destroy(ctx);
    return status;
}

/* tessera info FILE: no MPI, no script; the listing on stdout. */
static int info(const char *path)
{
    char err[1024];
    char *text = ts_hdf5_info(path, err, sizeof err);
    if (!text) {
        fprintf(stderr, "tessera: %s\n", err);
        return 1;
    }
    fputs(text, stdout);
    free(text);
    return 0;
}

int main(int argc, char **argv)
{
    cli_options o;
    char err[512];
    bool rank0 = cli_options_is_rank0(env_lookup, NULL);
    int rc = cli_options_parse(argc, argv, env_lookup, NULL, &o, err, sizeof err);
    if (rc != 0) {
        if (rank0)
            fprintf(stderr, "%s\n", err);
        return rc;
    }
    if (o.command == CLI_RUN) {
        cli_requeue_apply(env_lookup, NULL, &o.cfg);
        o.cfg.stop_flag = cli_stop_flag();
        /* Before MPI starts, which takes a while: a stop signal that comes
         * meanwhile (a job's early warning, a Ctrl-C) is kept for the run
         * instead of killing the rank. */
        cli_stop_install();
        return run(&o, argc, argv);
    }
    if (o.command == CLI_INFO)
        return rank0 ? info(argv[o.script_index]) : 0;
    if (rank0 && o.command == CLI_HELP)
        cli_options_print_help(stdout);
    if (rank0 && o.command == CLI_RUN_HELP)
        cli_options_print_run_help(stdout);
    if (rank0 && o.command == CLI_VERSION)
        cli_version_print(stdout);
    return 0;
}
