/* rng.c — the range driver behind rng.h: maps elements [first, first+n) to
 * Philox counters, generates whole counters in blocks straight into the
 * output, and finishes a half-used counter at either end through a
 * two-element scratch. Invariant: an element's value never depends on where
 * the range or a block starts, so any split of a range gives the same bits.
 *
 * Worked example, first = 5, n = 6 (elements 5..10):
 *   counter 2 -> elements 4, 5   head: only element 5 is wanted (word w1)
 *   counters 3, 4 -> 6..9        middle: written in place at out[1..4]
 *   counter 5 -> elements 10, 11 tail: only element 10 is wanted (word w0) */
#include "kernels/rng.h"
#include "kernels/rng_parts.h"

#include <string.h>

/* GCC 12 knows the x86-64 levels by name; clang before 16 (the fuzz
 * build's clang 14) does not, so there the features that set the AVX2 and
 * AVX-512 kernels apart are asked one by one (every CPU that has them also
 * has the levels' minor ones: LZCNT, MOVBE, F16C). */
#if defined(__clang__) && __clang_major__ < 16
#define CPU_HAS_V3()                                                                                         \
    (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") && __builtin_cpu_supports("bmi") &&     \
     __builtin_cpu_supports("bmi2"))
#define CPU_HAS_V4()                                                                                         \
    (CPU_HAS_V3() && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") &&              \
     __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl") &&                             \
     __builtin_cpu_supports("avx512cd"))
#else
#define CPU_HAS_V3() __builtin_cpu_supports("x86-64-v3")
#define CPU_HAS_V4() __builtin_cpu_supports("x86-64-v4")
#endif

rng_isa rng_isa_best(void)
{
    if (CPU_HAS_V4())
        return RNG_ISA_AVX512;
    if (CPU_HAS_V3())
        return RNG_ISA_AVX2;
    return RNG_ISA_BASE;
}

int rng_isa_supported(rng_isa isa) { return isa >= RNG_ISA_BASE && isa <= rng_isa_best(); }

const char *rng_isa_name(rng_isa isa)
{
    static const char *const names[RNG_ISA_COUNT] = {"x86-64", "avx2", "avx512"};
    return isa >= RNG_ISA_BASE && isa < RNG_ISA_COUNT ? names[isa] : "?";
}

static size_t elem_nbytes(rng_kind kind)
{
    switch (kind) {
    case RNG_UNIFORM_F32:
    case RNG_NORMAL_F32:
    case RNG_INTEGERS_I32: return 4;
    default: return 8;
    }
}

/* w -> low + floor(w * range / 2^64), added in uint64 so that the widest
 * range (low = INT64_MIN) wraps instead of overflowing; the int32 kind
 * truncates a value the caller guarantees to fit. */
static void integers(int nc, const uint64_t *w0, const uint64_t *w1, int64_t low, uint64_t range, int is32,
                     void *out)
{
    for (int j = 0; j < nc; j++) {
        int64_t a = (int64_t)((uint64_t)low + (uint64_t)(((unsigned __int128)w0[j] * range) >> 64));
        int64_t b = (int64_t)((uint64_t)low + (uint64_t)(((unsigned __int128)w1[j] * range) >> 64));
        if (is32) {
            ((int32_t *)out)[2 * j] = (int32_t)a;
            ((int32_t *)out)[2 * j + 1] = (int32_t)b;
        } else {
            ((int64_t *)out)[2 * j] = a;
            ((int64_t *)out)[2 * j + 1] = b;
        }
    }
}

/* Both elements of counters c0 .. c0+nc-1 (nc <= RNG_BLOCK) into out. */
static void block(rng_isa isa, rng_kind kind, uint64_t seed, uint32_t stream, uint64_t c0, int nc,
                  int64_t low, uint64_t range, void *out)
{
    uint64_t w0[RNG_BLOCK], w1[RNG_BLOCK];
    rng_philox_words(isa, seed, stream, 0, c0, nc, w0, w1);
    switch (kind) {
    case RNG_UNIFORM_F64: rng_vmath_uniform_f64(isa, nc, w0, w1, out); break;
    case RNG_UNIFORM_F32: rng_vmath_uniform_f32(isa, nc, w0, w1, out); break;
    case RNG_NORMAL_F64: rng_vmath_normal_f64(isa, nc, w0, w1, out); break;
    case RNG_NORMAL_F32: {
        double z[2 * RNG_BLOCK];
        rng_vmath_normal_f64(isa, nc, w0, w1, z);
        float *o = out;
        for (int i = 0; i < 2 * nc; i++)
            o[i] = (float)z[i];
        break;
    }
    case RNG_INTEGERS_I64: integers(nc, w0, w1, low, range, 0, out); break;
    case RNG_INTEGERS_I32: integers(nc, w0, w1, low, range, 1, out); break;
    }
}

/* One element of a counter whose other element lies outside the range. */
static void half_counter(rng_isa isa, rng_kind kind, uint64_t seed, uint32_t stream, uint64_t elem,
                         int64_t low, uint64_t range, unsigned char *dst)
{
    size_t nb = elem_nbytes(kind);
    unsigned char pair[16];
    block(isa, kind, seed, stream, elem / 2, 1, low, range, pair);
    memcpy(dst, pair + (elem & 1) * nb, nb);
}

void rng_fill(rng_isa isa, rng_kind kind, uint64_t seed, uint32_t stream, uint64_t first, int64_t n,
              int64_t low, uint64_t range, void *out)
{
    if (n <= 0)
        return;
    size_t nb = elem_nbytes(kind);
    unsigned char *o = out;
    uint64_t end = first + (uint64_t)n;
    uint64_t e = first;
    if (e & 1) {
        half_counter(isa, kind, seed, stream, e, low, range, o);
        e++;
    }
    /* Whole counters: e is even, and e + 1 < end for each. */
    while (end - e >= 2) {
        uint64_t whole = (end - e) / 2;
        int nc = whole < RNG_BLOCK ? (int)whole : RNG_BLOCK;
        block(isa, kind, seed, stream, e / 2, nc, low, range, o + (e - first) * nb);
        e += 2 * (uint64_t)nc;
    }
    if (e < end)
        half_counter(isa, kind, seed, stream, e, low, range, o + (e - first) * nb);
}

void rng_uniform_f64(uint64_t seed, uint32_t stream, uint64_t first, int64_t n, double *out)
{
    rng_fill(rng_isa_best(), RNG_UNIFORM_F64, seed, stream, first, n, 0, 0, out);
}

void rng_uniform_f32(uint64_t seed, uint32_t stream, uint64_t first, int64_t n, float *out)
{
    rng_fill(rng_isa_best(), RNG_UNIFORM_F32, seed, stream, first, n, 0, 0, out);
}

void rng_normal_f64(uint64_t seed, uint32_t stream, uint64_t first, int64_t n, double *out)
{
    rng_fill(rng_isa_best(), RNG_NORMAL_F64, seed, stream, first, n, 0, 0, out);
}

void rng_normal_f32(uint64_t seed, uint32_t stream, uint64_t first, int64_t n, float *out)
{
    rng_fill(rng_isa_best(), RNG_NORMAL_F32, seed, stream, first, n, 0, 0, out);
}

void rng_integers_i64(uint64_t seed, uint32_t stream, uint64_t first, int64_t n, int64_t low, uint64_t range,
                      int64_t *out)
{
    rng_fill(rng_isa_best(), RNG_INTEGERS_I64, seed, stream, first, n, low, range, out);
}

void rng_integers_i32(uint64_t seed, uint32_t stream, uint64_t first, int64_t n, int64_t low, uint64_t range,
                      int32_t *out)
{
    rng_fill(rng_isa_best(), RNG_INTEGERS_I32, seed, stream, first, n, low, range, out);
}
