/* mem.c — budgeted buffers. Each buffer carries its size in a header just
 * before its data, which is 64-byte aligned for vector kernels, so
 * mem_free needs no size from the caller. The used count is raised before
 * allocating and lowered if the budget check fails, so concurrent takers
 * can never pass the limit together. Invariant: a buffer of
 * MEM_MAP_MIN_NBYTES or more is its own mapping, so its pages leave the
 * resident set when it is freed and the pool's count is what the rank
 * holds (malloc would keep freed chunk-sized blocks resident for reuse). */
#include "run/mem.h"

#include <stdlib.h>
#include <sys/mman.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#define HEADER MEM_BUFFER_OVERHEAD

/* Large buffers also ask for transparent huge pages: a 36 MB chunk then
 * faults in 18 pages rather than 9,000 (Linux's THP "madvise" mode). */
#define HUGE_MIN_NBYTES (4 << 20)

/* Under AddressSanitizer every buffer comes from malloc, so ASan puts its
 * redzones around chunk buffers too (it does not watch mappings). */
#if defined(__SANITIZE_ADDRESS__)
#define MEM_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define MEM_SANITIZED 1
#endif
#endif
#ifndef MEM_SANITIZED
#define MEM_SANITIZED 0
#endif

typedef struct mem_header {
    int64_t total;  /* what the pool counts: data bytes + HEADER */
    int64_t mapped; /* bytes of the mapping, 0 when from malloc */
    void *raw;      /* what malloc or mmap returned */
} mem_header;

_Static_assert(sizeof(mem_header) <= HEADER, "the header fits before the data");

void mem_pool_init(mem_pool *m, int64_t limit_nbytes)
{
    m->limit_nbytes = limit_nbytes;
    atomic_store(&m->used_nbytes, 0);
    atomic_store(&m->peak_nbytes, 0);
    atomic_store(&m->reserved_nbytes, 0);
}

void mem_malloc_configure(void)
{
#ifdef __GLIBC__
    /* Setting it also turns off glibc's dynamic threshold (mallopt(3)). */
    mallopt(M_MMAP_THRESHOLD, MEM_MAP_MIN_NBYTES);
#endif
}

void mem_pool_reset_peak(mem_pool *m)
{
    if (m)
        atomic_store(&m->peak_nbytes, atomic_load(&m->used_nbytes));
}

void mem_pool_reserve(mem_pool *m, int64_t nbytes)
{
    if (m)
        atomic_store(&m->reserved_nbytes, nbytes > 0 ? nbytes : 0);
}

int64_t mem_pool_room(const mem_pool *m)
{
    if (!m || m->limit_nbytes <= 0)
        return INT64_MAX;
    return m->limit_nbytes - atomic_load(&m->reserved_nbytes) - atomic_load(&m->used_nbytes);
}

/* The data of a new buffer of total bytes (header included), its header
 * filled in. Small ones come from malloc with room to align (malloc's fast
 * path; aligned_alloc's is several times slower, and a reduction takes one
 * per task), large ones are mappings (page aligned). */
static unsigned char *raw_alloc(int64_t total)
{
    mem_header h = {.total = total};
    unsigned char *data;
    if (total < MEM_MAP_MIN_NBYTES || MEM_SANITIZED) {
        if (!(h.raw = malloc((size_t)(total + HEADER))))
            return NULL;
        data = (unsigned char *)(((uintptr_t)h.raw + 2 * HEADER - 1) & ~(uintptr_t)(HEADER - 1));
    } else {
        h.raw = mmap(NULL, (size_t)total, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (h.raw == MAP_FAILED)
            return NULL;
#ifdef MADV_HUGEPAGE
        if (total >= HUGE_MIN_NBYTES)
            madvise(h.raw, (size_t)total, MADV_HUGEPAGE); /* advice only: failure changes nothing */
#endif
        h.mapped = total;
        data = (unsigned char *)h.raw + HEADER;
    }
    *(mem_header *)(void *)(data - HEADER) = h;
    return data;
}

/* Counts total bytes against the budget (the caller asked for nbytes). */
static ts_status charge(mem_pool *m, int64_t total, int64_t nbytes, const char *what, ts_err *err)
{
    if (!m)
        return TS_OK;
    int64_t now = atomic_fetch_add(&m->used_nbytes, total) + total;
    int64_t limit = m->limit_nbytes - atomic_load(&m->reserved_nbytes);
    if (m->limit_nbytes > 0 && now > limit) {
        atomic_fetch_sub(&m->used_nbytes, total);
        char need[32], used[32], lim[32];
        ts_format_nbytes(nbytes, need, sizeof need);
        ts_format_nbytes(now - total, used, sizeof used);
        ts_format_nbytes(limit, lim, sizeof lim);
        return err_set(err, TS_ERR_MEMORY,
                       "memory budget exceeded: %s needs %s while %s of this rank's %s for data are in use; "
                       "raise --memory-per-rank or use smaller chunks",
                       what, need, used, lim);
    }
    int64_t peak = atomic_load(&m->peak_nbytes);
    while (now > peak && !atomic_compare_exchange_weak(&m->peak_nbytes, &peak, now))
        ;
    return TS_OK;
}

ts_status mem_charge(mem_pool *m, int64_t nbytes, const char *what, ts_err *err)
{
    return charge(m, nbytes, nbytes, what, err);
}

void mem_uncharge(mem_pool *m, int64_t nbytes)
{
    if (m)
        atomic_fetch_sub(&m->used_nbytes, nbytes);
}

void *mem_alloc(mem_pool *m, int64_t nbytes, const char *what, ts_err *err)
{
    int64_t total = nbytes + HEADER;
    if (charge(m, total, nbytes, what, err) != TS_OK)
        return NULL;
    unsigned char *data = raw_alloc(total);
    if (!data) {
        if (m)
            atomic_fetch_sub(&m->used_nbytes, total);
        char need[32];
        ts_format_nbytes(nbytes, need, sizeof need);
        err_set(err, TS_ERR_MEMORY, "out of memory: %s needs %s", what, need);
        return NULL;
    }
    return data;
}

void mem_free(mem_pool *m, void *p)
{
    if (!p)
        return;
    mem_header h = *(mem_header *)(void *)((unsigned char *)p - HEADER);
    if (m)
        atomic_fetch_sub(&m->used_nbytes, h.total);
    if (h.mapped)
        munmap(h.raw, (size_t)h.mapped);
    else
        free(h.raw);
}
