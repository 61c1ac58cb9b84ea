/* dgraph.c — reading a delayed job; every count and reference is checked
 * against the bytes, so a corrupt job fails with a message instead of
 * reading out of bounds. */
#include "run/dgraph.h"
#include "array/delayed_serialize.h"
#include "util/bytebuf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const void *get_bytes(bytereader *r, int64_t *n)
{
    *n = bytereader_i64(r);
    return *n >= 0 && (size_t)*n <= r->len - r->pos ? bytereader_skip(r, (size_t)*n) : NULL;
}

static bool count_ok(const bytereader *r, int64_t n) { return !r->failed && n >= 0 && (size_t)n <= r->len; }

static ts_status corrupt(ts_err *err, const char *what)
{
    return err_set(err, TS_ERR_RUNTIME, "corrupt delayed job (%s)", what);
}

static ts_status read_tasks(dgraph *g, bytereader *r, ts_err *err)
{
    g->ntasks = bytereader_i64(r);
    if (!count_ok(r, g->ntasks))
        return corrupt(err, "tasks");
    g->tasks = calloc((size_t)(g->ntasks ? g->ntasks : 1), sizeof *g->tasks);
    int64_t cap = 2 * g->ntasks + 4, nargs = 0;
    g->args = malloc((size_t)cap * sizeof *g->args);
    if (!g->tasks || !g->args)
        return err_set(err, TS_ERR_MEMORY, "out of memory reading a delayed job");
    for (int64_t t = 0; t < g->ntasks; t++) {
        dtask *d = &g->tasks[t];
        int64_t n;
        d->kernel = bytereader_i64(r);
        d->ud = bytereader_i64(r);
        const char *label = get_bytes(r, &n);
        if (!label || d->kernel < 0 || d->kernel >= g->nkernels || d->ud < 0 || d->ud >= g->nuds)
            return corrupt(err, "task");
        snprintf(d->label, sizeof d->label, "%.*s", (int)(n < 47 ? n : 47), label);
        bytereader_get(r, &d->cost_s, sizeof d->cost_s);
        int64_t na = bytereader_i64(r);
        if (!count_ok(r, na) || na > 1 << 20)
            return corrupt(err, "arguments");
        d->nargs = (int)na;
        d->arg0 = nargs;
        for (int i = 0; i < d->nargs; i++) {
            if (nargs == cap) {
                darg *na2 = realloc(g->args, (size_t)cap * 2 * sizeof *na2);
                if (!na2)
                    return err_set(err, TS_ERR_MEMORY, "out of memory reading a delayed job");
                g->args = na2;
                cap *= 2;
            }
            darg *a = &g->args[nargs++];
            *a = (darg){.kind = (ts_arg_kind)bytereader_i64(r), .ref = -1};
            if (a->kind == TS_ARG_BYTES) {
                if (!(a->bytes = get_bytes(r, &a->nbytes)))
                    return corrupt(err, "argument bytes");
            } else if (a->kind == TS_ARG_DELAYED) {
                a->ref = bytereader_i64(r);
                if (a->ref < 0 || a->ref >= t) /* dependency order: readers after what they read */
                    return corrupt(err, "task reference");
                d->ndeps++;
            } else if (a->kind == TS_ARG_ARRAY) {
                a->ref = bytereader_i64(r);
                if (a->ref < 0 || a->ref >= g->nvalues)
                    return corrupt(err, "array reference");
            } else {
                return corrupt(err, "argument kind");
            }
        }
    }
    return TS_OK;
}

/* Who reads each result, as compressed lists (counts, then prefix sums). */
static ts_status consumers(dgraph *g, ts_err *err)
{
    g->cons_first = calloc((size_t)g->ntasks + 1, sizeof *g->cons_first);
    int64_t total = 0;
    for (int64_t t = 0; t < g->ntasks; t++)
        total += g->tasks[t].ndeps;
    g->cons = malloc((size_t)(total ? total : 1) * sizeof *g->cons);
    int64_t *fill = calloc((size_t)g->ntasks + 1, sizeof *fill);
    if (!g->cons_first || !g->cons || !fill) {
        free(fill);
        return err_set(err, TS_ERR_MEMORY, "out of memory reading a delayed job");
    }
    for (int64_t t = 0; t < g->ntasks; t++)
        for (int i = 0; i < g->tasks[t].nargs; i++)
            if (g->args[g->tasks[t].arg0 + i].kind == TS_ARG_DELAYED)
                g->cons_first[g->args[g->tasks[t].arg0 + i].ref + 1]++;
    for (int64_t t = 0; t < g->ntasks; t++)
        g->cons_first[t + 1] += g->cons_first[t];
    for (int64_t t = 0; t < g->ntasks; t++)
        for (int i = 0; i < g->tasks[t].nargs; i++) {
            const darg *a = &g->args[g->tasks[t].arg0 + i];
            if (a->kind == TS_ARG_DELAYED)
                g->cons[g->cons_first[a->ref] + fill[a->ref]++] = t;
        }
    free(fill);
    return TS_OK;
}

ts_status dgraph_read(dgraph *g, const void *job, size_t len, const registry *reg, ts_err *err)
{
    *g = (dgraph){0};
    bytereader r;
    bytereader_init(&r, job, len);
    uint32_t magic = 0;
    bytereader_get(&r, &magic, sizeof magic);
    if (magic != DELAYED_JOB_MAGIC)
        return corrupt(err, "header");
    g->nkernels = bytereader_i64(&r);
    if (!count_ok(&r, g->nkernels))
        return corrupt(err, "kernels");
    g->kernels = calloc((size_t)(g->nkernels ? g->nkernels : 1), sizeof *g->kernels);
    g->entry = calloc((size_t)(g->nkernels ? g->nkernels : 1), sizeof *g->entry);
    if (!g->kernels || !g->entry)
        return err_set(err, TS_ERR_MEMORY, "out of memory reading a delayed job");
    for (int64_t k = 0; k < g->nkernels; k++) {
        int64_t n;
        const char *name = get_bytes(&r, &n);
        if (!name || n >= REGISTRY_NAME_MAX)
            return corrupt(err, "kernel name");
        memcpy(g->kernels[k], name, (size_t)n);
        g->kernels[k][n] = '\0';
        g->entry[k] = registry_find(reg, g->kernels[k]);
    }
    g->nuds = bytereader_i64(&r);
    if (!count_ok(&r, g->nuds))
        return corrupt(err, "call bytes");
    g->ud = calloc((size_t)(g->nuds ? g->nuds : 1), sizeof *g->ud);
    g->ud_nbytes = calloc((size_t)(g->nuds ? g->nuds : 1), sizeof *g->ud_nbytes);
    if (!g->ud || !g->ud_nbytes)
        return err_set(err, TS_ERR_MEMORY, "out of memory reading a delayed job");
    for (int64_t u = 0; u < g->nuds; u++)
        if (!(g->ud[u] = get_bytes(&r, &g->ud_nbytes[u])))
            return corrupt(err, "call bytes");
    g->nvalues = bytereader_i64(&r);
    if (!count_ok(&r, g->nvalues))
        return corrupt(err, "values");
    g->values = calloc((size_t)(g->nvalues ? g->nvalues : 1), sizeof *g->values);
    if (!g->values)
        return err_set(err, TS_ERR_MEMORY, "out of memory reading a delayed job");
    for (int64_t v = 0; v < g->nvalues; v++) {
        ts_block *b = &g->values[v];
        int32_t hdr[2] = {-1, -1};
        bytereader_get(&r, hdr, sizeof hdr);
        if (hdr[0] < 0 || hdr[0] >= TS_NDTYPES || hdr[1] < 0 || hdr[1] > TS_MAXDIM)
            return corrupt(err, "value");
        b->dtype = (ts_dtype)hdr[0];
        b->ndim = hdr[1];
        bytereader_get(&r, b->shape, (size_t)b->ndim * sizeof(int64_t));
        int64_t n;
        const void *bytes = get_bytes(&r, &n);
        if (!bytes)
            return corrupt(err, "value");
        /* Copied out of the job: there its bytes sit at any offset, and a
         * kernel reads them as int64_t or double, which needs alignment. */
        if (!(b->data = malloc(n ? (size_t)n : 1)))
            return err_set(err, TS_ERR_MEMORY, "out of memory reading a delayed job");
        memcpy(b->data, bytes, (size_t)n);
    }
    ts_status st = read_tasks(g, &r, err);
    if (st != TS_OK)
        return st;
    g->ntargets = bytereader_i64(&r);
    if (!count_ok(&r, g->ntargets))
        return corrupt(err, "targets");
    g->targets = malloc((size_t)(g->ntargets ? g->ntargets : 1) * sizeof *g->targets);
    g->is_target = calloc((size_t)(g->ntasks ? g->ntasks : 1), sizeof *g->is_target);
    if (!g->targets || !g->is_target)
        return err_set(err, TS_ERR_MEMORY, "out of memory reading a delayed job");
    for (int64_t i = 0; i < g->ntargets; i++) {
        g->targets[i] = bytereader_i64(&r);
        if (g->targets[i] < 0 || g->targets[i] >= g->ntasks)
            return corrupt(err, "targets");
        g->is_target[g->targets[i]] = true;
    }
    if (r.failed)
        return corrupt(err, "length");
    return consumers(g, err);
}

void dgraph_fini(dgraph *g)
{
    free(g->kernels);
    free(g->entry);
    free(g->ud);
    free(g->ud_nbytes);
    for (int64_t v = 0; g->values && v < g->nvalues; v++)
        free(g->values[v].data);
    free(g->values);
    free(g->tasks);
    free(g->args);
    free(g->targets);
    free(g->is_target);
    free(g->cons_first);
    free(g->cons);
    *g = (dgraph){0};
}
