/* ctx.h — the context behind the public API: configuration, the last
 * error, the MPI session and the run's seed and counters. Only src/core
 * sees it; lower layers get what they need passed explicitly. */
#ifndef TS_CORE_CTX_H
#define TS_CORE_CTX_H

#include "array/build.h"
#include "diag/progress.h"
#include "diag/runlog.h"
#include "run/session.h"

struct ts_ctx {
    ts_config cfg;
    ts_err err;
    session ses;
    bool mpi_owned; /* ts_ctx_create initialised MPI */
    uint64_t seed;
    char threads_note[256]; /* affinity_describe of the session's CPU report, or "" */
    uint32_t next_stream;   /* streams of unseeded random arrays */
    ts_run_stats stats;
    /* driver: what the run did, for the report, metrics and summary */
    runlog log;
    bool log_ok;
    double t_start; /* trace_now() when the context was made */
    double
        cpu_start; /* rank 0's CPU seconds then: its share of the wall counts from there, as the wall does */
    progress prog;
    exec_stats *latest; /* per world rank: its progress in the compute now */
    double last_report;
    bool stopped; /* a compute or store was stopped on request */
    /* Staged rechunks (spill.c): files made so far, for unique names;
     * while > 0, the plan being run reads staged copies and stages nothing. */
    int64_t spill_files;
    int spill_off;
};

/* observe.c: following computes for the progress display, the report,
 * the metrics and the summary (driver only). */
void ctx_observe_init(ts_ctx *ctx);
void ctx_observe_fini(ts_ctx *ctx);
void ctx_observe_begin(ts_ctx *ctx, const plan *p, const store_list *stores, int nresults);
void ctx_observe_end(ts_ctx *ctx, const session_result *res, bool ok);
void ctx_observe_shutdown(ts_ctx *ctx, int exit_status);
double ctx_now(const ts_ctx *ctx); /* seconds since the run started */
void ctx_stage_label(const plan *p, const plan_stage *st, const store_list *stores, char *buf, size_t len);

/* The build environment of this context (points into ctx). */
build_env ctx_build_env(ts_ctx *ctx);

/* Runs one compute of ntargets targets on the workers: the first nresults
 * come back into results, the stores go to files (compute.c). */
ts_status core_run(ts_ctx *ctx, int ntargets, ts_array *const *targets, int nresults,
                   const store_list *stores, ts_local **results);

/* Planned peak resident bytes of each worker running plan p (memplan.c),
 * comparable with its measured peak RSS: what the ranks held at start,
 * plus kept chunks, the stage's fixed buffers, HDF5 and MPI-IO buffers and
 * as many tasks at once as the workers' throttle runs. The first nresults
 * targets return to the driver; stores may be NULL; peak has nworkers
 * entries. */
void core_plan_peak(const ts_ctx *ctx, const plan *p, int nresults, const store_list *stores, int64_t *peak);

/* Bytes of earlier chunks each worker holds while stage s runs (0 for a
 * worker without tasks in s); held has nworkers entries (memplan.c). */
void core_plan_held(const plan *p, int nresults, int s, int64_t *held);

/* Bytes of one task's buffers in stage s (its chunk or partial, staging). */
int64_t core_task_nbytes(const plan *p, int s);

/* Refuses (TS_ERR_MEMORY, with advice) a plan in which some worker's
 * planned need passes the budget minus the ranks' overhead: kept chunks,
 * fixed and library buffers and one task. stores may be NULL. Driver. */
ts_status core_memory_check(ts_ctx *ctx, const plan *p, int nresults, const store_list *stores);

/* --dry-run: prints the plan (ts_describe) instead of running it; results
 * (may be NULL) become zeros. */
ts_status core_dry_run(ts_ctx *ctx, const char *what, int n, ts_array *const *arrays, ts_local **results);

/* ts_describe of a compute (stored false) or of a store, whose arrays go
 * to files instead of rank 0 (describe.c). */
char *core_describe(ts_ctx *ctx, int n, ts_array *const *arrays, bool stored);

/* resume.c: the fingerprint of what x computes, as stored with a dataset
 * (hex text), and whether it takes the run's seed. */
void core_fingerprint_text(const ts_array *x, char *buf, size_t len, bool *uses_run_seed);

/* resume.c, --resume: if target t's dataset exists, checks that it is this
 * store's output (else an error saying what differs) and sets t->resume;
 * *nstored: its chunks already stored (all of them when complete). */
ts_status core_resume_target(ts_ctx *ctx, h5_target *t, const char *fingerprint, bool uses_run_seed,
                             int64_t *nstored);

/* resume.c: the error of a store stopped on request, with each target's
 * stored chunks so far. Returns TS_ERR_STOPPED. */
ts_status core_store_stopped(ts_ctx *ctx, int n, ts_array *const *arrays, const char *const *paths,
                             const char *const *datasets);
/* Runs the delayed tasks behind the from_delayed arrays the targets read
 * and not computed yet, and gives those arrays their values (api_delayed.c). */
ts_status core_resolve_delayed(ts_ctx *ctx, int n, ts_array *const *targets);

/* spill_choose.c, spill_run.c: a rechunk staged through a temporary HDF5 file in the spill
 * directory (the two-step rechunk): the source is stored there with
 * intermediate chunks, then the plan reads that copy instead. */
typedef struct core_spill {
    node *source;             /* what is staged (borrowed from the plan's graph) */
    node *rechunk;            /* the rechunk that reads it (borrowed) */
    int64_t need_nbytes;      /* a worker's peak reading it in memory */
    int64_t after_nbytes;     /* ... reading the staged copy */
    int64_t limit_nbytes;     /* what the budget leaves a rank for data */
    int64_t chunk[TS_MAXDIM]; /* the intermediate (storage) chunks */
    bool whole_chunks;        /* a stored source whose chunks are whole storage chunks */
    char path[4096];          /* the temporary file */
} core_spill;

/* Driver, local: the rechunks of plan p that do not fit the ranks' memory
 * done in memory but do through the spill directory; *out malloc'd (NULL
 * when *n is 0), paths still empty. */
ts_status core_spill_choose(ts_ctx *ctx, const plan *p, int nresults, core_spill **out, int *n);

/* Driver: names the temporary files (the k-th of this run: from
 * ctx->spill_files + 1), without creating them. */
void core_spill_name(ts_ctx *ctx, core_spill *sp, int n);

/* Driver: the targets with every staged source replaced by a read of its
 * file (the same graph the workers will rebuild); *out holds n new
 * references, malloc'd. */
ts_status core_spill_rewrite(ts_ctx *ctx, int n, ts_array *const *targets, const core_spill *sp, int nsp,
                             ts_array ***out);

/* What staging sp means, in one line (no newline): "rechunk of X
 * (shape) staged through PATH, N bytes in chunks of ...". */
void core_spill_line(const core_spill *sp, char *buf, size_t len);

/* Driver: runs a compute whose plan stages sp: stores each source to its
 * file, runs the rewritten targets, removes the files (also on error). */
ts_status core_spill_run(ts_ctx *ctx, int ntargets, ts_array *const *targets, int nresults,
                         const store_list *stores, ts_local **results, core_spill *sp, int nsp);

/* Starts a public call: clears the last error. */
void ctx_begin(ts_ctx *ctx);

#endif
