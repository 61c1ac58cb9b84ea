/* elementwise.c — strip kernels for unary and binary ufuncs and where. The
 * per-dtype loops come from one template, elementwise_dtype.inc, included
 * once per dtype; each loop is specialised for operand steps (1,1), (1,0),
 * (0,1) and (0,0) so that every case is a plain contiguous loop the compiler
 * can vectorise; unary_SFX and binary_SFX are built per ISA
 * (KERNEL_ISA_CLONES: one IEEE operation per element, the same bits on every
 * path). Nothing here allocates or keeps state. */
#include "kernels/elementwise.h"
#include "kernels/isa_clones.h"

#include <math.h>
#include <string.h>

#define EW_CAT_(a, b) a##b
#define EW_CAT(a, b) EW_CAT_(a, b)

#define EW_KIND_BOOL 0
#define EW_KIND_INT 1
#define EW_KIND_FLOAT 2

/* out[k] = F(x[k]) with x a strip (xs == 1) or one value (xs == 0); uses
 * the enclosing function's x, xs, n and out. */
#define EW_LOOP1(TI, TO, F)                                                                                  \
    do {                                                                                                     \
        const TI *xp_ = x;                                                                                   \
        TO *op_ = out;                                                                                       \
        if (xs) {                                                                                            \
            for (int64_t k_ = 0; k_ < n; k_++)                                                               \
                op_[k_] = F(xp_[k_]);                                                                        \
        } else {                                                                                             \
            const TO v_ = F(xp_[0]);                                                                         \
            for (int64_t k_ = 0; k_ < n; k_++)                                                               \
                op_[k_] = v_;                                                                                \
        }                                                                                                    \
    } while (0)

/* out[k] = F(a[k * as], b[k * bs]), one plain loop per step combination;
 * uses the enclosing function's a, as, b, bs, n and out. A broadcast
 * operand is hoisted into a local so the loop body is the same as for a
 * strip, and GCC vectorises it. */
#define EW_LOOP2(TI, TO, F)                                                                                  \
    do {                                                                                                     \
        const TI *ap_ = a, *bp_ = b;                                                                         \
        TO *op_ = out;                                                                                       \
        if (as && bs) {                                                                                      \
            for (int64_t k_ = 0; k_ < n; k_++)                                                               \
                op_[k_] = F(ap_[k_], bp_[k_]);                                                               \
        } else if (as) {                                                                                     \
            const TI bv_ = bp_[0];                                                                           \
            for (int64_t k_ = 0; k_ < n; k_++)                                                               \
                op_[k_] = F(ap_[k_], bv_);                                                                   \
        } else if (bs) {                                                                                     \
            const TI av_ = ap_[0];                                                                           \
            for (int64_t k_ = 0; k_ < n; k_++)                                                               \
                op_[k_] = F(av_, bp_[k_]);                                                                   \
        } else {                                                                                             \
            const TO v_ = F(ap_[0], bp_[0]);                                                                 \
            for (int64_t k_ = 0; k_ < n; k_++)                                                               \
                op_[k_] = v_;                                                                                \
        }                                                                                                    \
    } while (0)

#define EW_T uint8_t
#define EW_SFX b
#define EW_KIND EW_KIND_BOOL
#include "kernels/elementwise_dtype.inc"
#undef EW_T
#undef EW_SFX
#undef EW_KIND

#define EW_KIND EW_KIND_INT
#define EW_T int32_t
#define EW_UT uint32_t
#define EW_SFX i32
#include "kernels/elementwise_dtype.inc"
#undef EW_T
#undef EW_UT
#undef EW_SFX

#define EW_T int64_t
#define EW_UT uint64_t
#define EW_SFX i64
#include "kernels/elementwise_dtype.inc"
#undef EW_T
#undef EW_UT
#undef EW_SFX
#undef EW_KIND

#define EW_KIND EW_KIND_FLOAT
#define EW_T float
#define EW_SFX f32
#define EW_M(fn) fn##f
#include "kernels/elementwise_dtype.inc"
#undef EW_T
#undef EW_SFX
#undef EW_M

#define EW_T double
#define EW_SFX f64
#define EW_M(fn) fn
#include "kernels/elementwise_dtype.inc"
#undef EW_T
#undef EW_SFX
#undef EW_M
#undef EW_KIND

int ew_unary(ts_unary_op op, ts_dtype compute, const void *x, int xstep, int64_t n, void *out)
{
    if (n <= 0)
        return EW_OK;
    switch (compute) {
    case TS_BOOL: return unary_b(op, x, xstep, n, out);
    case TS_INT32: return unary_i32(op, x, xstep, n, out);
    case TS_INT64: return unary_i64(op, x, xstep, n, out);
    case TS_FLOAT32: return unary_f32(op, x, xstep, n, out);
    case TS_FLOAT64: return unary_f64(op, x, xstep, n, out);
    default: return EW_ERR_NO_LOOP;
    }
}

int ew_binary(ts_binary_op op, ts_dtype compute, const void *a, int astep, const void *b, int bstep,
              int64_t n, void *out)
{
    if (n <= 0)
        return EW_OK;
    switch (compute) {
    case TS_BOOL: return binary_b(op, a, astep, b, bstep, n, out);
    case TS_INT32: return binary_i32(op, a, astep, b, bstep, n, out);
    case TS_INT64: return binary_i64(op, a, astep, b, bstep, n, out);
    case TS_FLOAT32: return binary_f32(op, a, astep, b, bstep, n, out);
    case TS_FLOAT64: return binary_f64(op, a, astep, b, bstep, n, out);
    default: return EW_ERR_NO_LOOP;
    }
}

/* where only moves elements, so it works on same-sized unsigned words: the
 * bits of floats (NaN payloads included) pass through unchanged. */
#define EW_WHERE(T)                                                                                          \
    do {                                                                                                     \
        const T *ap_ = a, *bp_ = b;                                                                          \
        T *op_ = out;                                                                                        \
        if (!cstep) {                                                                                        \
            const T *src_ = cond[0] ? ap_ : bp_;                                                             \
            int sstep_ = cond[0] ? astep : bstep;                                                            \
            if (sstep_) {                                                                                    \
                memmove(op_, src_, (size_t)n * sizeof(T));                                                   \
            } else {                                                                                         \
                const T v_ = src_[0];                                                                        \
                for (int64_t k_ = 0; k_ < n; k_++)                                                           \
                    op_[k_] = v_;                                                                            \
            }                                                                                                \
        } else if (astep && bstep) {                                                                         \
            for (int64_t k_ = 0; k_ < n; k_++)                                                               \
                op_[k_] = cond[k_] ? ap_[k_] : bp_[k_];                                                      \
        } else if (astep) {                                                                                  \
            const T bv_ = bp_[0];                                                                            \
            for (int64_t k_ = 0; k_ < n; k_++)                                                               \
                op_[k_] = cond[k_] ? ap_[k_] : bv_;                                                          \
        } else if (bstep) {                                                                                  \
            const T av_ = ap_[0];                                                                            \
            for (int64_t k_ = 0; k_ < n; k_++)                                                               \
                op_[k_] = cond[k_] ? av_ : bp_[k_];                                                          \
        } else {                                                                                             \
            const T av_ = ap_[0], bv_ = bp_[0];                                                              \
            for (int64_t k_ = 0; k_ < n; k_++)                                                               \
                op_[k_] = cond[k_] ? av_ : bv_;                                                              \
        }                                                                                                    \
    } while (0)

void ew_where(ts_dtype dt, const uint8_t *cond, int cstep, const void *a, int astep, const void *b, int bstep,
              int64_t n, void *out)
{
    if (n <= 0)
        return;
    switch (dt) {
    case TS_BOOL: EW_WHERE(uint8_t); break;
    case TS_INT32:
    case TS_FLOAT32: EW_WHERE(uint32_t); break;
    case TS_INT64:
    case TS_FLOAT64: EW_WHERE(uint64_t); break;
    default: break;
    }
}

const char *ew_errmsg(int code)
{
    switch (code) {
    case EW_OK: return "no error";
    case EW_ERR_INT_NEGATIVE_POWER: return "Integers to negative integer powers are not allowed.";
    case EW_ERR_NO_LOOP: return "no elementwise kernel for this operation and dtype";
    default: return "unknown elementwise kernel error";
    }
}
