/* mem.c — budgeted buffers. Each buffer carries its size in a header just
 * before its data, which is 64-byte aligned for vector kernels, so
 * mem_free needs no size from the caller. The used count is raised before
 * allocating and lowered if the budget check fails, so concurrent takers
 * can never pass the limit together. Invariant: a buffer of
 * MEM_MAP_MIN_NBYTES or more is its own mapping, so the pool knows what
 * the rank holds (malloc would keep freed chunk-sized blocks resident
 * outside its books).
 *
 * A freed mapping is kept for the next buffer of exactly its size, so a
 * stage's tasks, and the same stage in the next compute, reuse pages
 * already touched. What keeps the resident set within the plan: a buffer
 * of a size no kept mapping has unmaps them all before it maps its own,
 * and so does a buffer or a library reservation that needs their room.
 * Resident pool memory is then never more than the most the buffers
 * themselves ever held at once, which is what the plan bounds. */
#include "run/mem.h"

#include <stdbool.h>
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
    pthread_mutex_init(&m->cache_lock, NULL);
    m->ncached = 0;
    atomic_store(&m->cached_nbytes, 0);
}

/* Unmaps the kept mappings in list (taken out of the pool under its lock,
 * unmapped outside it). */
static void unmap_all(void **list, int n)
{
    for (int i = 0; i < n; i++)
        munmap(list[i], (size_t)((mem_header *)list[i])->mapped);
}

void mem_pool_trim(mem_pool *m)
{
    if (!m || atomic_load(&m->cached_nbytes) == 0)
        return;
    void *list[MEM_CACHE_MAX];
    pthread_mutex_lock(&m->cache_lock);
    int n = m->ncached;
    for (int i = 0; i < n; i++)
        list[i] = m->cached[i];
    m->ncached = 0;
    atomic_store(&m->cached_nbytes, 0);
    pthread_mutex_unlock(&m->cache_lock);
    unmap_all(list, n);
}

void mem_pool_fini(mem_pool *m)
{
    if (!m)
        return;
    mem_pool_trim(m);
    pthread_mutex_destroy(&m->cache_lock);
}

/* A kept mapping of exactly mapped bytes, or NULL; when none fits, every
 * kept mapping goes (see the invariant above). */
static void *cache_take(mem_pool *m, int64_t mapped)
{
    if (!m || atomic_load(&m->cached_nbytes) == 0)
        return NULL;
    void *found = NULL;
    pthread_mutex_lock(&m->cache_lock);
    for (int i = 0; i < m->ncached && !found; i++)
        if (((mem_header *)m->cached[i])->mapped == mapped) {
            found = m->cached[i];
            m->cached[i] = m->cached[--m->ncached];
            atomic_fetch_sub(&m->cached_nbytes, mapped);
        }
    pthread_mutex_unlock(&m->cache_lock);
    if (!found)
        mem_pool_trim(m);
    return found;
}

/* Keeps a freed mapping if there is a slot and the limit has room for it
 * beside the buffers in use; false: the caller unmaps it. */
static bool cache_put(mem_pool *m, void *raw, int64_t mapped)
{
    if (!m)
        return false;
    bool kept = false;
    pthread_mutex_lock(&m->cache_lock);
    int64_t held = atomic_load(&m->used_nbytes) + atomic_load(&m->cached_nbytes) + mapped;
    if (m->ncached < MEM_CACHE_MAX &&
        (m->limit_nbytes <= 0 || held <= m->limit_nbytes - atomic_load(&m->reserved_nbytes))) {
        m->cached[m->ncached++] = raw;
        atomic_fetch_add(&m->cached_nbytes, mapped);
        kept = true;
    }
    pthread_mutex_unlock(&m->cache_lock);
    return kept;
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
    if (!m)
        return;
    atomic_store(&m->reserved_nbytes, nbytes > 0 ? nbytes : 0);
    if (m->limit_nbytes > 0 &&
        atomic_load(&m->used_nbytes) + atomic_load(&m->cached_nbytes) > m->limit_nbytes - nbytes)
        mem_pool_trim(m); /* the libraries' buffers need the room */
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
 * per task), large ones are mappings (page aligned), kept ones of m when
 * one has the size. */
static unsigned char *raw_alloc(mem_pool *m, int64_t total)
{
    mem_header h = {.total = total};
    unsigned char *data;
    if (total >= MEM_MAP_MIN_NBYTES && !MEM_SANITIZED && (h.raw = cache_take(m, total))) {
        h.mapped = total;
        data = (unsigned char *)h.raw + HEADER;
    } else if (total < MEM_MAP_MIN_NBYTES || MEM_SANITIZED) {
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
    if (m->limit_nbytes > 0 && now + atomic_load(&m->cached_nbytes) > limit)
        mem_pool_trim(m); /* kept mappings give way to buffers */
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
    unsigned char *data = raw_alloc(m, total);
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
    if (h.mapped && !cache_put(m, h.raw, h.mapped))
        munmap(h.raw, (size_t)h.mapped);
    else if (!h.mapped)
        free(h.raw);
}
