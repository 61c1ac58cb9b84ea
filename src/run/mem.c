/* mem.c — budgeted buffers. Each buffer carries its size in a 64-byte
 * header (which keeps the data 64-byte aligned for vector kernels), so
 * mem_free needs no size from the caller. The used count is raised before
 * malloc and lowered if the budget check fails, so concurrent takers can
 * never pass the limit together. */
#include "run/mem.h"

#include <stdlib.h>

#define HEADER 64

void mem_pool_init(mem_pool *m, int64_t limit_nbytes)
{
    m->limit_nbytes = limit_nbytes;
    atomic_store(&m->used_nbytes, 0);
    atomic_store(&m->peak_nbytes, 0);
}

void mem_pool_reset_peak(mem_pool *m)
{
    if (m)
        atomic_store(&m->peak_nbytes, atomic_load(&m->used_nbytes));
}

void *mem_alloc(mem_pool *m, int64_t nbytes, const char *what, ts_err *err)
{
    int64_t total = nbytes + HEADER;
    if (m) {
        int64_t now = atomic_fetch_add(&m->used_nbytes, total) + total;
        if (m->limit_nbytes > 0 && now > m->limit_nbytes) {
            atomic_fetch_sub(&m->used_nbytes, total);
            char need[32], used[32], limit[32];
            ts_format_nbytes(nbytes, need, sizeof need);
            ts_format_nbytes(now - total, used, sizeof used);
            ts_format_nbytes(m->limit_nbytes, limit, sizeof limit);
            err_set(err, TS_ERR_MEMORY,
                    "memory budget exceeded: %s needs %s while %s of this rank's %s for data are in use; "
                    "raise --memory-per-rank or use smaller chunks",
                    what, need, used, limit);
            return NULL;
        }
        int64_t peak = atomic_load(&m->peak_nbytes);
        while (now > peak && !atomic_compare_exchange_weak(&m->peak_nbytes, &peak, now))
            ;
    }
    unsigned char *raw = aligned_alloc(HEADER, (size_t)((total + HEADER - 1) / HEADER * HEADER));
    if (!raw) {
        if (m)
            atomic_fetch_sub(&m->used_nbytes, total);
        char need[32];
        ts_format_nbytes(nbytes, need, sizeof need);
        err_set(err, TS_ERR_MEMORY, "out of memory: %s needs %s", what, need);
        return NULL;
    }
    *(int64_t *)raw = total;
    return raw + HEADER;
}

void mem_free(mem_pool *m, void *p)
{
    if (!p)
        return;
    unsigned char *raw = (unsigned char *)p - HEADER;
    if (m)
        atomic_fetch_sub(&m->used_nbytes, *(int64_t *)raw);
    free(raw);
}
