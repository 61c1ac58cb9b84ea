/* ctx.c — creating the context: MPI, the session and the run's seed. */
#include "core/ctx.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

void ts_config_init(ts_config *cfg)
{
    *cfg = (ts_config){
        .chunk_size_nbytes = 128ll << 20,
        .memory_per_rank_nbytes = 1ll << 30,
        .memory_source = "default",
        .threads_per_rank = 1,
        .threads_source = "default",
        .spill_dir = "/tmp",
        .progress_interval_s = 10.0,
    };
}

/* A fresh seed from the kernel, or from the clock if that fails. */
static uint64_t fresh_seed(void)
{
    uint64_t seed = 0;
    FILE *f = fopen("/dev/urandom", "rb");
    if (f) {
        if (fread(&seed, sizeof seed, 1, f) != 1)
            seed = 0;
        fclose(f);
    }
    if (seed == 0) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        seed = (uint64_t)ts.tv_nsec * 0x9e3779b97f4a7c15ull ^ (uint64_t)ts.tv_sec ^ (uint64_t)getpid();
    }
    /* Seeds print in decimal in the banner; keep them short enough to copy. */
    return seed % 1000000000000ull;
}

ts_status ts_ctx_create(const ts_config *cfg, int *argc, char ***argv, ts_ctx **out)
{
    *out = NULL;
    ts_ctx *ctx = calloc(1, sizeof *ctx);
    if (!ctx)
        return TS_ERR_MEMORY;
    if (cfg)
        ctx->cfg = *cfg;
    else
        ts_config_init(&ctx->cfg);
    err_clear(&ctx->err);
    int inited = 0;
    MPI_Initialized(&inited);
    if (!inited) {
        int provided;
        if (MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS) {
            free(ctx);
            return TS_ERR_MPI;
        }
        ctx->mpi_owned = true;
    }
    ts_status st =
        session_init(&ctx->ses, ctx->cfg.threads_per_rank, ctx->cfg.memory_per_rank_nbytes, &ctx->err);
    if (st != TS_OK) {
        *out = ctx;
        return st;
    }
    ctx->ses.stop_flag = ctx->cfg.stop_flag;
    affinity_describe(&ctx->ses.cpus, ctx->ses.nthreads, ctx->threads_note, sizeof ctx->threads_note);
    /* The driver's seed decides; workers never draw one. */
    ctx->seed = ctx->cfg.seed_set ? ctx->cfg.seed : ctx->ses.rank == 0 ? fresh_seed() : 0;
    ctx_observe_init(ctx);
    *out = ctx;
    return TS_OK;
}

void ts_ctx_destroy(ts_ctx *ctx)
{
    if (!ctx)
        return;
    ctx_observe_fini(ctx);
    session_fini(&ctx->ses);
    if (ctx->mpi_owned) {
        int finalized = 0;
        MPI_Finalized(&finalized);
        if (!finalized)
            MPI_Finalize();
    }
    free(ctx);
}

int ts_ctx_rank(const ts_ctx *ctx) { return ctx->ses.rank; }
int ts_ctx_nranks(const ts_ctx *ctx) { return ctx->ses.nranks; }
int ts_ctx_nworkers(const ts_ctx *ctx) { return ctx->ses.nworkers; }
bool ts_ctx_is_driver(const ts_ctx *ctx) { return ctx->ses.rank == 0; }
const ts_config *ts_ctx_config(const ts_ctx *ctx) { return &ctx->cfg; }
uint64_t ts_ctx_seed(const ts_ctx *ctx) { return ctx->seed; }
const char *ts_ctx_threads_note(const ts_ctx *ctx) { return ctx->threads_note; }
const char *ts_ctx_errmsg(const ts_ctx *ctx) { return ctx->err.msg; }
void ts_ctx_stats(const ts_ctx *ctx, ts_run_stats *out) { *out = ctx->stats; }

bool ts_ctx_stopped(const ts_ctx *ctx, int *flag_value)
{
    if (flag_value)
        *flag_value = ctx->ses.stop_value;
    return ctx->stopped;
}

int ts_ctx_serve(ts_ctx *ctx)
{
    if (ctx->ses.rank == 0)
        return 0;
    return session_serve(&ctx->ses);
}

ts_status ts_ctx_shutdown(ts_ctx *ctx, int exit_status)
{
    ctx_begin(ctx);
    if (ctx->ses.rank != 0)
        return TS_OK;
    ctx_observe_shutdown(ctx, exit_status);
    return session_shutdown(&ctx->ses, exit_status, &ctx->err);
}

build_env ctx_build_env(ts_ctx *ctx)
{
    return (build_env){.err = &ctx->err,
                       .chunk_limit_nbytes = ctx->cfg.chunk_size_nbytes,
                       .default_seed = ctx->seed,
                       .next_stream = &ctx->next_stream};
}

void ctx_begin(ts_ctx *ctx) { err_clear(&ctx->err); }
