/* delayed.c — ts.delayed(fn [, {name =, cost =}]) wraps a Lua function;
 * calling the wrapper builds a lazy task (nothing runs); d:compute() and
 * ts.compute(d1, d2, ...) or ts.compute{...} run the tasks on the workers
 * (the kernel "lua", runner.c) and return their values; ts.from_delayed(d,
 * shape, dtype) is a one-chunk array of a task's result. The function is
 * encoded once, when it is wrapped, and each call's arguments when the call
 * is made, so whatever cannot travel is refused at that script line. Other
 * delayed results and lazy arrays among the arguments (also inside tables)
 * become the task's dependencies: the task runs once they are computed and
 * gets their values. cost is the task's estimated run time in seconds; the
 * scheduler balances by it when every task has one. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lua/binding.h"

#define WRAPPER_MT "tessera.delayed_fn"

typedef struct wrapper {
    char label[48];
    double cost_s;
    size_t nbytes; /* the encoded function follows */
    unsigned char bytes[];
} wrapper;

typedef struct delayed_box {
    ts_delayed *d;
    char label[48];
} delayed_box;

static ts_delayed *check_delayed(lua_State *L, int idx)
{
    delayed_box *box = luaL_testudata(L, idx, TSLUA_DELAYED_MT);
    return box ? box->d : NULL;
}

/* A name for fn: a local or upvalue of the calling function holding it,
 * or a global, else "function <file:line>". */
static void find_label(lua_State *L, int fn, char *buf, size_t len)
{
    lua_Debug ar;
    if (lua_getstack(L, 1, &ar)) {
        const char *name;
        for (int i = 1; (name = lua_getlocal(L, &ar, i)) != NULL; i++) {
            bool same = lua_rawequal(L, -1, fn) && name[0] != '(';
            lua_pop(L, 1);
            if (same) {
                snprintf(buf, len, "%s", name);
                return;
            }
        }
        if (lua_getinfo(L, "f", &ar)) {
            for (int i = 1; (name = lua_getupvalue(L, -1, i)) != NULL; i++) {
                bool same = lua_rawequal(L, -1, fn);
                lua_pop(L, 1);
                if (same) {
                    snprintf(buf, len, "%s", name);
                    lua_pop(L, 1);
                    return;
                }
            }
            lua_pop(L, 1);
        }
    }
    lua_pushglobaltable(L);
    lua_pushnil(L);
    while (lua_next(L, -2)) {
        if (lua_type(L, -2) == LUA_TSTRING && lua_rawequal(L, -1, fn)) {
            snprintf(buf, len, "%s", lua_tostring(L, -2));
            lua_pop(L, 3);
            return;
        }
        lua_pop(L, 1);
    }
    lua_pop(L, 1);
    lua_pushvalue(L, fn);
    lua_getinfo(L, ">S", &ar);
    const char *src = strrchr(ar.short_src, '/') ? strrchr(ar.short_src, '/') + 1 : ar.short_src;
    snprintf(buf, len, "function <%.24s:%d>", src, ar.linedefined);
}

/* ts.delayed(fn [, opts]) */
static int l_delayed(lua_State *L)
{
    if (!lua_isfunction(L, 1))
        return tslua_argerror(L, 1, "delayed", "function expected, got %s", tslua_typename(L, 1));
    char label[48] = "";
    double cost = 0;
    if (!lua_isnoneornil(L, 2)) {
        if (!lua_istable(L, 2))
            return tslua_argerror(L, 2, "delayed", "options table {name =, cost =} expected, got %s",
                                  tslua_typename(L, 2));
        if (lua_getfield(L, 2, "name") == LUA_TSTRING)
            snprintf(label, sizeof label, "%s", lua_tostring(L, -1));
        else if (!lua_isnil(L, -1))
            return tslua_argerror(L, 2, "delayed", "name expected: a string, got %s", tslua_typename(L, -1));
        if (lua_getfield(L, 2, "cost") == LUA_TNUMBER && lua_tonumber(L, -1) >= 0)
            cost = (double)lua_tonumber(L, -1);
        else if (!lua_isnil(L, -1))
            return tslua_argerror(L, 2, "delayed", "cost expected: seconds (a number >= 0), got %s",
                                  tslua_show(L, -1));
        lua_pop(L, 2);
        lua_pushnil(L);
        while (lua_next(L, 2)) {
            const char *key = lua_type(L, -2) == LUA_TSTRING ? lua_tostring(L, -2) : "";
            if (strcmp(key, "name") != 0 && strcmp(key, "cost") != 0)
                return tslua_argerror(L, 2, "delayed", "unknown option %s (delayed takes name, cost)",
                                      tslua_show(L, -2));
            lua_pop(L, 1);
        }
    }
    if (!label[0])
        find_label(L, 1, label, sizeof label);
    tslua_buf *b = tslua_buf_push(L);
    tslua_value_put(L, b, 1, 0, lua_pushfstring(L, "the function given to delayed ('%s')", label));
    wrapper *w = lua_newuserdatauv(L, sizeof *w + b->len, 0);
    snprintf(w->label, sizeof w->label, "%s", label);
    w->cost_s = cost;
    w->nbytes = b->len;
    memcpy(w->bytes, b->data, b->len);
    luaL_setmetatable(L, WRAPPER_MT);
    return 1;
}

/* wrapper(args...): a lazy call. */
static int l_call(lua_State *L)
{
    wrapper *w = luaL_checkudata(L, 1, WRAPPER_MT);
    int nargs = lua_gettop(L) - 1;
    lua_newtable(L);
    int deps = lua_gettop(L);
    tslua_buf *b = tslua_buf_push(L);
    tslua_value_put_args(L, b, 2, nargs, deps, w->label);
    int ndeps = (int)lua_rawlen(L, deps);
    ts_delayed_arg *args = lua_newuserdatauv(L, (size_t)(ndeps + 1) * sizeof *args, 0);
    args[0] = (ts_delayed_arg){.kind = TS_ARG_BYTES, .data = b->data, .nbytes = b->len};
    for (int k = 1; k <= ndeps; k++) {
        lua_rawgeti(L, deps, k);
        ts_delayed *d = check_delayed(L, -1);
        args[k] = d ? (ts_delayed_arg){.kind = TS_ARG_DELAYED, .delayed = d}
                    : (ts_delayed_arg){.kind = TS_ARG_ARRAY, .array = tslua_array_test(L, -1)};
        lua_pop(L, 1);
    }
    delayed_box *box = lua_newuserdatauv(L, sizeof *box, 0);
    *box = (delayed_box){0};
    luaL_setmetatable(L, TSLUA_DELAYED_MT);
    snprintf(box->label, sizeof box->label, "%s", w->label);
    ts_delayed_opts opts = {.label = w->label, .cost_s = w->cost_s};
    if (ts_delayed_create(tslua_ctx(L), tslua_runner_task_fn(), w->bytes, w->nbytes, ndeps + 1, args, &opts,
                          &box->d) != TS_OK)
        return tslua_fail(L);
    return 1;
}

static int l_wrapper_tostring(lua_State *L)
{
    wrapper *w = luaL_checkudata(L, 1, WRAPPER_MT);
    lua_pushfstring(L, "tessera.delayed(%s)", w->label);
    return 1;
}

static int l_gc(lua_State *L)
{
    delayed_box *box = luaL_checkudata(L, 1, TSLUA_DELAYED_MT);
    ts_delayed_release(box->d);
    box->d = NULL;
    return 0;
}

static int l_tostring(lua_State *L)
{
    delayed_box *box = luaL_checkudata(L, 1, TSLUA_DELAYED_MT);
    lua_pushfstring(L, "Delayed('%s')", box->label);
    return 1;
}

/* Pushes the value of a result (nil for an empty one: a dry run). */
static void push_result(lua_State *L, const ts_bytes *r)
{
    if (!r->data || r->nbytes == 0)
        lua_pushnil(L);
    else if (r->kernel && strcmp(r->kernel, "lua") == 0) {
        if (!tslua_value_get(L, r->data, r->nbytes, 0))
            lua_error(L);
    } else
        lua_pushlstring(L, r->data, r->nbytes);
}

typedef struct results {
    int n;
    ts_bytes *r;
} results;

static int results_gc(lua_State *L)
{
    results *rs = lua_touserdata(L, 1);
    for (int i = 0; rs->r && i < rs->n; i++)
        free(rs->r[i].data);
    free(rs->r);
    rs->r = NULL;
    return 0;
}

bool tslua_delayed_any(lua_State *L, int first, int last, bool as_table)
{
    if (as_table) {
        int n = (int)lua_rawlen(L, first);
        bool any = false;
        for (int i = 1; i <= n && !any; i++) {
            lua_rawgeti(L, first, i);
            any = check_delayed(L, -1) != NULL;
            lua_pop(L, 1);
        }
        return any;
    }
    for (int i = first; i <= last; i++)
        if (check_delayed(L, i))
            return true;
    return false;
}

/* ts.compute with delayed results among the items (values of the others,
 * lazy arrays, computed in one plan first): as values, or in a table. */
int tslua_delayed_compute(lua_State *L, bool as_table)
{
    int n = as_table ? (int)lua_rawlen(L, 1) : lua_gettop(L);
    luaL_checkstack(L, n + 8, "too many results");
    if (as_table) {
        for (int i = 1; i <= n; i++)
            lua_rawgeti(L, 1, i);
        lua_remove(L, 1);
    }
    /* items now at 1..n */
    ts_delayed **ds = lua_newuserdatauv(L, (size_t)(n + 1) * sizeof *ds, 0);
    ts_array **as = lua_newuserdatauv(L, (size_t)(n + 1) * sizeof *as, 0);
    int *which = lua_newuserdatauv(L, (size_t)(n + 1) * sizeof *which, 0);
    int nd = 0, na = 0;
    for (int i = 1; i <= n; i++) {
        ts_delayed *d = check_delayed(L, i);
        ts_array *a = d ? NULL : tslua_array_test(L, i);
        if (!d && !a)
            return tslua_argerror(
                L, as_table ? 1 : i, "compute", "array or delayed result expected%s, got %s",
                as_table ? lua_pushfstring(L, " at index %d", i) : "", tslua_typename(L, i));
        which[i - 1] = d ? nd : -1 - na;
        if (d)
            ds[nd++] = d;
        else
            as[na++] = a;
    }
    results *rs = lua_newuserdatauv(L, sizeof *rs, 0);
    *rs = (results){.n = nd, .r = calloc((size_t)(nd ? nd : 1), sizeof(ts_bytes))};
    lua_newtable(L);
    lua_pushcfunction(L, results_gc);
    lua_setfield(L, -2, "__gc");
    lua_setmetatable(L, -2);
    if (!rs->r)
        return luaL_error(L, "not enough memory");
    int first_local = lua_gettop(L) + 1;
    for (int i = 0; i < na; i++)
        tslua_local_push_empty(L);
    ts_local **locals = lua_newuserdatauv(L, (size_t)(na + 1) * sizeof *locals, 0);
    if (na && ts_compute(tslua_ctx(L), na, as, locals) != TS_OK)
        return tslua_fail(L);
    for (int i = 0; i < na; i++)
        tslua_local_attach(L, first_local + i, locals[i]);
    if (nd && ts_compute_delayed(tslua_ctx(L), nd, ds, rs->r) != TS_OK)
        return tslua_fail(L);
    if (as_table)
        lua_createtable(L, n, 0);
    for (int i = 0; i < n; i++) {
        if (which[i] >= 0)
            push_result(L, &rs->r[which[i]]);
        else
            lua_pushvalue(L, first_local + (-1 - which[i]));
        if (as_table)
            lua_rawseti(L, -2, i + 1);
    }
    return as_table ? 1 : n;
}

static int l_compute(lua_State *L)
{
    if (!check_delayed(L, 1))
        return tslua_argerror(L, 1, "compute", "delayed result expected, got %s", tslua_typename(L, 1));
    lua_settop(L, 1);
    return tslua_delayed_compute(L, false);
}

/* ts.from_delayed(d, shape, dtype) */
static int l_from_delayed(lua_State *L)
{
    ts_delayed *d = check_delayed(L, 1);
    if (!d)
        return tslua_argerror(L, 1, "from_delayed", "delayed result expected, got %s", tslua_typename(L, 1));
    int ndim = 0;
    int64_t shape[TS_MAXDIM];
    if (!lua_isnil(L, 2))
        tslua_args_shape(L, 2, "from_delayed", &ndim, shape);
    ts_dtype dtype = lua_isnoneornil(L, 3) ? TS_FLOAT64 : tslua_args_dtype(L, 3, 3, "from_delayed");
    ts_array **slot = tslua_array_push(L, NULL), *out = NULL;
    if (ts_array_from_delayed(tslua_ctx(L), d, ndim, shape, dtype, &out) != TS_OK)
        return tslua_fail(L);
    *slot = out;
    return 1;
}

/* ts.sleep(seconds): for tasks that stand for slow work (the seeds). */
static int l_sleep(lua_State *L)
{
    double s = luaL_checknumber(L, 1);
    if (s > 0) {
        struct timespec ts = {(time_t)s, (long)((s - (double)(time_t)s) * 1e9)};
        while (nanosleep(&ts, &ts) != 0)
            ;
    }
    return 0;
}

/* ts.nworkers(): the ranks that run tasks (the number the scheduler splits
 * work over). */
static int l_nworkers(lua_State *L)
{
    lua_pushinteger(L, ts_ctx_nworkers(tslua_ctx(L)));
    return 1;
}

/* ts.nthreads(): the threads of each worker that run tasks. */
static int l_nthreads(lua_State *L)
{
    int n = ts_ctx_config(tslua_ctx(L))->threads_per_rank;
    lua_pushinteger(L, n > 0 ? n : 1);
    return 1;
}

void tslua_delayed_register(lua_State *L, int mod)
{
    mod = lua_absindex(L, mod);
    if (luaL_newmetatable(L, WRAPPER_MT)) {
        lua_pushcfunction(L, l_call);
        lua_setfield(L, -2, "__call");
        lua_pushcfunction(L, l_wrapper_tostring);
        lua_setfield(L, -2, "__tostring");
    }
    lua_pop(L, 1);
    if (luaL_newmetatable(L, TSLUA_DELAYED_MT)) {
        lua_pushcfunction(L, l_gc);
        lua_setfield(L, -2, "__gc");
        lua_pushcfunction(L, l_tostring);
        lua_setfield(L, -2, "__tostring");
        lua_newtable(L);
        lua_pushcfunction(L, l_compute);
        lua_setfield(L, -2, "compute");
        lua_setfield(L, -2, "__index");
    }
    lua_pop(L, 1);
    static const luaL_Reg fns[] = {{"delayed", l_delayed},   {"from_delayed", l_from_delayed},
                                   {"sleep", l_sleep},       {"nworkers", l_nworkers},
                                   {"nthreads", l_nthreads}, {NULL, NULL}};
    lua_pushvalue(L, mod);
    luaL_setfuncs(L, fns, 0);
    lua_pop(L, 1);
}
