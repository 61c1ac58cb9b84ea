/* registry.c — a short list searched by name (a job uses a handful of
 * kernels; lookups happen once per stage or task batch). */
#include "run/registry.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void registry_init(registry *r) { *r = (registry){0}; }

void registry_fini(registry *r)
{
    for (int i = 0; i < r->n; i++)
        if (r->v[i].k.release)
            r->v[i].k.release(r->v[i].k.rank_ud);
    free(r->v);
    *r = (registry){0};
}

ts_status registry_add(registry *r, const char *name, const ts_kernel *k, ts_err *err)
{
    if (!name || !name[0] || strlen(name) >= REGISTRY_NAME_MAX)
        return err_set(err, TS_ERR_ARG, "a kernel name has 1 to %d bytes", REGISTRY_NAME_MAX - 1);
    if (!k || (!k->block && !k->task))
        return err_set(err, TS_ERR_ARG, "kernel '%s' has neither a block nor a task function", name);
    if (registry_find(r, name))
        return err_set(err, TS_ERR_ARG, "a kernel named '%s' is registered already", name);
    if (r->n == r->cap) {
        int ncap = r->cap ? 2 * r->cap : 8;
        registry_entry *nv = realloc(r->v, (size_t)ncap * sizeof *nv);
        if (!nv)
            return err_set(err, TS_ERR_MEMORY, "out of memory registering a kernel");
        r->v = nv;
        r->cap = ncap;
    }
    registry_entry *e = &r->v[r->n++];
    snprintf(e->name, sizeof e->name, "%s", name);
    e->k = *k;
    return TS_OK;
}

const registry_entry *registry_find(const registry *r, const char *name)
{
    for (int i = 0; i < r->n; i++)
        if (strcmp(r->v[i].name, name) == 0)
            return &r->v[i];
    return NULL;
}

const char *registry_name_of_block(const registry *r, ts_block_fn fn)
{
    for (int i = 0; fn && i < r->n; i++)
        if (r->v[i].k.block == fn)
            return r->v[i].name;
    return NULL;
}

const char *registry_name_of_task(const registry *r, ts_task_fn fn)
{
    for (int i = 0; fn && i < r->n; i++)
        if (r->v[i].k.task == fn)
            return r->v[i].name;
    return NULL;
}
