/* module.c — the module table of "tessera": creation functions, compute,
 * and the error helpers the other files share. The context lives in the
 * registry (key: the address of ctx_key), never in a global.
 *
 * How arguments are told apart (documented for users in the same words):
 *  - ones/zeros(shape, opts), full(shape, value, opts), random.random and
 *    random.standard_normal(shape, opts): positional; shape is a table of
 *    integers or one integer (1-D), nil or absent for a 0-d array.
 *  - random.uniform([low [, high]], shape, opts), random.normal([loc
 *    [, scale]], shape, opts), random.integers(low [, high], shape, opts):
 *    a trailing table that is not a list is the options table; then the
 *    last argument is the shape if it is a table, or if there are more
 *    numbers than the distribution has parameters (uniform(0, 1, 1000) is
 *    1000 draws, uniform(0, 1) is one 0-d draw); what precedes it are the
 *    parameters, with NumPy's defaults for those left out.
 *  - arange([start,] stop [, step], opts): 1 to 3 numbers, then options.
 *  - linspace(start, stop [, num=50], opts). */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lua/binding.h"
#include "lua/tslua.h"

static const char ctx_key = 'c';
static const char task_key = 't';

bool tslua_in_task(lua_State *L)
{
    bool in = lua_rawgetp(L, LUA_REGISTRYINDEX, &task_key) != LUA_TNIL;
    lua_pop(L, 1);
    return in;
}

ts_ctx *tslua_ctx(lua_State *L)
{
    if (tslua_in_task(L)) {
        /* Tasks run on workers, without the driver's graph: only math on
         * local arrays is there. */
        lua_Debug ar;
        const char *name = lua_getstack(L, 0, &ar) && lua_getinfo(L, "n", &ar) && ar.name ? ar.name : "this";
        luaL_error(L,
                   "%s is not available inside a task: a task works on local arrays (its blocks and "
                   "arguments), it cannot build or compute lazy arrays",
                   name);
    }
    lua_rawgetp(L, LUA_REGISTRYINDEX, &ctx_key);
    ts_ctx *ctx = lua_touserdata(L, -1);
    lua_pop(L, 1);
    if (!ctx)
        luaL_error(L, "tessera: the module is not bound to a context");
    return ctx;
}

int tslua_fail(lua_State *L) { return luaL_error(L, "%s", ts_ctx_errmsg(tslua_ctx(L))); }

int tslua_argerror(lua_State *L, int arg, const char *fname, const char *fmt, ...)
{
    lua_Debug ar;
    va_list ap;
    va_start(ap, fmt);
    const char *msg = lua_pushvfstring(L, fmt, ap);
    va_end(ap);
    if (lua_getstack(L, 0, &ar) && lua_getinfo(L, "n", &ar) && ar.namewhat &&
        strcmp(ar.namewhat, "method") == 0) {
        arg--; /* like Lua: self is not counted in x:f(...) */
        if (arg == 0)
            return luaL_error(L, "calling '%s' on bad self (%s)", fname, msg);
    }
    return luaL_error(L, "bad argument #%d to '%s' (%s)", arg, fname, msg);
}

const char *tslua_typename(lua_State *L, int idx)
{
    if (lua_type(L, idx) == LUA_TNONE)
        return "no value";
    if (luaL_testudata(L, idx, TSLUA_ARRAY_MT))
        return "array";
    if (luaL_testudata(L, idx, TSLUA_LOCAL_MT))
        return "local array";
    return luaL_typename(L, idx);
}

/* --------------------------------------------------------------- creation */

/* ones/zeros default to float64 like NumPy; full takes the fill's dtype. */
static int make_full(lua_State *L, const char *fname, ts_scalar value, int optarg, bool float_default)
{
    ts_ctx *ctx = tslua_ctx(L);
    int ndim = 0;
    int64_t shape[TS_MAXDIM];
    tslua_args_shape(L, 1, fname, &ndim, shape);
    tslua_create_args a;
    tslua_args_create(L, optarg, fname, ndim, TSLUA_OPT_CHUNKS | TSLUA_OPT_DTYPE, &a);
    if (float_default && !a.opts.dtype_set) {
        a.opts.dtype = TS_FLOAT64;
        a.opts.dtype_set = true;
    }
    ts_array **slot = tslua_array_push(L, NULL), *out = NULL;
    if (ts_array_full(ctx, ndim, shape, value, &a.opts, &out) != TS_OK)
        return tslua_fail(L);
    *slot = out;
    return 1;
}

static int l_ones(lua_State *L)
{
    ts_scalar one = {.kind = TS_SCALAR_FLOAT, .f = 1.0};
    return make_full(L, "ones", one, 2, true);
}

static int l_zeros(lua_State *L)
{
    ts_scalar zero = {.kind = TS_SCALAR_FLOAT, .f = 0.0};
    return make_full(L, "zeros", zero, 2, true);
}

static int l_full(lua_State *L)
{
    return make_full(L, "full", tslua_args_fill_value(L, 2, "full"), 3, false);
}

static int l_arange(lua_State *L)
{
    ts_scalar start, stop, step;
    int optarg = tslua_args_arange(L, &start, &stop, &step);
    tslua_create_args a;
    tslua_args_create(L, optarg, "arange", 1, TSLUA_OPT_CHUNKS | TSLUA_OPT_DTYPE, &a);
    ts_array **slot = tslua_array_push(L, NULL), *out = NULL;
    if (ts_array_arange(tslua_ctx(L), start, stop, step, &a.opts, &out) != TS_OK)
        return tslua_fail(L);
    *slot = out;
    return 1;
}

static double check_number(lua_State *L, int arg, const char *fname, const char *what)
{
    if (lua_type(L, arg) != LUA_TNUMBER)
        tslua_argerror(L, arg, fname, "%s expected: a number, got %s", what, tslua_typename(L, arg));
    return (double)lua_tonumber(L, arg);
}

static int l_linspace(lua_State *L)
{
    double start = check_number(L, 1, "linspace", "start");
    double stop = check_number(L, 2, "linspace", "stop");
    int64_t num = 50;
    int optarg = 4;
    if (lua_istable(L, 3))
        optarg = 3;
    else if (!lua_isnoneornil(L, 3) && !tslua_args_int(L, 3, &num))
        tslua_argerror(L, 3, "linspace", "num expected: an integer, got %s", tslua_typename(L, 3));
    tslua_create_args a;
    tslua_args_create(L, optarg, "linspace", 1, TSLUA_OPT_CHUNKS | TSLUA_OPT_DTYPE | TSLUA_OPT_ENDPOINT, &a);
    ts_array **slot = tslua_array_push(L, NULL), *out = NULL;
    if (ts_array_linspace(tslua_ctx(L), start, stop, num, a.endpoint, &a.opts, &out) != TS_OK)
        return tslua_fail(L);
    *slot = out;
    return 1;
}

/* ----------------------------------------------------------------- random */

static int make_random(lua_State *L, const char *fname, ts_random_kind kind, double a, double b, int shapearg,
                       int optarg)
{
    int ndim = 0;
    int64_t shape[TS_MAXDIM];
    if (!lua_isnoneornil(L, shapearg))
        tslua_args_shape(L, shapearg, fname, &ndim, shape);
    tslua_create_args o;
    tslua_args_create(L, optarg, fname, ndim, TSLUA_OPT_CHUNKS | TSLUA_OPT_DTYPE | TSLUA_OPT_SEED, &o);
    ts_array **slot = tslua_array_push(L, NULL), *out = NULL;
    if (ts_array_random(tslua_ctx(L), kind, a, b, ndim, shape, &o.opts, &out) != TS_OK)
        return tslua_fail(L);
    *slot = out;
    return 1;
}

static int l_random(lua_State *L) { return make_random(L, "random", TS_RANDOM_RANDOM, 0.0, 1.0, 1, 2); }

static int l_standard_normal(lua_State *L)
{
    return make_random(L, "standard_normal", TS_RANDOM_STANDARD_NORMAL, 0.0, 1.0, 1, 2);
}

/* Splits (params..., shape, opts) as the file comment explains; returns
 * how many parameters were given and sets *shapearg and *optarg (an
 * argument past the top when absent). pnames name the two parameters. */
static int split_dist(lua_State *L, const char *fname, const char *const *pnames, double *params,
                      bool integral, int *shapearg, int *optarg)
{
    int n = lua_gettop(L);
    *optarg = n + 1;
    if (n >= 1 && lua_istable(L, n) && (!tslua_args_is_list(L, n) || (lua_rawlen(L, n) == 0 && n >= 2)))
        *optarg = n--;
    *shapearg = *optarg;
    if (n >= 1 && (lua_istable(L, n) || n > 2))
        *shapearg = n--;
    if (n > 2)
        tslua_argerror(L, 3, fname, "shape expected, got %s (%s takes %s and %s, then the shape)",
                       tslua_typename(L, 3), fname, pnames[0], pnames[1]);
    for (int i = 0; i < n; i++) {
        int64_t k = 0;
        if (lua_isnil(L, i + 1) && !integral)
            continue; /* keeps the default */
        if (lua_isnil(L, i + 1) && i == 1)
            return 1; /* integers(low, nil, ...): NumPy's high=None */
        bool ok = integral ? tslua_args_int(L, i + 1, &k) : lua_type(L, i + 1) == LUA_TNUMBER;
        if (!ok)
            tslua_argerror(
                L, i + 1, fname, "%s expected: %s, got %s", pnames[i], integral ? "an integer" : "a number",
                lua_type(L, i + 1) == LUA_TNUMBER ? lua_tostring(L, i + 1) : tslua_typename(L, i + 1));
        params[i] = integral ? (double)k : (double)lua_tonumber(L, i + 1);
    }
    return n;
}

static const char *const LOW_HIGH[] = {"low", "high"};
static const char *const LOC_SCALE[] = {"loc", "scale"};

static int l_uniform(lua_State *L)
{
    double p[2] = {0.0, 1.0};
    int shapearg, optarg;
    split_dist(L, "uniform", LOW_HIGH, p, false, &shapearg, &optarg);
    return make_random(L, "uniform", TS_RANDOM_UNIFORM, p[0], p[1], shapearg, optarg);
}

static int l_normal(lua_State *L)
{
    double p[2] = {0.0, 1.0};
    int shapearg, optarg;
    split_dist(L, "normal", LOC_SCALE, p, false, &shapearg, &optarg);
    return make_random(L, "normal", TS_RANDOM_NORMAL, p[0], p[1], shapearg, optarg);
}

static int l_integers(lua_State *L)
{
    double p[2] = {0.0, 0.0};
    int shapearg, optarg;
    int n = split_dist(L, "integers", LOW_HIGH, p, true, &shapearg, &optarg);
    if (n == 0)
        tslua_argerror(L, 1, "integers", "low expected: an integer, got %s", tslua_typename(L, 1));
    if (n == 1) { /* integers(high): [0, high) like NumPy */
        p[1] = p[0];
        p[0] = 0.0;
    }
    return make_random(L, "integers", TS_RANDOM_INTEGERS, p[0], p[1], shapearg, optarg);
}

/* ---------------------------------------------------------------- compute */

/* compute(a, b, ...) returns local arrays as values; compute{a, b, ...}
 * returns them in a table. One call of ts_compute: one plan. */
static int l_compute(lua_State *L)
{
    bool as_table = lua_gettop(L) == 1 && lua_istable(L, 1);
    if (lua_gettop(L) > 0 && tslua_delayed_any(L, 1, lua_gettop(L), as_table))
        return tslua_delayed_compute(L, as_table);
    int n = as_table ? (int)lua_rawlen(L, 1) : lua_gettop(L);
    if (n == 0) {
        if (as_table)
            lua_newtable(L);
        return as_table ? 1 : 0;
    }
    luaL_checkstack(L, 2 * n + 8, "too many arrays to compute");
    ts_array **arrays = lua_newuserdatauv(L, (size_t)(n + 1) * sizeof *arrays, 0);
    ts_local **results = lua_newuserdatauv(L, (size_t)(n + 1) * sizeof *results, 0);
    for (int i = 0; i < n; i++) {
        if (as_table)
            lua_rawgeti(L, 1, i + 1);
        arrays[i] = tslua_array_test(L, as_table ? -1 : i + 1);
        if (!arrays[i] && as_table)
            tslua_argerror(L, 1, "compute", "array expected at index %d, got %s", i + 1,
                           tslua_typename(L, -1));
        if (!arrays[i])
            tslua_argerror(L, i + 1, "compute", "array expected, got %s", tslua_typename(L, i + 1));
        if (as_table)
            lua_pop(L, 1);
        results[i] = NULL;
    }
    /* Everything that can raise a Lua error happens before ts_compute, so
     * no computed result is left without an owner. */
    if (as_table)
        lua_createtable(L, n, 0);
    int first = lua_gettop(L) + 1;
    luaL_checkstack(L, n + 2, "too many arrays to compute at once");
    for (int i = 0; i < n; i++)
        tslua_local_push_empty(L);
    if (ts_compute(tslua_ctx(L), n, arrays, results) != TS_OK)
        return tslua_fail(L);
    for (int i = 0; i < n; i++)
        tslua_local_attach(L, first + i, results[i]);
    if (!as_table)
        return n;
    for (int i = n - 1; i >= 0; i--)
        lua_rawseti(L, first - 1, i + 1);
    return 1;
}

/* ts.wtime(): seconds on a monotonic wall clock, for timing inside a
 * script (Lua's os.time() counts whole seconds, os.clock() CPU time). */
static int l_wtime(lua_State *L)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    lua_pushnumber(L, (lua_Number)t.tv_sec + 1e-9 * (lua_Number)t.tv_nsec);
    return 1;
}

/* x:describe() / ts.describe(a, b, ...): the plan as text, nothing computed. */
static int l_describe(lua_State *L)
{
    int n = lua_gettop(L);
    if (n == 0)
        return tslua_argerror(L, 1, "describe", "array expected, got no value");
    ts_array **arrays = lua_newuserdatauv(L, (size_t)n * sizeof *arrays, 0);
    for (int i = 0; i < n; i++) {
        arrays[i] = tslua_array_test(L, i + 1);
        if (!arrays[i])
            return tslua_argerror(L, i + 1, "describe", "array expected, got %s", tslua_typename(L, i + 1));
    }
    char *text = ts_describe(tslua_ctx(L), n, arrays);
    if (!text)
        return tslua_fail(L);
    lua_pushstring(L, text);
    free(text);
    return 1;
}

/* ------------------------------------------------------------------- open */

static const luaL_Reg module_fns[] = {
    {"ones", l_ones},     {"zeros", l_zeros},       {"full", l_full},
    {"arange", l_arange}, {"linspace", l_linspace}, {"compute", l_compute},
    {"wtime", l_wtime},   {"describe", l_describe}, {NULL, NULL},
};

static const luaL_Reg random_fns[] = {
    {"random", l_random},     {"standard_normal", l_standard_normal},
    {"uniform", l_uniform},   {"normal", l_normal},
    {"integers", l_integers}, {NULL, NULL},
};

static int open_module(lua_State *L)
{
    if (!tslua_in_task(L))
        tslua_ctx(L); /* fails early if the module was not preloaded with a context */
    luaL_newlib(L, module_fns);
    int mod = lua_gettop(L);
    luaL_newlib(L, random_fns);
    lua_setfield(L, mod, "random");
    lua_pushliteral(L, TS_VERSION_STRING);
    lua_setfield(L, mod, "version");

    lua_newtable(L);
    int methods = lua_gettop(L);
    tslua_array_register(L, methods);
    luaL_getmetatable(L, TSLUA_ARRAY_MT);
    tslua_ops_register(L, mod, methods, lua_gettop(L));
    tslua_hdf5_register(L, mod, methods);
    tslua_concat_register(L, mod);
    tslua_contract_register(L, mod, methods);
    tslua_graph_register(L, methods);
    tslua_views_register(L, mod, methods);
    tslua_map_blocks_register(L, mod, methods);
    tslua_delayed_register(L, mod);
    tslua_local_create_register(L, mod, tslua_in_task(L));
    lua_pushcfunction(L, l_describe);
    lua_setfield(L, methods, "describe");
    tslua_local_register(L);
    luaL_getmetatable(L, TSLUA_ARRAY_MT);
    tslua_local_ops_register(L, methods, -1);
    lua_settop(L, mod);
    return 1;
}

void tslua_preload_task(lua_State *L)
{
    lua_pushboolean(L, 1);
    lua_rawsetp(L, LUA_REGISTRYINDEX, &task_key);
    luaL_getsubtable(L, LUA_REGISTRYINDEX, LUA_PRELOAD_TABLE);
    lua_pushcfunction(L, open_module);
    lua_setfield(L, -2, "tessera");
    lua_pop(L, 1);
}

void tslua_preload(lua_State *L, ts_ctx *ctx)
{
    lua_pushlightuserdata(L, ctx);
    lua_rawsetp(L, LUA_REGISTRYINDEX, &ctx_key);
    luaL_getsubtable(L, LUA_REGISTRYINDEX, LUA_PRELOAD_TABLE);
    lua_pushcfunction(L, open_module);
    lua_setfield(L, -2, "tessera");
    lua_pop(L, 1);
}
