/* chunks.c — Dask 2022.12's normalize_chunks, auto_chunks and common_blockdim
 * in C. A spec is first checked and reduced to one "plan" per axis (a block
 * size, an explicit list, or auto), auto axes then get a block size, and
 * finally each axis is expanded into sizes that add up to its length. The
 * floating-point steps of auto_chunks are done in the same order as Dask so
 * that the answers agree to the element (tests/unit/chunks_dask_table.h). */
#include "array/chunks.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

_Static_assert(TS_MAXDIM <= 32, "keep_axes is a 32-bit mask");

/* Dask's auto rule with previous chunks loops "while things change"; it
 * settles in a few rounds, and this bound only stops a pathological float
 * oscillation that would make Dask loop forever. */
#define PREVIOUS_MAX_ROUNDS 1000

typedef enum {
    PLAN_AUTO,
    PLAN_SIZE,
    PLAN_LIST
} plan_kind;

/* One axis between checking and expanding: a block size, or borrowed
 * explicit sizes (the user's, or previous chunks kept by rechunk). */
typedef struct axis_plan {
    plan_kind kind;
    int64_t size;
    const int64_t *sizes;
    int64_t nsizes;
} axis_plan;

/* ------------------------------------------------------------ messages */

/* Appends to buf like snprintf, but never past cap, so calls can chain. */
static size_t append(char *buf, size_t cap, size_t len, const char *text, long long v, bool with_value)
{
    if (len >= cap)
        return len;
    int k = with_value ? snprintf(buf + len, cap - len, text, v) : snprintf(buf + len, cap - len, "%s", text);
    return k < 0 ? len : len + (size_t)k;
}

/* Writes sizes as a Python tuple, "(5,)" or "(100, 50)", eliding the middle
 * of long lists so messages stay readable: "(1, 1, 1, 1, 1, 1, ..., 1)". */
static void fmt_tuple(char *buf, size_t cap, const int64_t *v, int64_t n)
{
    size_t len = append(buf, cap, 0, "(", 0, false);
    for (int64_t i = 0; i < n; i++) {
        if (n > 8 && i == 6) {
            len = append(buf, cap, len, "..., ", 0, false);
            i = n - 1;
        }
        len = append(buf, cap, len, "%lld", (long long)v[i], true);
        len = append(buf, cap, len, n == 1 ? "," : i + 1 < n ? ", " : "", 0, false);
    }
    append(buf, cap, len, ")", 0, false);
}

/* ------------------------------------------------------------ checking */

static ts_status check_list(const int64_t *v, int64_t n, int axis, int64_t length, bool allow_zeros,
                            ts_err *err)
{
    char tup[256];
    if (n < 1 || !v)
        return err_set(err, TS_ERR_CHUNKS,
                       "chunks on axis %d are an empty list; expected sizes that add up to the axis "
                       "length %lld (an axis of length 0 is written (0,))",
                       axis, (long long)length);
    int64_t sum = 0;
    bool overflow = false;
    for (int64_t i = 0; i < n; i++) {
        if (v[i] < 0 || (v[i] == 0 && length > 0 && !allow_zeros))
            fmt_tuple(tup, sizeof tup, v, n);
        if (v[i] < 0)
            return err_set(err, TS_ERR_CHUNKS,
                           "chunks %s on axis %d have the negative size %lld at position %lld; "
                           "block sizes must be positive",
                           tup, axis, (long long)v[i], (long long)i);
        if (v[i] == 0 && length > 0 && !allow_zeros)
            return err_set(err, TS_ERR_CHUNKS,
                           "chunks %s on axis %d have a zero size at position %lld; block sizes "
                           "must be positive (0 only on an axis of length 0)",
                           tup, axis, (long long)i);
        overflow = overflow || __builtin_add_overflow(sum, v[i], &sum);
    }
    if (overflow || sum != length) {
        fmt_tuple(tup, sizeof tup, v, n);
        if (overflow)
            return err_set(err, TS_ERR_CHUNKS,
                           "chunks %s do not add up to axis %d of length %lld: sizes sum to more "
                           "than %lld",
                           tup, axis, (long long)length, (long long)INT64_MAX);
        return err_set(err, TS_ERR_CHUNKS,
                       "chunks %s do not add up to axis %d of length %lld: sizes sum to %lld", tup, axis,
                       (long long)length, (long long)sum);
    }
    return TS_OK;
}

/* Reduces axis d of the spec to a plan; FULL and -1 become the axis length,
 * as Dask substitutes them before anything else. */
static ts_status plan_axis(const ts_chunkspec *spec, bool keep, const chunks_axis *previous, int d,
                           int64_t length, axis_plan *p, ts_err *err)
{
    if (keep) {
        *p = (axis_plan){PLAN_LIST, 0, previous[d].sizes, previous[d].n};
        return check_list(p->sizes, p->nsizes, d, length, true, err);
    }
    if (!spec || spec->naxes == 0) {
        *p = (axis_plan){PLAN_AUTO, 0, NULL, 0};
        return TS_OK;
    }
    const ts_axis_chunks *a = &spec->axis[d];
    switch (a->kind) {
    case TS_CHUNK_AUTO: *p = (axis_plan){PLAN_AUTO, 0, NULL, 0}; return TS_OK;
    case TS_CHUNK_FULL: *p = (axis_plan){PLAN_SIZE, length, NULL, 0}; return TS_OK;
    case TS_CHUNK_SIZE:
        if (a->size == -1) {
            *p = (axis_plan){PLAN_SIZE, length, NULL, 0};
            return TS_OK;
        }
        if (a->size < 0 || (a->size == 0 && length > 0))
            return err_set(err, TS_ERR_CHUNKS,
                           "chunk size %lld on axis %d must be positive (or -1 for the whole axis); "
                           "the axis has length %lld",
                           (long long)a->size, d, (long long)length);
        *p = (axis_plan){PLAN_SIZE, a->size, NULL, 0};
        return TS_OK;
    case TS_CHUNK_LIST:
        *p = (axis_plan){PLAN_LIST, 0, a->sizes, a->nsizes};
        return check_list(a->sizes, a->nsizes, d, length, false, err);
    case TS_CHUNK_KEEP:
        /* Only a rechunk has chunks to keep; creation has none. */
        if (!previous || previous[d].n == 0)
            return err_set(err, TS_ERR_CHUNKS,
                           "chunks on axis %d say 'keep', but there are no chunks to keep", d);
        *p = (axis_plan){PLAN_LIST, 0, previous[d].sizes, previous[d].n};
        return check_list(p->sizes, p->nsizes, d, length, true, err);
    }
    return err_set(err, TS_ERR_ARG, "unknown chunk kind %d on axis %d", (int)a->kind, d);
}

static ts_status check_args(const ts_chunkspec *spec, uint32_t keep_axes, int ndim, const int64_t *shape,
                            const chunks_axis *previous, ts_err *err)
{
    if (ndim < 0 || ndim > TS_MAXDIM)
        return err_set(err, TS_ERR_ARG, "ndim %d is out of range 0..%d", ndim, TS_MAXDIM);
    for (int d = 0; d < ndim; d++)
        if (shape[d] < 0)
            return err_set(err, TS_ERR_ARG, "axis %d has the negative length %lld", d, (long long)shape[d]);
    if (spec && spec->naxes != 0 && spec->naxes != ndim)
        return err_set(err, TS_ERR_CHUNKS,
                       "chunks give %d axes but the array has %d dimensions; expected one entry per "
                       "axis, or none for \"auto\" everywhere",
                       spec->naxes, ndim);
    if (ndim < 32 && (keep_axes >> ndim) != 0)
        return err_set(err, TS_ERR_ARG, "keep_axes 0x%x names axes beyond the %d of the array",
                       (unsigned)keep_axes, ndim);
    if (keep_axes && !previous)
        return err_set(err, TS_ERR_ARG, "keep_axes 0x%x asks for previous chunks but none were given",
                       (unsigned)keep_axes);
    for (int d = 0; previous && d < ndim; d++)
        if (previous[d].n < 1 || !previous[d].sizes)
            return err_set(err, TS_ERR_ARG, "previous chunks of axis %d are empty", d);
    return TS_OK;
}

/* --------------------------------------------------------------- auto */

/* Product of the block extents of the non-auto axes (Dask's largest_block:
 * a size as given, the largest of a list). A double is exact below 2^53
 * elements per block; above that every auto axis gets 1 anyway. */
static double largest_block(const axis_plan *p, int ndim)
{
    double prod = 1.0;
    for (int d = 0; d < ndim; d++) {
        if (p[d].kind == PLAN_SIZE)
            prod *= (double)p[d].size;
        else if (p[d].kind == PLAN_LIST) {
            int64_t m = p[d].sizes[0];
            for (int64_t i = 1; i < p[d].nsizes; i++)
                m = p[d].sizes[i] > m ? p[d].sizes[i] : m;
            prod *= (double)m;
        }
    }
    return prod;
}

/* Dask divides by zero when a non-auto axis has extent 0 (the array is
 * empty); tessera gives each remaining auto axis one block instead, which
 * is what Dask answers for the empty arrays it does not crash on. */
static void autos_to_full(axis_plan *p, int ndim, const int64_t *shape)
{
    for (int d = 0; d < ndim; d++)
        if (p[d].kind == PLAN_AUTO)
            p[d] = (axis_plan){PLAN_SIZE, shape[d], NULL, 0};
}

/* Python's float floor division, which Dask's round_to uses, for the
 * positive operands it gets there (it corrects fmod's quotient, which can be
 * one off from floor(a / b) after rounding). */
static double py_floordiv(double a, double b)
{
    double div = (a - fmod(a, b)) / b;
    double fl = floor(div);
    return div - fl > 0.5 ? fl + 1.0 : fl;
}

/* Dask's round_to: c itself (at least 1) if it fits in s, else the largest
 * multiple of s not above c. */
static double round_to(double c, double s)
{
    if (c <= s)
        return fmax(1.0, trunc(c));
    return py_floordiv(c, s) * s;
}

/* Without previous chunks: all auto axes get the same size, the root of the
 * element budget left by the other axes; axes shorter than that take their
 * whole length and the budget is recomputed for the rest.
 * Example: 1000^3 float64 and 128 MiB: (2^27 / 8)^(1/3) = 256.0, minus
 * rounding 255.99..., so blocks of 255 and a last block of 235. */
static void auto_square(axis_plan *p, int ndim, const int64_t *shape, double limit, size_t itemsize)
{
    for (;;) {
        int nauto = 0;
        for (int d = 0; d < ndim; d++)
            nauto += p[d].kind == PLAN_AUTO;
        if (nauto == 0)
            return;
        double lb = largest_block(p, ndim);
        if (lb == 0.0) {
            autos_to_full(p, ndim, shape);
            return;
        }
        double size = pow(limit / (double)itemsize / lb, 1.0 / nauto);
        bool small = false;
        for (int d = 0; d < ndim; d++)
            if (p[d].kind == PLAN_AUTO && (double)shape[d] < size) {
                p[d] = (axis_plan){PLAN_SIZE, shape[d], NULL, 0};
                small = true;
            }
        if (small)
            continue;
        for (int d = 0; d < ndim; d++)
            if (p[d].kind == PLAN_AUTO)
                p[d] = (axis_plan){PLAN_SIZE, (int64_t)round_to(size, (double)shape[d]), NULL, 0};
        return;
    }
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* First index in sorted s[0..n) whose value is not below v (above_v:
 * strictly above v), so a value's count is two searches, not a scan. */
static int64_t bound(const int64_t *s, int64_t n, int64_t v, bool above_v)
{
    int64_t lo = 0, hi = n;
    while (lo < hi) {
        int64_t mid = lo + (hi - lo) / 2;
        if (s[mid] < v || (above_v && s[mid] == v))
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* np.median of the previous chunks, and Dask's "ideal" extent: the most
 * frequent size (the first to appear among equals) if it is above 1 and
 * covers at least half the blocks, else the axis length. */
static ts_status previous_stats(const chunks_axis *prev, int64_t length, double *median, int64_t *ideal,
                                ts_err *err)
{
    int64_t n = prev->n;
    int64_t *s = (uint64_t)n <= SIZE_MAX / sizeof *s ? malloc((size_t)n * sizeof *s) : NULL;
    if (!s)
        return err_set(err, TS_ERR_MEMORY, "out of memory reading %lld previous chunk sizes", (long long)n);
    memcpy(s, prev->sizes, (size_t)n * sizeof *s);
    qsort(s, (size_t)n, sizeof *s, cmp_i64);
    *median = n % 2 ? (double)s[n / 2] : ((double)s[n / 2 - 1] + (double)s[n / 2]) / 2.0;
    int64_t best = 0, mode = 0;
    for (int64_t i = 0, j; i < n; i = j) {
        j = bound(s, n, s[i], true);
        best = j - i > best ? j - i : best;
    }
    /* Dask's max() over a dict in order of first appearance keeps the
     * first size that reaches the top count. */
    for (int64_t i = 0; i < n; i++) {
        int64_t v = prev->sizes[i];
        if (bound(s, n, v, true) - bound(s, n, v, false) == best) {
            mode = v;
            break;
        }
    }
    free(s);
    *ideal = mode > 1 && (double)best >= (double)n / 2.0 ? mode : length;
    return TS_OK;
}

/* Dask's _compute_multiplier: how much bigger the auto blocks may grow. */
static double multiplier(double limit, size_t itemsize, double lb, const double *result, uint32_t in_result,
                         int ndim)
{
    double prod = 1.0;
    for (int d = 0; d < ndim; d++)
        if ((in_result >> d & 1u) && result[d] != 0.0)
            prod *= result[d];
    return limit / (double)itemsize / lb / prod;
}

/* With previous chunks: each auto axis starts from the median previous
 * block and all grow by the same factor until the byte budget is met,
 * rounded to multiples of the previous typical block; an axis that would
 * outgrow its length takes the whole axis. */
static ts_status auto_previous(axis_plan *p, int ndim, const int64_t *shape, double limit, size_t itemsize,
                               const chunks_axis *previous, ts_err *err)
{
    double result[TS_MAXDIM] = {0};
    int64_t ideal[TS_MAXDIM] = {0};
    uint32_t autos = 0;
    for (int d = 0; d < ndim; d++) {
        if (p[d].kind != PLAN_AUTO)
            continue;
        autos |= 1u << d;
        ts_status st = previous_stats(&previous[d], shape[d], &result[d], &ideal[d], err);
        if (st != TS_OK)
            return st;
    }
    uint32_t in_result = autos;
    double lb = largest_block(p, ndim);
    double mult = lb == 0.0 ? 0.0 : multiplier(limit, itemsize, lb, result, in_result, ndim);
    double last_mult = 0.0;
    uint32_t last_autos = 0;
    for (int round = 0;
         lb != 0.0 && (mult != last_mult || autos != last_autos) && round < PREVIOUS_MAX_ROUNDS; round++) {
        last_mult = mult;
        last_autos = autos;
        for (int d = 0; d < ndim; d++) {
            if (!(last_autos >> d & 1u))
                continue;
            if (ideal[d] == 0) {
                result[d] = 0.0;
                continue;
            }
            double proposed = result[d] * pow(mult, 1.0 / __builtin_popcount(autos));
            if (proposed > (double)shape[d]) {
                autos &= ~(1u << d);
                in_result &= ~(1u << d);
                lb *= (double)shape[d];
                p[d] = (axis_plan){PLAN_SIZE, shape[d], NULL, 0};
            } else {
                result[d] = round_to(proposed, (double)ideal[d]);
            }
        }
        if (lb != 0.0)
            mult = multiplier(limit, itemsize, lb, result, in_result, ndim);
    }
    if (lb == 0.0) {
        autos_to_full(p, ndim, shape);
        return TS_OK;
    }
    for (int d = 0; d < ndim; d++)
        if (in_result >> d & 1u)
            p[d] = (axis_plan){PLAN_SIZE, (int64_t)result[d], NULL, 0};
    return TS_OK;
}

static ts_status resolve_autos(axis_plan *p, int ndim, const int64_t *shape, int64_t limit_nbytes,
                               size_t itemsize, const chunks_axis *previous, ts_err *err)
{
    int first_auto = -1;
    for (int d = ndim - 1; d >= 0; d--)
        if (p[d].kind == PLAN_AUTO)
            first_auto = d;
    if (first_auto < 0)
        return TS_OK;
    if (itemsize == 0)
        return err_set(err, TS_ERR_CHUNKS,
                       "\"auto\" chunks on axis %d need the element size, but the itemsize is 0; give "
                       "the chunks explicitly",
                       first_auto);
    double limit = (double)(limit_nbytes > 1 ? limit_nbytes : 1);
    if (previous && ndim > 0)
        return auto_previous(p, ndim, shape, limit, itemsize, previous, err);
    auto_square(p, ndim, shape, limit, itemsize);
    return TS_OK;
}

/* ----------------------------------------------------------- expanding */

static ts_status alloc_sizes(chunks_axis *out, int64_t n, ts_err *err)
{
    if ((uint64_t)n > SIZE_MAX / sizeof(int64_t) || !(out->sizes = malloc((size_t)n * sizeof(int64_t))))
        return err_set(err, TS_ERR_MEMORY, "out of memory for %lld chunk sizes", (long long)n);
    out->n = n;
    return TS_OK;
}

/* Blocks of `size` and a shorter last one; an empty axis is (0,).
 * Example: length 10, size 4 -> (4, 4, 2). */
static ts_status expand_axis(const axis_plan *p, int64_t length, chunks_axis *out, ts_err *err)
{
    if (p->kind == PLAN_LIST) {
        ts_status st = alloc_sizes(out, p->nsizes, err);
        if (st == TS_OK)
            memcpy(out->sizes, p->sizes, (size_t)p->nsizes * sizeof(int64_t));
        return st;
    }
    int64_t bs = p->size;
    int64_t n = length == 0 ? 1 : length / bs + (length % bs != 0);
    ts_status st = alloc_sizes(out, n, err);
    if (st != TS_OK)
        return st;
    for (int64_t i = 0; i < n; i++)
        out->sizes[i] = length == 0 ? 0 : i + 1 < n ? bs : length - bs * (n - 1);
    return TS_OK;
}

/* -------------------------------------------------------------- public */

void chunks_axis_free(chunks_axis *axes, int ndim)
{
    if (!axes)
        return;
    for (int d = 0; d < ndim; d++) {
        free(axes[d].sizes);
        axes[d].sizes = NULL;
        axes[d].n = 0;
    }
}

ts_status chunks_axis_single(int64_t len, chunks_axis *out, ts_err *err)
{
    out->n = 1;
    out->sizes = malloc(sizeof(int64_t));
    if (!out->sizes)
        return err_set(err, TS_ERR_MEMORY, "out of memory");
    out->sizes[0] = len;
    return TS_OK;
}

ts_status chunks_axis_copy(const chunks_axis *src, chunks_axis *out, ts_err *err)
{
    out->n = src->n;
    out->sizes = malloc((size_t)(src->n ? src->n : 1) * sizeof(int64_t));
    if (!out->sizes)
        return err_set(err, TS_ERR_MEMORY, "out of memory");
    if (src->n > 0) /* an empty axis may have no sizes array at all */
        memcpy(out->sizes, src->sizes, (size_t)src->n * sizeof(int64_t));
    return TS_OK;
}

ts_status chunks_normalize_keep(const ts_chunkspec *spec, uint32_t keep_axes, int ndim, const int64_t *shape,
                                size_t itemsize, int64_t default_limit_nbytes, const chunks_axis *previous,
                                chunks_axis *out, ts_err *err)
{
    for (int d = 0; d < ndim && d < TS_MAXDIM; d++)
        out[d] = (chunks_axis){0, NULL};
    ts_status st = check_args(spec, keep_axes, ndim, shape, previous, err);
    if (st != TS_OK)
        return st;
    axis_plan plan[TS_MAXDIM];
    for (int d = 0; d < ndim && st == TS_OK; d++)
        st = plan_axis(spec, keep_axes >> d & 1u, previous, d, shape[d], &plan[d], err);
    int64_t limit = spec && spec->limit_nbytes != 0 ? spec->limit_nbytes
                    : default_limit_nbytes != 0     ? default_limit_nbytes
                                                    : CHUNKS_DEFAULT_LIMIT_NBYTES;
    if (st == TS_OK)
        st = resolve_autos(plan, ndim, shape, limit, itemsize, previous, err);
    for (int d = 0; d < ndim && st == TS_OK; d++)
        st = expand_axis(&plan[d], shape[d], &out[d], err);
    if (st != TS_OK)
        chunks_axis_free(out, ndim);
    return st;
}

ts_status chunks_normalize(const ts_chunkspec *spec, int ndim, const int64_t *shape, size_t itemsize,
                           int64_t default_limit_nbytes, const chunks_axis *previous, chunks_axis *out,
                           ts_err *err)
{
    return chunks_normalize_keep(spec, 0, ndim, shape, itemsize, default_limit_nbytes, previous, out, err);
}

/* --------------------------------------------------------- refinement */

static bool same_axis(const chunks_axis *a, const chunks_axis *b)
{
    return a->n == b->n && memcmp(a->sizes, b->sizes, (size_t)a->n * sizeof(int64_t)) == 0;
}

static ts_status check_inputs(int nin, const chunks_axis *in, int64_t *total, int64_t *nsum, ts_err *err)
{
    if (nin < 1)
        return err_set(err, TS_ERR_ARG, "the common refinement needs at least one chunking, got %d", nin);
    *nsum = 0;
    for (int k = 0; k < nin; k++) {
        if (in[k].n < 1 || !in[k].sizes)
            return err_set(err, TS_ERR_ARG, "chunking %d of the common refinement has no blocks", k);
        int64_t sum = 0;
        for (int64_t i = 0; i < in[k].n; i++)
            if (in[k].sizes[i] < 0 || __builtin_add_overflow(sum, in[k].sizes[i], &sum))
                return err_set(err, TS_ERR_ARG, "chunking %d of the common refinement has a bad size %lld", k,
                               (long long)in[k].sizes[i]);
        if (k == 0)
            *total = sum;
        if (sum != *total) {
            char t0[256], tk[256];
            fmt_tuple(t0, sizeof t0, in[0].sizes, in[0].n);
            fmt_tuple(tk, sizeof tk, in[k].sizes, in[k].n);
            return err_set(err, TS_ERR_CHUNKS,
                           "chunks %s and %s cannot be aligned: they cover lengths %lld and %lld, "
                           "expected the same axis length",
                           t0, tk, (long long)*total, (long long)sum);
        }
        *nsum += in[k].n;
    }
    return TS_OK;
}

/* Walks all multi-block inputs together, emitting the smallest remaining
 * head each time, as Dask does (it stops once the axis is covered, so
 * trailing zero-size blocks are dropped).
 * Example: (3, 3) and (2, 4): heads 3,2 -> 2; 1,4 -> 1; 3,3 -> 3. */
static void walk(int nin, const chunks_axis *in, int64_t total, int64_t *pos, int64_t *head, chunks_axis *out)
{
    for (int k = 0; k < nin; k++) {
        pos[k] = 0;
        head[k] = in[k].sizes[0];
    }
    int64_t done = 0;
    out->n = 0;
    while (done < total) {
        int64_t m = INT64_MAX;
        for (int k = 0; k < nin; k++)
            if (in[k].n > 1 && head[k] < m)
                m = head[k];
        out->sizes[out->n++] = m;
        for (int k = 0; k < nin; k++) {
            if (in[k].n <= 1)
                continue;
            head[k] -= m;
            if (head[k] == 0 && ++pos[k] < in[k].n)
                head[k] = in[k].sizes[pos[k]];
        }
        done += m;
    }
}

ts_status chunks_common_refinement(int nin, const chunks_axis *in, chunks_axis *out, ts_err *err)
{
    int64_t total = 0, nsum = 0;
    *out = (chunks_axis){0, NULL};
    ts_status st = check_inputs(nin, in, &total, &nsum, err);
    if (st != TS_OK)
        return st;
    int multi = -1;
    bool several = false;
    for (int k = 0; k < nin; k++)
        if (in[k].n > 1) {
            several = several || (multi >= 0 && !same_axis(&in[multi], &in[k]));
            multi = multi < 0 ? k : multi;
        }
    if (!several) {
        const chunks_axis *src = &in[multi < 0 ? 0 : multi];
        st = alloc_sizes(out, src->n, err);
        if (st == TS_OK)
            memcpy(out->sizes, src->sizes, (size_t)src->n * sizeof(int64_t));
        return st;
    }
    /* One allocation: the walk emits at most one block per input block, and
     * its cursors (position and head of each input) live past the end. */
    st = alloc_sizes(out, nsum + 2 * (int64_t)nin, err);
    if (st != TS_OK)
        return st;
    walk(nin, in, total, out->sizes + nsum, out->sizes + nsum + nin, out);
    return TS_OK;
}
