/* reduce.c — making and combining partials. Sums of floats are pairwise
 * within a strip as NumPy's are (blocks of 128 with eight accumulators);
 * variance partials are (count, mean, M2) merged with Chan's formula; ints
 * sum and multiply in wrapping int64 like NumPy. */
#include "kernels/reduce.h"
#include "kernels/isa_clones.h"

#include <math.h>
#include <string.h>

void reduce_kind_init(reduce_kind *k, ts_reduce_op op, ts_dtype in)
{
    k->op = op;
    k->in = in;
    bool float_in = in == TS_FLOAT32 || in == TS_FLOAT64;
    switch (op) {
    case TS_VAR:
    case TS_STD:
        k->nfields = 3;
        k->int_values = false;
        break;
    case TS_ARGMIN:
    case TS_ARGMAX:
        k->nfields = 2;
        k->int_values = !float_in;
        break;
    case TS_MEAN:
        k->nfields = 1;
        k->int_values = false;
        break;
    case TS_ANY:
    case TS_ALL:
        k->nfields = 1;
        k->int_values = true;
        break;
    default: /* sum, prod, min, max */
        k->nfields = 1;
        k->int_values = !float_in;
        break;
    }
}

/* ---- loading one element as double or int64 ---- */

static inline double load_f(ts_dtype dt, const void *x, int64_t j)
{
    switch (dt) {
    case TS_BOOL: return ((const uint8_t *)x)[j];
    case TS_INT32: return ((const int32_t *)x)[j];
    case TS_INT64: return (double)((const int64_t *)x)[j];
    case TS_FLOAT32: return ((const float *)x)[j];
    default: return ((const double *)x)[j];
    }
}

static inline int64_t load_i(ts_dtype dt, const void *x, int64_t j)
{
    switch (dt) {
    case TS_BOOL: return ((const uint8_t *)x)[j];
    case TS_INT32: return ((const int32_t *)x)[j];
    case TS_INT64: return ((const int64_t *)x)[j];
    case TS_FLOAT32: return ((const float *)x)[j] != 0;
    default: return ((const double *)x)[j] != 0;
    }
}

/* ---- pairwise sums, NumPy's scheme ---- */

/* The leaf (at most 128 values, 8 independent accumulators) is what the
 * time goes into; it is built per ISA, and its sums do not depend on the
 * vector width. */
#define PAIRWISE_SUM(NAME, T)                                                                                \
    KERNEL_ISA_CLONES static double NAME##_leaf(const T *x, int64_t n)                                       \
    {                                                                                                        \
        if (n < 8) {                                                                                         \
            double s = 0.;                                                                                   \
            for (int64_t i = 0; i < n; i++)                                                                  \
                s += (double)x[i];                                                                           \
            return s;                                                                                        \
        }                                                                                                    \
        double r[8];                                                                                         \
        for (int j = 0; j < 8; j++)                                                                          \
            r[j] = (double)x[j];                                                                             \
        int64_t i;                                                                                           \
        for (i = 8; i < n - (n % 8); i += 8)                                                                 \
            for (int j = 0; j < 8; j++)                                                                      \
                r[j] += (double)x[i + j];                                                                    \
        double s = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));                        \
        for (; i < n; i++)                                                                                   \
            s += (double)x[i];                                                                               \
        return s;                                                                                            \
    }                                                                                                        \
    static double NAME(const T *x, int64_t n)                                                                \
    {                                                                                                        \
        if (n <= 128)                                                                                        \
            return NAME##_leaf(x, n);                                                                        \
        int64_t n2 = n / 2;                                                                                  \
        n2 -= n2 % 8;                                                                                        \
        return NAME(x, n2) + NAME(x + n2, n - n2);                                                           \
    }

PAIRWISE_SUM(pairwise_f64, double)
PAIRWISE_SUM(pairwise_f32, float)

static double strip_sum_f(ts_dtype dt, const void *x, int64_t n)
{
    if (dt == TS_FLOAT64)
        return pairwise_f64(x, n);
    if (dt == TS_FLOAT32)
        return pairwise_f32(x, n);
    double s = 0.;
    for (int64_t j = 0; j < n; j++)
        s += load_f(dt, x, j);
    return s;
}

/* Pairwise sum of squared deviations from mean, in blocks so it stays exact
 * in the same order every time. */
static double strip_m2(ts_dtype dt, const void *x, int64_t n, double mean)
{
    double block[128], total = 0.;
    int nb = 0;
    double partial[64];
    int64_t done = 0;
    while (done < n) {
        int64_t m = n - done < 128 ? n - done : 128;
        for (int64_t j = 0; j < m; j++) {
            double d = load_f(dt, x, done + j) - mean;
            block[j] = d * d;
        }
        partial[nb++] = pairwise_f64(block, m);
        done += m;
        if (nb == 64 || done == n) {
            total += pairwise_f64(partial, nb);
            nb = 0;
        }
    }
    return total;
}

/* ---- partial of a whole strip ---- */

static bool better(ts_reduce_op op, double cand, double cur)
{
    if (isnan(cur))
        return false;
    if (isnan(cand))
        return true;
    return op == TS_MIN || op == TS_ARGMIN ? cand < cur : cand > cur;
}

static bool better_i(ts_reduce_op op, int64_t cand, int64_t cur)
{
    return op == TS_MIN || op == TS_ARGMIN ? cand < cur : cand > cur;
}

void reduce_strip(const reduce_kind *k, const void *x, int64_t n, int64_t base, int istep, reduce_field *dst,
                  int64_t stride, int64_t at)
{
    reduce_field *f0 = dst + at, *f1 = dst + stride + at, *f2 = dst + 2 * stride + at;
    switch (k->op) {
    case TS_SUM:
    case TS_MEAN:
        if (k->int_values && k->op == TS_SUM) {
            uint64_t s = 0;
            for (int64_t j = 0; j < n; j++)
                s += (uint64_t)load_i(k->in, x, j);
            f0->i = (int64_t)s;
        } else {
            f0->f = strip_sum_f(k->in, x, n);
        }
        return;
    case TS_PROD:
        if (k->int_values) {
            uint64_t p = 1;
            for (int64_t j = 0; j < n; j++)
                p *= (uint64_t)load_i(k->in, x, j);
            f0->i = (int64_t)p;
        } else {
            double p = 1.;
            for (int64_t j = 0; j < n; j++)
                p *= load_f(k->in, x, j);
            f0->f = p;
        }
        return;
    case TS_MIN:
    case TS_MAX:
    case TS_ARGMIN:
    case TS_ARGMAX: {
        int64_t best = 0;
        if (k->int_values) {
            int64_t v = load_i(k->in, x, 0);
            for (int64_t j = 1; j < n; j++) {
                int64_t c = load_i(k->in, x, j);
                if (better_i(k->op, c, v)) {
                    v = c;
                    best = j;
                }
            }
            f0->i = v;
        } else {
            double v = load_f(k->in, x, 0);
            for (int64_t j = 1; j < n; j++) {
                double c = load_f(k->in, x, j);
                if (better(k->op, c, v)) {
                    v = c;
                    best = j;
                }
            }
            f0->f = v;
        }
        if (k->nfields == 2)
            f1->i = base + best * istep;
        return;
    }
    case TS_ANY:
    case TS_ALL: {
        bool want = k->op == TS_ANY;
        int64_t r = !want;
        for (int64_t j = 0; j < n; j++)
            if ((load_f(k->in, x, j) != 0) == want) {
                r = want;
                break;
            }
        f0->i = r;
        return;
    }
    default: { /* var, std */
        double mean = strip_sum_f(k->in, x, n) / (double)n;
        f0->f = (double)n;
        f1->f = mean;
        f2->f = strip_m2(k->in, x, n, mean);
        return;
    }
    }
}

void reduce_values(const reduce_kind *k, const void *x, int64_t n, int64_t base, int istep, reduce_field *dst,
                   int64_t stride, int64_t at)
{
    reduce_field *f0 = dst + at, *f1 = dst + stride + at, *f2 = dst + 2 * stride + at;
    if (k->op == TS_VAR || k->op == TS_STD) {
        for (int64_t j = 0; j < n; j++) {
            f0[j].f = 1.;
            f1[j].f = load_f(k->in, x, j);
            f2[j].f = 0.;
        }
        return;
    }
    if (k->op == TS_ANY || k->op == TS_ALL) {
        for (int64_t j = 0; j < n; j++)
            f0[j].i = load_f(k->in, x, j) != 0;
        return;
    }
    if (k->int_values) {
        for (int64_t j = 0; j < n; j++)
            f0[j].i = load_i(k->in, x, j);
    } else if (k->in == TS_FLOAT64) {
        const double *d = x;
        for (int64_t j = 0; j < n; j++)
            f0[j].f = d[j];
    } else {
        for (int64_t j = 0; j < n; j++)
            f0[j].f = load_f(k->in, x, j);
    }
    if (k->nfields == 2)
        for (int64_t j = 0; j < n; j++)
            f1[j].i = base + j * istep;
}

void reduce_combine(const reduce_kind *k, reduce_field *dst, int64_t dstride, const reduce_field *src,
                    int64_t sstride, int64_t n)
{
    reduce_field *d0 = dst, *d1 = dst + dstride, *d2 = dst + 2 * dstride;
    const reduce_field *s0 = src, *s1 = src + sstride, *s2 = src + 2 * sstride;
    switch (k->op) {
    case TS_SUM:
    case TS_MEAN:
        if (k->int_values && k->op == TS_SUM)
            for (int64_t i = 0; i < n; i++)
                d0[i].i = (int64_t)((uint64_t)d0[i].i + (uint64_t)s0[i].i);
        else
            for (int64_t i = 0; i < n; i++)
                d0[i].f += s0[i].f;
        return;
    case TS_PROD:
        if (k->int_values)
            for (int64_t i = 0; i < n; i++)
                d0[i].i = (int64_t)((uint64_t)d0[i].i * (uint64_t)s0[i].i);
        else
            for (int64_t i = 0; i < n; i++)
                d0[i].f *= s0[i].f;
        return;
    case TS_MIN:
    case TS_MAX:
    case TS_ARGMIN:
    case TS_ARGMAX:
        for (int64_t i = 0; i < n; i++) {
            bool take = k->int_values ? better_i(k->op, s0[i].i, d0[i].i) : better(k->op, s0[i].f, d0[i].f);
            /* Partials arrive in chunk order, which is not index order for
             * an N-d chunk grid: equal values go to the smaller index, as
             * NumPy returns the first occurrence. */
            if (!take && k->nfields == 2 && s1[i].i < d1[i].i)
                take = k->int_values ? s0[i].i == d0[i].i
                                     : (s0[i].f == d0[i].f || (isnan(s0[i].f) && isnan(d0[i].f)));
            if (take) {
                d0[i] = s0[i];
                if (k->nfields == 2)
                    d1[i] = s1[i];
            }
        }
        return;
    case TS_ANY:
        for (int64_t i = 0; i < n; i++)
            d0[i].i = d0[i].i | s0[i].i;
        return;
    case TS_ALL:
        for (int64_t i = 0; i < n; i++)
            d0[i].i = d0[i].i & s0[i].i;
        return;
    default: /* var, std: Chan et al. */
        for (int64_t i = 0; i < n; i++) {
            double na = d0[i].f, nb = s0[i].f, nn = na + nb;
            if (nb == 0)
                continue;
            if (na == 0) {
                d0[i] = s0[i];
                d1[i] = s1[i];
                d2[i] = s2[i];
                continue;
            }
            double delta = s1[i].f - d1[i].f;
            d1[i].f = d1[i].f + delta * (nb / nn);
            d2[i].f = d2[i].f + s2[i].f + delta * delta * (na * nb / nn);
            d0[i].f = nn;
        }
        return;
    }
}

void reduce_identity(const reduce_kind *k, reduce_field *dst, int64_t stride, int64_t n)
{
    for (int f = 0; f < k->nfields; f++)
        for (int64_t i = 0; i < n; i++) {
            reduce_field *e = dst + f * stride + i;
            if (k->op == TS_PROD)
                *e = k->int_values ? (reduce_field){.i = 1} : (reduce_field){.f = 1.};
            else if (k->op == TS_ALL)
                e->i = 1;
            else if (k->int_values || k->op == TS_ANY)
                e->i = 0;
            else
                e->f = 0.;
        }
}

static void store(ts_dtype out, void *dst, int64_t i, double f, int64_t v, bool is_int)
{
    switch (out) {
    case TS_BOOL: ((uint8_t *)dst)[i] = is_int ? v != 0 : f != 0; break;
    case TS_INT32: ((int32_t *)dst)[i] = (int32_t)v; break;
    case TS_INT64: ((int64_t *)dst)[i] = v; break;
    case TS_FLOAT32: ((float *)dst)[i] = is_int ? (float)v : (float)f; break;
    default: ((double *)dst)[i] = is_int ? (double)v : f; break;
    }
}

void reduce_finalize(const reduce_kind *k, const reduce_field *src, int64_t stride, int64_t n, int64_t count,
                     int ddof, ts_dtype out, void *dst)
{
    const reduce_field *s0 = src, *s1 = src + stride, *s2 = src + 2 * stride;
    for (int64_t i = 0; i < n; i++) {
        switch (k->op) {
        case TS_MEAN: store(out, dst, i, s0[i].f / (double)count, 0, false); break;
        case TS_VAR:
        case TS_STD: {
            double dof = s0[i].f - ddof;
            double var = s2[i].f / (dof > 0 ? dof : 0.);
            store(out, dst, i, k->op == TS_STD ? sqrt(var) : var, 0, false);
            break;
        }
        case TS_ARGMIN:
        case TS_ARGMAX: store(out, dst, i, 0., s1[i].i, true); break;
        default: store(out, dst, i, s0[i].f, s0[i].i, k->int_values); break;
        }
    }
}

int reduce_set_add(reduce_set *set, ts_reduce_op op, ts_dtype in)
{
    if (set->nkinds == REDUCE_SET_MAX)
        return -1;
    int j = set->nkinds++;
    reduce_kind_init(&set->kinds[j], op, in);
    set->field0[j] = set->nfields;
    set->nfields += set->kinds[j].nfields;
    return j;
}

void reduce_set_combine(const reduce_set *set, reduce_field *dst, int64_t dstride, const reduce_field *src,
                        int64_t sstride, int64_t n)
{
    for (int j = 0; j < set->nkinds; j++)
        reduce_combine(&set->kinds[j], dst + set->field0[j] * dstride, dstride,
                       src + set->field0[j] * sstride, sstride, n);
}

void reduce_set_identity(const reduce_set *set, reduce_field *dst, int64_t stride, int64_t n)
{
    for (int j = 0; j < set->nkinds; j++)
        reduce_identity(&set->kinds[j], dst + set->field0[j] * stride, stride, n);
}
