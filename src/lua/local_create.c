/* local_create.c — local arrays made from Lua values: ts.asarray(v [,
 * dtype]) everywhere (a number, a boolean, nested lists of them, or a local
 * array), and inside tasks ts.zeros, ts.ones, ts.full and ts.arange, which
 * there make local arrays (a task has no lazy arrays): what a Dask user
 * writes with NumPy inside a delayed function. Dtypes follow NumPy: all
 * booleans -> bool, integers -> int64, any float -> float64. */
#include <string.h>

#include "lua/binding.h"

typedef struct list_shape {
    int ndim;
    int64_t shape[TS_MAXDIM];
    ts_dtype dtype; /* widest element kind seen */
    bool any;
} list_shape;

/* The shape of nested lists at idx (rectangular), and their element kind. */
static void measure(lua_State *L, int idx, int depth, list_shape *s, const char *fname)
{
    if (lua_istable(L, idx)) {
        int64_t n = (int64_t)lua_rawlen(L, idx);
        if (depth >= TS_MAXDIM)
            tslua_argerror(L, 1, fname, "lists nested more than %d deep", TS_MAXDIM);
        if (depth == s->ndim) {
            if (s->any)
                tslua_argerror(L, 1, fname, "the lists are not rectangular (a list where a number was)");
            s->shape[s->ndim++] = n;
        } else if (s->shape[depth] != n) {
            tslua_argerror(L, 1, fname, "the lists are not rectangular: lengths %lld and %lld at depth %d",
                           (long long)s->shape[depth], (long long)n, depth + 1);
        }
        luaL_checkstack(L, 2, "lists nested too deep");
        for (int64_t i = 1; i <= n; i++) {
            lua_rawgeti(L, idx, (lua_Integer)i);
            measure(L, lua_gettop(L), depth + 1, s, fname);
            lua_pop(L, 1);
        }
        return;
    }
    ts_scalar v;
    if (!tslua_args_scalar(L, idx, &v))
        tslua_argerror(L, 1, fname, "numbers, booleans or lists of them expected, got %s",
                       tslua_typename(L, idx));
    if (depth != s->ndim)
        tslua_argerror(L, 1, fname, "the lists are not rectangular (a number where a list was)");
    ts_dtype k = v.kind == TS_SCALAR_BOOL ? TS_BOOL : v.kind == TS_SCALAR_INT ? TS_INT64 : TS_FLOAT64;
    s->dtype = !s->any || k > s->dtype ? k : s->dtype;
    s->any = true;
}

/* Writes the elements at idx in C order, as float64 or int64 values. */
static void fill(lua_State *L, int idx, ts_dtype dt, unsigned char **at)
{
    if (lua_istable(L, idx)) {
        int64_t n = (int64_t)lua_rawlen(L, idx);
        for (int64_t i = 1; i <= n; i++) {
            lua_rawgeti(L, idx, (lua_Integer)i);
            fill(L, lua_gettop(L), dt, at);
            lua_pop(L, 1);
        }
        return;
    }
    ts_scalar v;
    tslua_args_scalar(L, idx, &v);
    if (dt == TS_FLOAT64) {
        double f = v.kind == TS_SCALAR_FLOAT ? v.f : v.kind == TS_SCALAR_INT ? (double)v.i : (double)v.b;
        memcpy(*at, &f, 8);
        *at += 8;
    } else if (dt == TS_INT64) {
        int64_t i = v.kind == TS_SCALAR_INT ? v.i : (int64_t)v.b;
        memcpy(*at, &i, 8);
        *at += 8;
    } else {
        **at = (unsigned char)v.b;
        *at += 1;
    }
}

static int pushed(lua_State *L, ts_status st, ts_local *v, const char *msg)
{
    if (st != TS_OK)
        return luaL_error(L, "%s", msg[0] ? msg : "not enough memory");
    tslua_local_push(L, v);
    return 1;
}

/* ts.asarray(v [, dtype]) */
static int l_asarray(lua_State *L)
{
    bool cast = !lua_isnoneornil(L, 2);
    ts_dtype want = cast ? tslua_args_dtype(L, 2, 2, "asarray") : TS_FLOAT64;
    char msg[512] = "";
    ts_local *v = NULL, *out = NULL;
    ts_status st = TS_OK;
    if (luaL_testudata(L, 1, TSLUA_LOCAL_MT)) {
        v = ts_local_copy(tslua_local_check(L, 1));
    } else {
        list_shape s = {.dtype = TS_BOOL};
        measure(L, 1, 0, &s, "asarray");
        if (!s.any && s.ndim > 0)
            s.dtype = TS_FLOAT64; /* NumPy: an empty list is float64 */
        v = ts_local_create(s.dtype, s.ndim, s.shape);
        if (v) {
            unsigned char *at = ts_local_data_mut(v);
            fill(L, 1, s.dtype, &at);
        }
    }
    if (!v)
        return luaL_error(L, "not enough memory");
    tslua_local_push(L, v); /* owned by the stack while converting */
    if (!cast || ts_local_dtype(v) == want)
        return 1;
    st = ts_local_astype(v, want, &out, msg, sizeof msg);
    return pushed(L, st, out, msg);
}

/* Inside tasks: ones, zeros, full(shape, value), arange([start,] stop [,
 * step]), each with {dtype =}. */
static int make_full(lua_State *L, const char *fname, ts_scalar value, int optarg, bool float_default)
{
    int ndim = 0;
    int64_t shape[TS_MAXDIM];
    if (!lua_isnoneornil(L, 1))
        tslua_args_shape(L, 1, fname, &ndim, shape);
    tslua_create_args a;
    tslua_args_create(L, optarg, fname, ndim, TSLUA_OPT_DTYPE, &a);
    if (float_default && !a.opts.dtype_set) {
        a.opts.dtype = TS_FLOAT64;
        a.opts.dtype_set = true;
    }
    ts_local *out = NULL;
    char msg[512] = "";
    ts_status st = ts_local_full(ndim, shape, value, &a.opts, &out, msg, sizeof msg);
    return pushed(L, st, out, msg);
}

static int l_ones(lua_State *L)
{
    return make_full(L, "ones", (ts_scalar){.kind = TS_SCALAR_FLOAT, .f = 1}, 2, true);
}
static int l_zeros(lua_State *L)
{
    return make_full(L, "zeros", (ts_scalar){.kind = TS_SCALAR_FLOAT}, 2, true);
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
    tslua_args_create(L, optarg, "arange", 1, TSLUA_OPT_DTYPE, &a);
    ts_local *out = NULL;
    char msg[512] = "";
    ts_status st = ts_local_arange(start, stop, step, &a.opts, &out, msg, sizeof msg);
    return pushed(L, st, out, msg);
}

void tslua_local_create_register(lua_State *L, int mod, bool in_task)
{
    mod = lua_absindex(L, mod);
    lua_pushcfunction(L, l_asarray);
    lua_setfield(L, mod, "asarray");
    if (!in_task)
        return;
    static const luaL_Reg fns[] = {
        {"ones", l_ones}, {"zeros", l_zeros}, {"full", l_full}, {"arange", l_arange}, {NULL, NULL}};
    lua_pushvalue(L, mod);
    luaL_setfuncs(L, fns, 0);
    lua_pop(L, 1);
}
