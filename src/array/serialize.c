/* serialize.c — nodes in topological order, each naming its inputs by
 * their position in that order; chunk lists as (size, repeat) runs. */
#include "array/serialize.h"
#include "util/ptrmap.h"

#include <stdlib.h>
#include <string.h>

#define DAG_MAGIC 0x54534441u /* "TSDA" */

/* x, or what replace maps it to. */
static node *subst(const ptrmap *replace, node *x)
{
    int64_t v;
    return replace && ptrmap_get(replace, x, &v) ? (node *)(intptr_t)v : x;
}

static bool number_nodes(node *x, const ptrmap *replace, ptrmap *index, node ***order, int64_t *n,
                         int64_t *cap)
{
    int64_t v;
    if (ptrmap_get(index, x, &v))
        return true;
    for (int i = 0; i < x->ninputs; i++)
        if (!number_nodes(subst(replace, x->inputs[i]), replace, index, order, n, cap))
            return false;
    if (*n == *cap) {
        *cap = *cap ? *cap * 2 : 32;
        node **no = realloc(*order, (size_t)*cap * sizeof *no);
        if (!no)
            return false;
        *order = no;
    }
    (*order)[*n] = x;
    return ptrmap_put(index, x, (*n)++);
}

static void put_chunks(bytebuf *b, const chunks_axis *c)
{
    int64_t nruns = 0;
    for (int64_t i = 0; i < c->n; i++)
        if (i == 0 || c->sizes[i] != c->sizes[i - 1])
            nruns++;
    bytebuf_put_i64(b, nruns);
    for (int64_t i = 0; i < c->n;) {
        int64_t j = i;
        while (j < c->n && c->sizes[j] == c->sizes[i])
            j++;
        bytebuf_put_i64(b, c->sizes[i]);
        bytebuf_put_i64(b, j - i);
        i = j;
    }
}

static void put_string(bytebuf *b, const char *s)
{
    int64_t n = (int64_t)strlen(s);
    bytebuf_put_i64(b, n);
    bytebuf_put(b, s, (size_t)n);
}

static char *get_string(bytereader *r)
{
    int64_t n = bytereader_i64(r);
    const char *src = n >= 0 ? bytereader_skip(r, (size_t)n) : NULL;
    char *s = src ? malloc((size_t)n + 1) : NULL;
    if (s) {
        memcpy(s, src, (size_t)n);
        s[n] = '\0';
    }
    return s;
}

ts_status dag_serialize(int ntargets, node *const *targets, bytebuf *b, ts_err *err)
{
    return dag_serialize_replacing(ntargets, targets, NULL, b, err);
}

ts_status dag_serialize_replacing(int ntargets, node *const *targets, const ptrmap *replace, bytebuf *b,
                                  ts_err *err)
{
    ptrmap index;
    ptrmap_init(&index);
    node **order = NULL;
    int64_t n = 0, cap = 0;
    bool ok = true;
    for (int i = 0; i < ntargets && ok; i++)
        ok = number_nodes(subst(replace, targets[i]), replace, &index, &order, &n, &cap);
    if (ok) {
        uint32_t magic = DAG_MAGIC;
        bytebuf_put(b, &magic, sizeof magic);
        bytebuf_put_i64(b, n);
        for (int64_t k = 0; k < n; k++) {
            node *x = order[k];
            int32_t hdr[5] = {x->op, x->dtype, x->weak, x->ndim, x->ninputs};
            bytebuf_put(b, hdr, sizeof hdr);
            bytebuf_put(b, x->shape, (size_t)x->ndim * sizeof(int64_t));
            for (int d = 0; d < x->ndim; d++)
                put_chunks(b, &x->chunks[d]);
            for (int i = 0; i < x->ninputs; i++) {
                int64_t v = 0;
                ptrmap_get(&index, subst(replace, x->inputs[i]), &v);
                bytebuf_put_i64(b, v);
            }
            bytebuf_put(b, &x->p, sizeof x->p);
            if (x->op == NODE_HDF5) {
                put_string(b, x->path);
                put_string(b, x->dataset);
            }
            if (x->op == NODE_MAP_BLOCKS)
                put_string(b, x->kernel);
            if (x->op == NODE_DATA || x->op == NODE_MAP_BLOCKS) {
                /* A from_delayed array travels once its task has run. */
                ok = ok && !(x->delayed && !x->blob);
                bytebuf_put_i64(b, x->blob_nbytes);
                bytebuf_put(b, x->blob, (size_t)x->blob_nbytes);
            }
        }
        bytebuf_put_i64(b, ntargets);
        for (int i = 0; i < ntargets; i++) {
            int64_t v = 0;
            ptrmap_get(&index, subst(replace, targets[i]), &v);
            bytebuf_put_i64(b, v);
        }
    }
    free(order);
    ptrmap_fini(&index);
    if (!ok || b->failed)
        return err_set(err, TS_ERR_MEMORY, "out of memory describing the graph");
    return TS_OK;
}

static ts_status get_chunks(bytereader *r, int64_t length, chunks_axis *c, ts_err *err)
{
    int64_t nruns = bytereader_i64(r), total = 0, n = 0;
    const unsigned char *runs = bytereader_skip(r, (size_t)(nruns > 0 ? nruns : 0) * 16);
    if (!runs || nruns <= 0)
        return err_set(err, TS_ERR_RUNTIME, "corrupt graph message (chunks)");
    for (int64_t i = 0; i < nruns; i++) {
        int64_t run[2];
        memcpy(run, runs + 16 * i, sizeof run);
        n += run[1];
    }
    c->n = n;
    c->sizes = malloc((size_t)n * sizeof(int64_t));
    if (!c->sizes)
        return err_set(err, TS_ERR_MEMORY, "out of memory reading the graph");
    for (int64_t i = 0, at = 0; i < nruns; i++) {
        int64_t run[2];
        memcpy(run, runs + 16 * i, sizeof run);
        for (int64_t j = 0; j < run[1]; j++, at++) {
            c->sizes[at] = run[0];
            total += run[0];
        }
    }
    if (total != length)
        return err_set(err, TS_ERR_RUNTIME, "corrupt graph message (chunk sizes)");
    return TS_OK;
}

static ts_status get_node(bytereader *r, node **built, int64_t k, ts_err *err)
{
    int32_t hdr[5];
    bytereader_get(r, hdr, sizeof hdr);
    int ndim = hdr[3], nin = hdr[4];
    if (r->failed || ndim < 0 || ndim > TS_MAXDIM || nin < 0 || nin > NODE_MAXIN || hdr[0] < 0 ||
        hdr[0] >= NODE_NOPS || hdr[1] < 0 || hdr[1] >= TS_NDTYPES)
        return err_set(err, TS_ERR_RUNTIME, "corrupt graph message (node)");
    int64_t shape[TS_MAXDIM];
    bytereader_get(r, shape, (size_t)ndim * sizeof(int64_t));
    chunks_axis chunks[TS_MAXDIM] = {{0}};
    for (int d = 0; d < ndim; d++) {
        ts_status st = get_chunks(r, shape[d], &chunks[d], err);
        if (st != TS_OK) {
            chunks_axis_free(chunks, d + 1);
            return st;
        }
    }
    node *in[NODE_MAXIN];
    for (int i = 0; i < nin; i++) {
        int64_t v = bytereader_i64(r);
        if (v < 0 || v >= k) {
            chunks_axis_free(chunks, ndim);
            return err_set(err, TS_ERR_RUNTIME, "corrupt graph message (inputs)");
        }
        in[i] = built[v];
    }
    node_params p;
    bytereader_get(r, &p, sizeof p);
    ts_status st =
        node_create((node_op)hdr[0], (ts_dtype)hdr[1], ndim, shape, chunks, nin, in, &p, &built[k], err);
    if (st != TS_OK)
        return st;
    built[k]->weak = hdr[2] != 0;
    if (hdr[0] == NODE_HDF5) {
        built[k]->path = get_string(r);
        built[k]->dataset = get_string(r);
        if (!built[k]->path || !built[k]->dataset)
            return err_set(err, TS_ERR_RUNTIME, "corrupt graph message (file names)");
    }
    if (hdr[0] == NODE_MAP_BLOCKS && !(built[k]->kernel = get_string(r)))
        return err_set(err, TS_ERR_RUNTIME, "corrupt graph message (kernel name)");
    if (hdr[0] == NODE_DATA || hdr[0] == NODE_MAP_BLOCKS) {
        int64_t n = bytereader_i64(r);
        const void *src = n >= 0 ? bytereader_skip(r, (size_t)n) : NULL;
        if (!src)
            return err_set(err, TS_ERR_RUNTIME, "corrupt graph message (values)");
        built[k]->blob = malloc((size_t)(n ? n : 1));
        if (!built[k]->blob)
            return err_set(err, TS_ERR_MEMORY, "out of memory reading the graph");
        memcpy(built[k]->blob, src, (size_t)n);
        built[k]->blob_nbytes = n;
    }
    return TS_OK;
}

ts_status dag_deserialize(const void *data, size_t len, int *ntargets, node ***targets, ts_err *err)
{
    bytereader r;
    bytereader_init(&r, data, len);
    uint32_t magic = 0;
    bytereader_get(&r, &magic, sizeof magic);
    int64_t n = bytereader_i64(&r);
    if (magic != DAG_MAGIC || n < 0 || (size_t)n > len)
        return err_set(err, TS_ERR_RUNTIME, "corrupt graph message (header)");
    node **built = calloc((size_t)(n ? n : 1), sizeof *built);
    if (!built)
        return err_set(err, TS_ERR_MEMORY, "out of memory reading the graph");
    ts_status st = TS_OK;
    int64_t k = 0;
    for (; k < n && st == TS_OK; k++)
        st = get_node(&r, built, k, err);
    int64_t nt = st == TS_OK ? bytereader_i64(&r) : 0;
    node **tg = NULL;
    if (st == TS_OK && (r.failed || nt < 0 || nt > n))
        st = err_set(err, TS_ERR_RUNTIME, "corrupt graph message (targets)");
    if (st == TS_OK && !(tg = malloc((size_t)(nt ? nt : 1) * sizeof *tg)))
        st = err_set(err, TS_ERR_MEMORY, "out of memory reading the graph");
    for (int64_t i = 0; st == TS_OK && i < nt; i++) {
        int64_t v = bytereader_i64(&r);
        if (v < 0 || v >= n) {
            st = err_set(err, TS_ERR_RUNTIME, "corrupt graph message (targets)");
            nt = i;
            break;
        }
        tg[i] = ts_array_retain(built[v]);
    }
    /* Targets hold what they need; drop the construction references. */
    for (int64_t i = 0; i < k; i++)
        ts_array_release(built[i]);
    free(built);
    if (st != TS_OK) {
        for (int64_t i = 0; tg && i < nt; i++)
            ts_array_release(tg[i]);
        free(tg);
        return st;
    }
    *ntargets = (int)nt;
    *targets = tg;
    return TS_OK;
}
