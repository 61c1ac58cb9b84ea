/* delayed_serialize.c — see delayed_serialize.h for the layout:
 *   magic | nkernels, names | nuds, (len, bytes) | nvalues, (dtype, ndim,
 *   shape, bytes) | ntasks, (kernel, ud, label, cost, nargs, (kind, bytes |
 *   task | value)) | ntargets, task indices
 * Call bytes are deduplicated by content (FNV-1a hash, then compared). */
#include "array/delayed_serialize.h"
#include "util/ptrmap.h"

#include <stdlib.h>
#include <string.h>

static void put_bytes(bytebuf *b, const void *p, int64_t n)
{
    bytebuf_put_i64(b, n);
    bytebuf_put(b, p, (size_t)n);
}

static uint64_t fnv1a(const void *p, int64_t n)
{
    const unsigned char *s = p;
    uint64_t h = 1469598103934665603ull;
    for (int64_t i = 0; i < n; i++)
        h = (h ^ s[i]) * 1099511628211ull;
    return h | 1; /* never 0: a pointer-map key */
}

ts_status delayed_serialize(int64_t n, delayed *const *order, int64_t narrays, node *const *arrays,
                            const ts_block *values, int ntargets, delayed *const *targets, bytebuf *out,
                            ts_err *err)
{
    ptrmap index, uds, vals;
    ptrmap_init(&index);
    ptrmap_init(&uds);
    ptrmap_init(&vals);
    int64_t *kernel_of = calloc((size_t)(n ? n : 1), sizeof *kernel_of);
    int64_t *ud_of = calloc((size_t)(n ? n : 1), sizeof *ud_of);
    int64_t *ud_first = calloc((size_t)(n ? n : 1), sizeof *ud_first); /* distinct ud k: its first task */
    const char **names = calloc((size_t)(n ? n : 1), sizeof *names);
    bool ok = kernel_of && ud_of && ud_first && names;
    int64_t nkernels = 0, nuds = 0;
    for (int64_t t = 0; ok && t < n; t++) {
        const delayed *d = order[t];
        ok = ptrmap_put(&index, d, t);
        int64_t k = 0;
        while (k < nkernels && strcmp(names[k], d->kernel) != 0)
            k++;
        if (k == nkernels)
            names[nkernels++] = d->kernel;
        kernel_of[t] = k;
        uint64_t h = fnv1a(d->ud, d->ud_nbytes);
        int64_t u;
        const delayed *f = NULL;
        if (ptrmap_get(&uds, (const void *)(uintptr_t)h, &u))
            f = order[ud_first[u]];
        if (f && f->ud_nbytes == d->ud_nbytes && memcmp(f->ud, d->ud, (size_t)d->ud_nbytes) == 0) {
            ud_of[t] = u;
        } else {
            ud_first[nuds] = t;
            ud_of[t] = nuds;
            if (!f)
                ok = ok && ptrmap_put(&uds, (const void *)(uintptr_t)h, nuds);
            nuds++;
        }
    }
    for (int64_t v = 0; ok && v < narrays; v++)
        ok = ptrmap_put(&vals, arrays[v], v);
    if (ok) {
        uint32_t magic = DELAYED_JOB_MAGIC;
        bytebuf_put(out, &magic, sizeof magic);
        bytebuf_put_i64(out, nkernels);
        for (int64_t k = 0; k < nkernels; k++)
            put_bytes(out, names[k], (int64_t)strlen(names[k]));
        bytebuf_put_i64(out, nuds);
        for (int64_t u = 0; u < nuds; u++)
            put_bytes(out, order[ud_first[u]]->ud, order[ud_first[u]]->ud_nbytes);
        bytebuf_put_i64(out, narrays);
        for (int64_t v = 0; v < narrays; v++) {
            const ts_block *b = &values[v];
            int32_t hdr[2] = {(int32_t)b->dtype, b->ndim};
            int64_t count = 1;
            bytebuf_put(out, hdr, sizeof hdr);
            bytebuf_put(out, b->shape, (size_t)b->ndim * sizeof(int64_t));
            for (int d = 0; d < b->ndim; d++)
                count *= b->shape[d];
            put_bytes(out, b->data, count * (int64_t)ts_dtype_size(b->dtype));
        }
        bytebuf_put_i64(out, n);
        for (int64_t t = 0; t < n; t++) {
            const delayed *d = order[t];
            bytebuf_put_i64(out, kernel_of[t]);
            bytebuf_put_i64(out, ud_of[t]);
            put_bytes(out, d->label, (int64_t)strlen(d->label));
            bytebuf_put(out, &d->cost_s, sizeof d->cost_s);
            bytebuf_put_i64(out, d->nargs);
            for (int i = 0; i < d->nargs; i++) {
                const delayed_arg *a = &d->args[i];
                int64_t ref = -1;
                bytebuf_put_i64(out, a->kind);
                if (a->kind == TS_ARG_BYTES)
                    put_bytes(out, a->bytes, a->nbytes);
                else if (a->kind == TS_ARG_DELAYED && ptrmap_get(&index, a->task, &ref))
                    bytebuf_put_i64(out, ref);
                else if (a->kind == TS_ARG_ARRAY && ptrmap_get(&vals, a->array, &ref))
                    bytebuf_put_i64(out, ref);
                else
                    ok = false; /* order is not closed over its arguments */
            }
        }
        bytebuf_put_i64(out, ntargets);
        for (int i = 0; i < ntargets; i++) {
            int64_t ref = -1;
            ok = ok && ptrmap_get(&index, targets[i], &ref);
            bytebuf_put_i64(out, ref);
        }
    }
    free(kernel_of);
    free(ud_of);
    free(ud_first);
    free(names);
    ptrmap_fini(&index);
    ptrmap_fini(&uds);
    ptrmap_fini(&vals);
    if (!ok || out->failed)
        return err_set(err, out->failed || !kernel_of ? TS_ERR_MEMORY : TS_ERR_RUNTIME,
                       "cannot describe the delayed graph (%s)", out->failed ? "out of memory" : "internal");
    return TS_OK;
}
