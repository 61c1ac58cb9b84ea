/* fingerprint.c — a digest of what an expression computes, stored with a
 * dataset so a resumed store can tell that the run continuing it computes
 * the same values chunk for chunk. It covers every node's operation, dtype,
 * shape, chunks, parameters (field by field: no padding bytes) and inputs,
 * and the files read; random arrays that take the run's seed count by
 * their stream alone, so a different run seed is reported as such. */
#include "array/fingerprint.h"
#include "util/ptrmap.h"

#include <string.h>

/* FNV-1a over 64 bits, then a final mix: stable across runs and builds. */
typedef struct digest {
    uint64_t h;
} digest;

static void mix(digest *d, const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++) {
        d->h ^= b[i];
        d->h *= 0x100000001b3ull;
    }
}

static void mix_i64(digest *d, int64_t v) { mix(d, &v, sizeof v); }

static void mix_f64(digest *d, double v)
{
    uint64_t bits;
    memcpy(&bits, &v, sizeof bits);
    mix(d, &bits, sizeof bits);
}

static void mix_str(digest *d, const char *s)
{
    mix_i64(d, s ? (int64_t)strlen(s) : -1);
    if (s)
        mix(d, s, strlen(s));
}

static void mix_scalar(digest *d, const ts_scalar *v)
{
    mix_i64(d, v->kind);
    if (v->kind == TS_SCALAR_BOOL)
        mix_i64(d, v->b);
    else if (v->kind == TS_SCALAR_INT)
        mix_i64(d, v->i);
    else
        mix_f64(d, v->f);
}

static void mix_params(digest *d, const node *x, bool *uses_run_seed)
{
    const node_params *p = &x->p;
    switch (x->op) {
    case NODE_FULL:
    case NODE_SCALAR: mix_scalar(d, &p->full.value); break;
    case NODE_ARANGE:
        mix_f64(d, p->arange.fstart);
        mix_f64(d, p->arange.fstep);
        mix_i64(d, p->arange.istart);
        mix_i64(d, p->arange.istep);
        break;
    case NODE_LINSPACE:
        mix_f64(d, p->linspace.start);
        mix_f64(d, p->linspace.step);
        mix_f64(d, p->linspace.stop);
        mix_i64(d, p->linspace.num);
        mix_i64(d, p->linspace.endpoint);
        break;
    case NODE_RANDOM:
        mix_i64(d, p->random.kind);
        mix_f64(d, p->random.a);
        mix_f64(d, p->random.b);
        mix_i64(d, p->random.stream);
        /* Stream 0 is an explicit seed; others take the run's seed. */
        if (p->random.stream == 0)
            mix_i64(d, (int64_t)p->random.seed);
        else
            *uses_run_seed = true;
        break;
    case NODE_UNARY:
        mix_i64(d, p->unary.op);
        mix_i64(d, p->unary.compute);
        break;
    case NODE_BINARY:
        mix_i64(d, p->binary.op);
        mix_i64(d, p->binary.compute);
        break;
    case NODE_WHERE: mix_i64(d, p->where.compute); break;
    case NODE_REDUCE:
        mix_i64(d, p->reduce.op);
        mix_i64(d, p->reduce.axes);
        mix_i64(d, p->reduce.keepdims);
        mix_i64(d, p->reduce.ddof);
        mix_i64(d, p->reduce.flat);
        break;
    case NODE_HDF5:
        mix_str(d, x->path);
        mix_str(d, x->dataset);
        break;
    case NODE_VIEW:
        for (int k = 0; k < x->inputs[0]->ndim; k++) {
            mix_i64(d, p->view.src[k]);
            mix_i64(d, p->view.mul[k]);
            mix_i64(d, p->view.add[k]);
        }
        break;
    case NODE_CONCAT:
        mix_i64(d, p->concat.axis);
        mix_i64(d, p->concat.split);
        break;
    case NODE_SCAN:
        mix_i64(d, p->scan.axis);
        mix_i64(d, p->scan.prod);
        break;
    case NODE_DATA:
    case NODE_MAP_BLOCKS:
        /* The values themselves, or the kernel and its call bytes (Lua
         * bytecode and arguments): a resumed store must run the same code. */
        mix_str(d, x->kernel);
        mix_i64(d, x->blob ? x->blob_nbytes : -1);
        if (x->blob)
            mix(d, x->blob, (size_t)x->blob_nbytes);
        break;
    case NODE_ASTYPE:
    case NODE_RESHAPE:
    case NODE_NOPS: break;
    }
}

/* The digest of x, from its inputs' (memoised: a DAG, not a tree). */
static uint64_t node_digest(const node *x, ptrmap *memo, bool *uses_run_seed, bool *ok)
{
    int64_t v;
    if (ptrmap_get(memo, x, &v))
        return (uint64_t)v;
    digest d = {0xcbf29ce484222325ull};
    mix_i64(&d, x->op);
    mix_i64(&d, x->dtype);
    mix_i64(&d, x->weak);
    mix_i64(&d, x->ndim);
    for (int k = 0; k < x->ndim; k++) {
        mix_i64(&d, x->shape[k]);
        mix_i64(&d, x->chunks[k].n);
        mix(&d, x->chunks[k].sizes, (size_t)x->chunks[k].n * sizeof(int64_t));
    }
    mix_params(&d, x, uses_run_seed);
    mix_i64(&d, x->ninputs);
    for (int i = 0; i < x->ninputs; i++)
        mix_i64(&d, (int64_t)node_digest(x->inputs[i], memo, uses_run_seed, ok));
    /* splitmix64's finaliser spreads the last bytes over every bit */
    uint64_t h = d.h;
    h = (h ^ (h >> 30)) * 0xbf58476d1ce4e5b9ull;
    h = (h ^ (h >> 27)) * 0x94d049bb133111ebull;
    h ^= h >> 31;
    *ok = ptrmap_put(memo, x, (int64_t)h) && *ok;
    return h;
}

bool dag_fingerprint(const node *x, uint64_t *out, bool *uses_run_seed)
{
    ptrmap memo;
    ptrmap_init(&memo);
    bool ok = true;
    *uses_run_seed = false;
    *out = node_digest(x, &memo, uses_run_seed, &ok);
    ptrmap_fini(&memo);
    return ok;
}
