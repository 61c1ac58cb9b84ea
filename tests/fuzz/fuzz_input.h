/* fuzz_input.h — reading structured values out of a fuzzer's bytes, front
 * to back; once the bytes run out every read gives 0, so any input decodes
 * to some value and the harness never reads past the buffer. */
#ifndef TS_FUZZ_INPUT_H
#define TS_FUZZ_INPUT_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* A failed check ends the run as a crash libFuzzer reports with the
 * input. Not abort(): a library the MPI stack loads (PSM's
 * libinfinipath) turns SIGABRT into a plain exit. */
static inline void fuzz_crash(void) { __builtin_trap(); }

typedef struct fuzz_input {
    const uint8_t *data;
    size_t size, pos;
} fuzz_input;

static inline uint64_t fuzz_bytes(fuzz_input *in, int n)
{
    uint64_t v = 0;
    for (int k = 0; k < n; k++)
        v |= (uint64_t)(in->pos < in->size ? in->data[in->pos++] : 0) << (8 * k);
    return v;
}

static inline uint8_t fuzz_u8(fuzz_input *in) { return (uint8_t)fuzz_bytes(in, 1); }
static inline uint64_t fuzz_u64(fuzz_input *in) { return fuzz_bytes(in, 8); }

/* A value in [lo, hi] (lo <= hi). */
static inline int64_t fuzz_range(fuzz_input *in, int64_t lo, int64_t hi)
{
    uint64_t span = (uint64_t)hi - (uint64_t)lo;
    uint64_t v = fuzz_u64(in);
    return span == UINT64_MAX ? (int64_t)v : (int64_t)((uint64_t)lo + v % (span + 1));
}

/* A length for an axis: mostly small, with the edges (0, 1) and the odd
 * large one below max. */
static inline int64_t fuzz_length(fuzz_input *in, int64_t max)
{
    switch (fuzz_u8(in) % 6) {
    case 0: return 0;
    case 1: return 1;
    case 2: return fuzz_range(in, 0, max < 16 ? max : 16);
    case 3: return fuzz_range(in, 0, max < 1000 ? max : 1000);
    default: return fuzz_range(in, 0, max);
    }
}

/* The rest of the input as a NUL-terminated string in buf (cap >= 1). */
static inline void fuzz_rest_text(fuzz_input *in, char *buf, size_t cap)
{
    size_t n = in->size - in->pos < cap - 1 ? in->size - in->pos : cap - 1;
    memcpy(buf, in->data + in->pos, n);
    buf[n] = '\0';
    in->pos += n;
}

#endif
