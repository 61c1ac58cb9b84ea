/* registry.h — the kernels this rank can run, by name. Every rank fills
 * its own registry (function pointers and rank_ud are this process's);
 * graphs name kernels, so the same name finds the same code everywhere.
 * Filled before any compute and only read while computes run, so threads
 * executing tasks may look kernels up without a lock. */
#ifndef TS_RUN_REGISTRY_H
#define TS_RUN_REGISTRY_H

#include "tessera.h"
#include "util/err.h"

#define REGISTRY_NAME_MAX 64

typedef struct registry_entry {
    char name[REGISTRY_NAME_MAX];
    ts_kernel k;
} registry_entry;

typedef struct registry {
    registry_entry *v;
    int n, cap;
} registry;

void registry_init(registry *r);
/* Calls every kernel's release hook, then frees the entries. */
void registry_fini(registry *r);
ts_status registry_add(registry *r, const char *name, const ts_kernel *k, ts_err *err);
const registry_entry *registry_find(const registry *r, const char *name);
/* The name under which a block or task function is registered, or NULL. */
const char *registry_name_of_block(const registry *r, ts_block_fn fn);
const char *registry_name_of_task(const registry *r, ts_task_fn fn);

#endif
