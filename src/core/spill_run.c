/* spill_run.c — the two-step rechunk on the driver: each staged source is
 * stored by the workers into a temporary HDF5 file in the spill directory
 * (parallel HDF5, each worker its own chunks, with the intermediate chunk
 * shape), then the compute runs on a graph that reads those files instead
 * of the sources. No data passes through rank 0. Invariant: every file
 * this made is removed before it returns, whatever happened (a killed
 * process leaves it; the name says which run made it). */
#include "array/serialize.h"
#include "core/ctx.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define STAGED_DATASET "/staged"

/* Makes sure each file can be created, before any work: a name taken
 * (another run of this host and pid) moves to the next number. */
static ts_status claim_names(ts_ctx *ctx, core_spill *sp, int n)
{
    for (int i = 0; i < n; i++) {
        for (int tries = 0;; tries++) {
            core_spill_name(ctx, &sp[i], 1);
            ctx->spill_files++;
            int fd = open(sp[i].path, O_WRONLY | O_CREAT | O_EXCL, 0600);
            if (fd >= 0) {
                close(fd);
                unlink(sp[i].path); /* the workers create it, as HDF5 */
                break;
            }
            int e = errno;
            if (e == EEXIST && tries < 1000)
                continue;
            char shape[128], nb[32];
            build_format_shape(sp[i].source->ndim, sp[i].source->shape, shape, sizeof shape);
            ts_format_nbytes(ts_array_nbytes(sp[i].source), nb, sizeof nb);
            return err_set(
                &ctx->err, TS_ERR_IO,
                "cannot stage the rechunk of %s %s (%s, more than the ranks' memory holds) through "
                "the spill directory %s: %s; set --spill-dir (or TESSERA_SPILL_DIR) to a writable "
                "directory every rank can see",
                node_label(sp[i].source), shape, nb, ctx->cfg.spill_dir, strerror(e));
        }
    }
    return TS_OK;
}

/* An uncached read of dataset in path with x's shape, dtype and chunks
 * (so it can stand in for x in a graph). */
static ts_status uncached_read(ts_ctx *ctx, const node *x, const char *path, const char *dataset, node **out)
{
    chunks_axis chunks[TS_MAXDIM] = {{0}};
    for (int d = 0; d < x->ndim; d++) {
        chunks[d].n = x->chunks[d].n;
        chunks[d].sizes = malloc((size_t)(x->chunks[d].n ? x->chunks[d].n : 1) * sizeof(int64_t));
        if (!chunks[d].sizes) {
            chunks_axis_free(chunks, d);
            return err_set(&ctx->err, TS_ERR_MEMORY, "out of memory");
        }
        memcpy(chunks[d].sizes, x->chunks[d].sizes, (size_t)x->chunks[d].n * sizeof(int64_t));
    }
    node_params params = {.hdf5 = {.uncached = true}};
    ts_status st =
        node_create(NODE_HDF5, x->dtype, x->ndim, x->shape, chunks, 0, NULL, &params, out, &ctx->err);
    if (st != TS_OK)
        return st;
    (*out)->path = strdup(path);
    (*out)->dataset = strdup(dataset);
    if (!(*out)->path || !(*out)->dataset) {
        ts_array_release(*out);
        *out = NULL;
        return err_set(&ctx->err, TS_ERR_MEMORY, "out of memory");
    }
    return TS_OK;
}

/* Writes sp->source to its file. A stored source whose chunks are whole
 * storage chunks is read without HDF5's cache: no chunk is read twice,
 * and cached chunks stay in the heap long after. */
static ts_status stage_one(ts_ctx *ctx, const core_spill *sp)
{
    const node *x = sp->source;
    h5_target t = {.path = sp->path, .dataset = STAGED_DATASET, .dtype = x->dtype, .ndim = x->ndim};
    for (int d = 0; d < x->ndim; d++) {
        t.shape[d] = x->shape[d];
        t.chunk[d] = sp->chunk[d];
    }
    store_list stores = {0};
    if (!store_list_add(&stores, 0, &t))
        return err_set(&ctx->err, TS_ERR_MEMORY, "out of memory");
    node *target = NULL;
    ts_status st = sp->whole_chunks ? uncached_read(ctx, x, x->path, x->dataset, &target) : TS_OK;
    if (st == TS_OK)
        st = core_run(ctx, 1, target ? &target : &sp->source, 0, &stores, NULL);
    ts_array_release(target);
    store_list_fini(&stores);
    if (st != TS_OK && st != TS_ERR_STOPPED) {
        char msg[TS_ERRMSG_MAX];
        snprintf(msg, sizeof msg, "%s", ctx->err.msg);
        err_reset(&ctx->err, st, "staging the rechunk of %s through %s (--spill-dir) failed: %s",
                  node_label(x), sp->path, msg);
    }
    return st;
}

ts_status core_spill_rewrite(ts_ctx *ctx, int n, ts_array *const *targets, const core_spill *sp, int nsp,
                             ts_array ***out)
{
    *out = NULL;
    node **staged = calloc((size_t)nsp, sizeof *staged);
    if (!staged)
        return err_set(&ctx->err, TS_ERR_MEMORY, "out of memory");
    ptrmap replace;
    ptrmap_init(&replace);
    ts_status st = TS_OK;
    for (int i = 0; i < nsp && st == TS_OK; i++) {
        st = uncached_read(ctx, sp[i].source, sp[i].path, STAGED_DATASET, &staged[i]);
        if (st == TS_OK && !ptrmap_put(&replace, sp[i].source, (int64_t)(intptr_t)staged[i]))
            st = err_set(&ctx->err, TS_ERR_MEMORY, "out of memory");
    }
    /* The workers rebuild the graph from these bytes; so does the driver,
     * so both plan the same graph. */
    bytebuf b;
    bytebuf_init(&b);
    if (st == TS_OK)
        st = dag_serialize_replacing(n, targets, &replace, &b, &ctx->err);
    int nt = 0;
    if (st == TS_OK)
        st = dag_deserialize(b.data, b.len, &nt, out, &ctx->err);
    if (st == TS_OK && nt != n)
        st = err_set(&ctx->err, TS_ERR_RUNTIME, "internal: %d targets rebuilt of %d", nt, n);
    bytebuf_fini(&b);
    ptrmap_fini(&replace);
    for (int i = 0; i < nsp; i++)
        ts_array_release(staged[i]);
    free(staged);
    return st;
}

ts_status core_spill_run(ts_ctx *ctx, int ntargets, ts_array *const *targets, int nresults,
                         const store_list *stores, ts_local **results, core_spill *sp, int nsp)
{
    ts_status st = claim_names(ctx, sp, nsp);
    int staged = 0;
    for (; st == TS_OK && staged < nsp; staged++) {
        if (!ctx->cfg.quiet) {
            char line[5000];
            core_spill_line(&sp[staged], line, sizeof line);
            fprintf(stderr, "tessera: %s\n", line);
            fflush(stderr);
        }
        st = stage_one(ctx, &sp[staged]);
    }
    ts_array **rewritten = NULL;
    if (st == TS_OK)
        st = core_spill_rewrite(ctx, ntargets, targets, sp, nsp, &rewritten);
    if (st == TS_OK) {
        ctx->spill_off++;
        st = core_run(ctx, ntargets, rewritten, nresults, stores, results);
        ctx->spill_off--;
    }
    for (int i = 0; rewritten && i < ntargets; i++)
        ts_array_release(rewritten[i]);
    free(rewritten);
    /* Best effort: a file a failed staging never made is not there. */
    for (int i = 0; i < staged; i++)
        unlink(sp[i].path);
    return st;
}
