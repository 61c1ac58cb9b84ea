/* mem.h — a rank's budgeted memory for chunk-sized buffers: chunks a stage
 * computes or fetches, reduction partials, results. Every such buffer is
 * taken from the rank's pool and given back to it, so the bytes in use are
 * known exactly at every moment (not sampled) and a buffer that would pass
 * the budget is refused with a message instead of the kernel's OOM killer
 * ending the job. Thread-safe: task threads take buffers concurrently. */
#ifndef TS_RUN_MEM_H
#define TS_RUN_MEM_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#include "util/err.h"

/* Bytes the pool counts for each buffer beyond its size (its header). */
#define MEM_BUFFER_OVERHEAD 64

/* Buffers of this size or more are mappings of their own (mem.c). */
#define MEM_MAP_MIN_NBYTES (1 << 20)

/* Freed mappings a pool keeps for buffers of the same size (mem.c). */
#define MEM_CACHE_MAX 64

typedef struct mem_pool {
    int64_t limit_nbytes; /* what buffers may use: the budget minus the rank's fixed overhead */
    _Atomic int64_t used_nbytes;
    _Atomic int64_t peak_nbytes;
    /* Held back from buffers while a stage runs: what HDF5 and MPI-IO
     * allocate themselves for its reads and writes (exec_mem.c). */
    _Atomic int64_t reserved_nbytes;
    /* Freed mappings kept resident for the next buffers of their size:
     * a fresh mapping costs the kernel a zeroed page per first touch,
     * which is slower than MPI moving the bytes. Not in used_nbytes, but
     * used + cached never passes the limit (mem.c says when they go). */
    pthread_mutex_t cache_lock;
    int ncached;
    void *cached[MEM_CACHE_MAX]; /* the mappings; each begins with its header */
    _Atomic int64_t cached_nbytes;
} mem_pool;

/* A pool with no buffers yet. limit_nbytes <= 0 means no limit. Pair with
 * mem_pool_fini. */
void mem_pool_init(mem_pool *m, int64_t limit_nbytes);

/* Unmaps the kept mappings; the pool's buffers must all be freed. NULL is
 * fine. */
void mem_pool_fini(mem_pool *m);

/* Unmaps the kept mappings now (a rank about to wait idle). NULL is fine. */
void mem_pool_trim(mem_pool *m);

/* nbytes (0 is fine) from the pool, or NULL with err set when the budget
 * or malloc refuses; `what` names the buffer in the message. m may be NULL
 * (no accounting). Free with mem_free and the same pool. */
void *mem_alloc(mem_pool *m, int64_t nbytes, const char *what, ts_err *err);

/* Gives a buffer from mem_alloc back; NULL is fine. */
void mem_free(mem_pool *m, void *p);

/* Counts nbytes that live elsewhere (a growing message being packed)
 * against the budget as mem_alloc would, or refuses them with err set;
 * mem_uncharge gives them back. m may be NULL (no accounting). */
ts_status mem_charge(mem_pool *m, int64_t nbytes, const char *what, ts_err *err);
void mem_uncharge(mem_pool *m, int64_t nbytes);

/* Holds nbytes of the limit back from buffers (replacing the previous
 * reservation; 0 ends it): room for libraries' own buffers. */
void mem_pool_reserve(mem_pool *m, int64_t nbytes);

/* Bytes a new buffer may still take: limit - reserved - used (INT64_MAX
 * without a limit; negative when a reservation came after the buffers).
 * Kept mappings count as room: they go when a buffer needs it. */
int64_t mem_pool_room(const mem_pool *m);

/* Process-wide: malloc serves blocks of MEM_MAP_MIN_NBYTES or more from
 * mappings of their own and so unmaps them when freed. Without it glibc
 * raises its threshold with every large block freed and keeps up to twice
 * that of freed memory resident, outside any budget: HDF5's filter and
 * chunk buffers, MPI-IO's. glibc only; elsewhere nothing happens. */
void mem_malloc_configure(void);

/* Starts a new peak measurement (at the start of a compute). */
void mem_pool_reset_peak(mem_pool *m);

#endif
