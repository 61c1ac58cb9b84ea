/* resume.c — stores that continue an interrupted run (--resume), and what a
 * stopped store tells its user. A dataset already in the file is continued
 * only if it is this store's output: written by tessera, of the same dtype,
 * shape, storage chunks and compression, computed by the same expression
 * (its fingerprint) and, where random arrays take the run's seed, with the
 * same seed. Anything else is refused before any work, saying what differs
 * and what to do; so a resumed store ends bit-identical to an
 * uninterrupted one. */
#include "array/fingerprint.h"
#include "core/ctx.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

void core_fingerprint_text(const ts_array *x, char *buf, size_t len, bool *uses_run_seed)
{
    uint64_t h = 0;
    dag_fingerprint(x, &h, uses_run_seed);
    snprintf(buf, len, "%016" PRIx64, h);
}

/* "float64 (1000, 200) in chunks (100, 200), gzip 4" */
static void describe_layout(ts_dtype dtype, int ndim, const int64_t *shape, const int64_t *chunk,
                            int gzip_level, char *buf, size_t len)
{
    char s[256], c[256];
    build_format_shape(ndim, shape, s, sizeof s);
    build_format_shape(ndim, chunk, c, sizeof c);
    int n = snprintf(buf, len, "%s %s in chunks %s", ts_dtype_name(dtype), s, c);
    if (gzip_level > 0 && n > 0 && (size_t)n < len)
        snprintf(buf + n, len - (size_t)n, ", gzip %d", gzip_level);
}

static bool same_layout(const h5_target *t, const h5_stored *old)
{
    const h5_meta *m = &old->meta;
    bool chunkable = t->ndim > 0;
    for (int d = 0; d < t->ndim; d++)
        chunkable = chunkable && t->shape[d] > 0;
    if (m->dtype != t->dtype || m->ndim != t->ndim || old->gzip_level != (chunkable ? t->gzip_level : 0))
        return false;
    for (int d = 0; d < t->ndim; d++)
        if (m->shape[d] != t->shape[d] || (chunkable && (!m->chunked || m->chunk[d] != t->chunk[d])))
            return false;
    return true;
}

ts_status core_resume_target(ts_ctx *ctx, h5_target *t, const char *fingerprint, bool uses_run_seed,
                             int64_t *nstored)
{
    *nstored = 0;
    h5_stored old;
    bool exists = false;
    ts_status st = h5_stored_describe(t->path, t->dataset, &old, &exists, &ctx->err);
    if (st != TS_OK || !exists)
        return st; /* nothing stored yet: the store starts afresh */
    const char *again = "run without --resume (with overwrite = true) to store it again";
    if (old.meta.mark == H5_MARK_NONE)
        return err_set(
            &ctx->err, TS_ERR_IO,
            "--resume: dataset %s in %s was not written by tessera, so there is nothing to resume; "
            "store to another dataset, or %s",
            t->dataset, t->path, again);
    if (!same_layout(t, &old)) {
        char was[600], now[600];
        describe_layout(old.meta.dtype, old.meta.ndim, old.meta.shape, old.meta.chunk, old.gzip_level, was,
                        sizeof was);
        describe_layout(t->dtype, t->ndim, t->shape, t->chunk, t->gzip_level, now, sizeof now);
        return err_set(&ctx->err, TS_ERR_IO,
                       "--resume: dataset %s in %s is %s, but this store writes %s: it is not this store's "
                       "output; %s",
                       t->dataset, t->path, was, now, again);
    }
    if (!old.fingerprint[0])
        return err_set(&ctx->err, TS_ERR_IO,
                       "--resume: dataset %s in %s does not say what computed it (no %s attribute: an older "
                       "tessera wrote it); %s",
                       t->dataset, t->path, H5_FINGERPRINT_ATTR, again);
    if (strcmp(old.fingerprint, fingerprint) != 0)
        return err_set(&ctx->err, TS_ERR_IO,
                       "--resume: dataset %s in %s was computed by a different script or from different "
                       "inputs (its %s is %s, this store's %s): continuing it would mix two results; %s",
                       t->dataset, t->path, H5_FINGERPRINT_ATTR, old.fingerprint, fingerprint, again);
    if (uses_run_seed && old.has_seed && (uint64_t)old.seed != ctx->seed)
        return err_set(
            &ctx->err, TS_ERR_IO,
            "--resume: dataset %s in %s was stored by a run with seed %lld, and this run's seed is "
            "%llu%s, so its random numbers would differ; run again with --resume --seed %lld",
            t->dataset, t->path, (long long)old.seed, (unsigned long long)ctx->seed,
            ctx->cfg.seed_set ? "" : " (drawn afresh)", (long long)old.seed);
    t->resume = true;
    *nstored = old.meta.mark == H5_MARK_COMPLETE ? t->nrecord : old.nstored;
    return TS_OK;
}

ts_status core_store_stopped(ts_ctx *ctx, int n, ts_array *const *arrays, const char *const *paths,
                             const char *const *datasets)
{
    char msg[TS_ERRMSG_MAX];
    int used = snprintf(msg, sizeof msg, "stopped on request before the store finished; stored so far:");
    for (int i = 0; i < n && used > 0 && (size_t)used < sizeof msg; i++) {
        h5_stored now;
        bool exists = false;
        ts_err ignore;
        err_clear(&ignore);
        int64_t nchunks = node_nchunks(arrays[i]), nstored = 0;
        if (h5_stored_describe(paths[i], datasets[i], &now, &exists, &ignore) == TS_OK && exists)
            nstored = now.meta.mark == H5_MARK_COMPLETE ? nchunks : now.nstored;
        used += snprintf(msg + used, sizeof msg - (size_t)used, "%s %s in %s: %lld of %lld chunks",
                         i ? ";" : "", datasets[i], paths[i], (long long)nstored, (long long)nchunks);
    }
    if (used > 0 && (size_t)used < sizeof msg)
        snprintf(msg + used, sizeof msg - (size_t)used,
                 ". Run the same script again with --resume to store the rest");
    return err_reset(&ctx->err, TS_ERR_STOPPED, "%s", msg);
}
