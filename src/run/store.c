/* store.c — deep copies and the wire format of store lists. */
#include "run/store.h"

#include <stdlib.h>
#include <string.h>

static char *dup_or_null(const char *s) { return s ? strdup(s) : NULL; }

static void spec_fini(store_spec *s)
{
    h5_target *t = &s->h5;
    free((char *)t->path);
    free((char *)t->dataset);
    for (int i = 0; i < t->nattrs; i++) {
        free((char *)t->attrs[i].name);
        free((char *)t->attrs[i].s);
    }
    free((h5_attr *)t->attrs);
    if (t->dims)
        for (int d = 0; d < t->ndim; d++)
            free((char *)t->dims[d]);
    free((char **)t->dims);
}

bool store_list_add(store_list *l, int target, const h5_target *h5)
{
    store_spec *nv = realloc(l->v, (size_t)(l->n + 1) * sizeof *nv);
    if (!nv)
        return false;
    l->v = nv;
    store_spec *s = &l->v[l->n++];
    *s = (store_spec){.target = target, .h5 = *h5};
    h5_target *t = &s->h5;
    t->path = dup_or_null(h5->path);
    t->dataset = dup_or_null(h5->dataset);
    h5_attr *attrs = calloc((size_t)(h5->nattrs ? h5->nattrs : 1), sizeof *attrs);
    char **dims = h5->dims ? calloc((size_t)(h5->ndim ? h5->ndim : 1), sizeof *dims) : NULL;
    t->attrs = attrs;
    t->dims = (const char *const *)dims;
    bool ok = t->path && t->dataset && attrs && (!h5->dims || dims);
    for (int i = 0; ok && i < h5->nattrs; i++) {
        attrs[i] = h5->attrs[i];
        attrs[i].name = dup_or_null(h5->attrs[i].name);
        attrs[i].s = dup_or_null(h5->attrs[i].s);
        ok = attrs[i].name && (!h5->attrs[i].s || attrs[i].s);
    }
    for (int d = 0; ok && dims && d < h5->ndim; d++)
        ok = (dims[d] = dup_or_null(h5->dims[d])) != NULL;
    if (!ok) {
        t->nattrs = h5->nattrs;
        spec_fini(s);
        l->n--;
    }
    return ok;
}

void store_list_fini(store_list *l)
{
    for (int i = 0; i < l->n; i++)
        spec_fini(&l->v[i]);
    free(l->v);
    *l = (store_list){0};
}

static void put_str(bytebuf *b, const char *s)
{
    int64_t n = s ? (int64_t)strlen(s) : -1;
    bytebuf_put_i64(b, n);
    if (n > 0)
        bytebuf_put(b, s, (size_t)n);
}

static const char *get_str(bytereader *r, bool *ok)
{
    int64_t n = bytereader_i64(r);
    if (n < 0)
        return NULL;
    const char *src = bytereader_skip(r, (size_t)n);
    char *s = src ? malloc((size_t)n + 1) : NULL;
    if (!s) {
        *ok = false;
        return NULL;
    }
    memcpy(s, src, (size_t)n);
    s[n] = '\0';
    return s;
}

void store_list_serialize(const store_list *l, bytebuf *b)
{
    bytebuf_put_i64(b, l->n);
    for (int i = 0; i < l->n; i++) {
        const h5_target *t = &l->v[i].h5;
        int64_t hdr[8] = {l->v[i].target, t->dtype,  t->ndim,    t->overwrite,
                          t->gzip_level,  t->nattrs, t->nrecord, t->resume};
        bytebuf_put(b, hdr, sizeof hdr);
        put_str(b, t->path);
        put_str(b, t->dataset);
        bytebuf_put(b, t->shape, (size_t)t->ndim * sizeof(int64_t));
        bytebuf_put(b, t->chunk, (size_t)t->ndim * sizeof(int64_t));
        for (int a = 0; a < t->nattrs; a++) {
            const h5_attr *at = &t->attrs[a];
            int64_t k[2] = {at->kind, at->i};
            bytebuf_put(b, k, sizeof k);
            bytebuf_put(b, &at->f, sizeof at->f);
            put_str(b, at->name);
            put_str(b, at->s);
        }
        bytebuf_put_i64(b, t->dims != NULL);
        for (int d = 0; t->dims && d < t->ndim; d++)
            put_str(b, t->dims[d]);
    }
}

ts_status store_list_deserialize(bytereader *r, store_list *l, ts_err *err)
{
    *l = (store_list){0};
    int64_t n = bytereader_i64(r);
    bool ok = !r->failed && n >= 0 && n < (1 << 20);
    for (int64_t i = 0; ok && i < n; i++) {
        int64_t hdr[8];
        bytereader_get(r, hdr, sizeof hdr);
        if (hdr[2] < 0 || hdr[2] > TS_MAXDIM || hdr[5] < 0 || hdr[5] > 4096 || hdr[6] < 0) {
            ok = false;
            break;
        }
        h5_target t = {.dtype = (ts_dtype)hdr[1],
                       .ndim = (int)hdr[2],
                       .overwrite = hdr[3] != 0,
                       .gzip_level = (int)hdr[4],
                       .nattrs = (int)hdr[5],
                       .nrecord = hdr[6],
                       .resume = hdr[7] != 0};
        char *path = (char *)get_str(r, &ok), *dataset = (char *)get_str(r, &ok);
        t.path = path;
        t.dataset = dataset;
        bytereader_get(r, t.shape, (size_t)t.ndim * sizeof(int64_t));
        bytereader_get(r, t.chunk, (size_t)t.ndim * sizeof(int64_t));
        h5_attr *attrs = calloc((size_t)(t.nattrs ? t.nattrs : 1), sizeof *attrs);
        ok = ok && attrs;
        for (int a = 0; ok && a < t.nattrs; a++) {
            int64_t k[2];
            bytereader_get(r, k, sizeof k);
            attrs[a].kind = (int)k[0];
            attrs[a].i = k[1];
            bytereader_get(r, &attrs[a].f, sizeof attrs[a].f);
            attrs[a].name = get_str(r, &ok);
            attrs[a].s = get_str(r, &ok);
        }
        t.attrs = attrs;
        char *dims[TS_MAXDIM] = {0};
        bool has_dims = bytereader_i64(r) != 0;
        for (int d = 0; ok && has_dims && d < t.ndim; d++)
            dims[d] = (char *)get_str(r, &ok);
        t.dims = has_dims ? (const char *const *)dims : NULL;
        ok = ok && !r->failed && path && dataset && store_list_add(l, (int)hdr[0], &t);
        /* store_list_add copied everything; free the read copies. */
        free(path);
        free(dataset);
        for (int a = 0; attrs && a < t.nattrs; a++) {
            free((char *)attrs[a].name);
            free((char *)attrs[a].s);
        }
        free(attrs);
        for (int d = 0; d < TS_MAXDIM; d++)
            free(dims[d]);
    }
    if (!ok) {
        store_list_fini(l);
        return err_set(err, TS_ERR_RUNTIME, "corrupt store message");
    }
    return TS_OK;
}
