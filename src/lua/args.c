/* args.c — reading shapes, chunk specs, dtypes, axes and options tables from
 * Lua values into the structs of tessera.h. Every mistake is raised as an
 * argument error that says what was expected and what was given; values
 * are only checked for form here, the C API checks them against the array.
 *
 * Chunk specs, as Dask writes them (ndim is known from the shape):
 *   1000                    every axis in blocks of 1000 (-1: whole axes)
 *   "auto", "100 MiB"       auto on every axis (with that byte target)
 *   {1000, -1, "auto"}      per axis: a block size, whole axis, auto, or
 *   {{3, 3, 4}, 5}          a table of explicit sizes
 *   {[0] = -1, [2] = 100}   a dict of 0-based axes; missing axes are whole.
 * A table is a dict when it has key 0 or any key that is not 1..#t. */
#include <string.h>

#include "lua/binding.h"

bool tslua_args_int(lua_State *L, int idx, int64_t *out)
{
    int isnum = 0;
    if (lua_type(L, idx) != LUA_TNUMBER)
        return false;
    lua_Integer v = lua_tointegerx(L, idx, &isnum);
    if (!isnum)
        return false;
    *out = (int64_t)v;
    return true;
}

bool tslua_args_scalar(lua_State *L, int idx, ts_scalar *out)
{
    memset(out, 0, sizeof *out);
    if (lua_type(L, idx) == LUA_TBOOLEAN) {
        out->kind = TS_SCALAR_BOOL;
        out->b = lua_toboolean(L, idx);
    } else if (lua_isinteger(L, idx)) {
        out->kind = TS_SCALAR_INT;
        out->i = (int64_t)lua_tointeger(L, idx);
    } else if (lua_type(L, idx) == LUA_TNUMBER) {
        out->kind = TS_SCALAR_FLOAT;
        out->f = (double)lua_tonumber(L, idx);
    } else {
        return false;
    }
    return true;
}

ts_scalar tslua_args_fill_value(lua_State *L, int idx, const char *fname)
{
    ts_scalar v;
    if (!tslua_args_scalar(L, idx, &v))
        tslua_argerror(L, idx, fname, "fill value expected: a number or a boolean, got %s",
                       tslua_typename(L, idx));
    return v;
}

bool tslua_args_is_list(lua_State *L, int idx)
{
    if (!lua_istable(L, idx))
        return false;
    idx = lua_absindex(L, idx);
    lua_Integer n = (lua_Integer)lua_rawlen(L, idx);
    lua_pushnil(L);
    while (lua_next(L, idx)) {
        lua_pop(L, 1);
        lua_Integer k = lua_isinteger(L, -1) ? lua_tointeger(L, -1) : 0;
        if (k < 1 || k > n) {
            lua_pop(L, 1);
            return false;
        }
    }
    return true;
}

const char *tslua_show(lua_State *L, int idx)
{
    int t = lua_type(L, idx);
    if (t == LUA_TNUMBER)
        return lua_pushfstring(L, "%s", luaL_tolstring(L, idx, NULL));
    if (t == LUA_TSTRING)
        return lua_pushfstring(L, "'%s'", lua_tostring(L, idx));
    return tslua_typename(L, idx);
}

static const char SHAPE_EXPECTED[] = "shape expected: a table of non-negative integers or an integer";

static void shape_entry(lua_State *L, int idx, int arg, const char *fname, int axis, int64_t *out)
{
    if (!tslua_args_int(L, idx, out))
        tslua_argerror(L, arg, fname, "%s, got %s for axis %d", SHAPE_EXPECTED, tslua_show(L, idx), axis);
    if (*out < 0)
        tslua_argerror(L, arg, fname, "negative dimensions are not allowed (axis %d has %I)", axis,
                       (lua_Integer)*out);
}

void tslua_args_shape(lua_State *L, int idx, const char *fname, int *ndim, int64_t *shape)
{
    int arg = idx;
    idx = lua_absindex(L, idx);
    if (lua_type(L, idx) == LUA_TNUMBER) {
        *ndim = 1;
        shape_entry(L, idx, arg, fname, 0, &shape[0]);
        return;
    }
    if (!lua_istable(L, idx))
        tslua_argerror(L, arg, fname, "%s, got %s", SHAPE_EXPECTED, tslua_typename(L, idx));
    if (!tslua_args_is_list(L, idx))
        tslua_argerror(L, arg, fname, "%s, got a table that is not a list (an options table?)",
                       SHAPE_EXPECTED);
    lua_Integer n = (lua_Integer)lua_rawlen(L, idx);
    if (n > TS_MAXDIM)
        tslua_argerror(L, arg, fname, "shape has %I axes, at most %d are supported", n, TS_MAXDIM);
    for (int i = 0; i < (int)n; i++) {
        lua_rawgeti(L, idx, i + 1);
        shape_entry(L, -1, arg, fname, i, &shape[i]);
        lua_pop(L, 1);
    }
    *ndim = (int)n;
}

/* ---------------------------------------------------------------- chunks */

static const char CHUNKS_EXPECTED[] =
    "chunks expected: an integer, 'auto', a byte size such as '100 MiB', or a table of per-axis chunks";
static const char AXIS_CHUNKS_EXPECTED[] = "expected an integer, -1, 'auto' or a table of sizes";

/* Explicit sizes of one axis: copied into a scratch userdata pushed on the
 * stack, which keeps them alive while the spec is in use. */
static void chunk_list(lua_State *L, int idx, int arg, const char *fname, int axis, ts_axis_chunks *out)
{
    lua_Integer n = (lua_Integer)lua_rawlen(L, idx);
    if (!tslua_args_is_list(L, idx))
        tslua_argerror(L, arg, fname, "chunks for axis %d: explicit sizes must be a list of integers", axis);
    int64_t *sizes = lua_newuserdatauv(L, (size_t)(n > 0 ? n : 1) * sizeof *sizes, 0);
    for (lua_Integer i = 0; i < n; i++) {
        lua_rawgeti(L, idx, i + 1);
        if (!tslua_args_int(L, -1, &sizes[i]))
            tslua_argerror(L, arg, fname, "chunks for axis %d: explicit sizes must be integers, got %s", axis,
                           tslua_show(L, -1));
        lua_pop(L, 1);
    }
    out->kind = TS_CHUNK_LIST;
    out->sizes = sizes;
    out->nsizes = (int64_t)n;
}

/* One axis entry; may push a scratch userdata (see chunk_list). */
static void chunk_axis(lua_State *L, int idx, int arg, const char *fname, int axis, ts_axis_chunks *out)
{
    idx = lua_absindex(L, idx);
    memset(out, 0, sizeof *out);
    int64_t n = 0;
    if (tslua_args_int(L, idx, &n)) {
        out->kind = n == -1 ? TS_CHUNK_FULL : TS_CHUNK_SIZE;
        out->size = n;
    } else if (lua_type(L, idx) == LUA_TSTRING && strcmp(lua_tostring(L, idx), "auto") == 0) {
        out->kind = TS_CHUNK_AUTO;
    } else if (lua_istable(L, idx)) {
        chunk_list(L, idx, arg, fname, axis, out);
    } else {
        tslua_argerror(L, arg, fname, "chunks for axis %d: %s, got %s", axis, AXIS_CHUNKS_EXPECTED,
                       tslua_show(L, idx));
    }
}

static void chunks_dict(lua_State *L, int idx, int arg, const char *fname, int ndim, ts_chunkspec *out)
{
    lua_pushnil(L);
    while (lua_next(L, idx)) {
        lua_pop(L, 1);
        lua_Integer k = lua_isinteger(L, -1) ? lua_tointeger(L, -1) : ndim;
        if (k < -ndim || k >= ndim)
            tslua_argerror(L, arg, fname, "chunks: dict keys must be axes from 0 to %d, got %s", ndim - 1,
                           tslua_show(L, -1));
    }
    out->naxes = ndim;
    for (int i = 0; i < ndim; i++) {
        int pos = lua_rawgeti(L, idx, i) != LUA_TNIL;
        int neg = lua_rawgeti(L, idx, i - ndim) != LUA_TNIL;
        if (pos && neg)
            tslua_argerror(L, arg, fname, "chunks: axis %d given twice (as %d and %d)", i, i, i - ndim);
        int top = lua_gettop(L);
        int val = pos ? top - 1 : top;
        if (!pos && !neg) {
            out->axis[i].kind = TS_CHUNK_FULL;
            lua_pop(L, 2);
            continue;
        }
        chunk_axis(L, val, arg, fname, i, &out->axis[i]);
        /* drop the two looked-up values, keep any scratch pushed above */
        lua_remove(L, top);
        lua_remove(L, top - 1);
    }
}

void tslua_args_chunks(lua_State *L, int idx, int arg, const char *fname, int ndim, ts_chunkspec *out)
{
    idx = lua_absindex(L, idx);
    memset(out, 0, sizeof *out);
    luaL_checkstack(L, TS_MAXDIM + 8, "too many chunk axes");
    int64_t n = 0;
    if (tslua_args_int(L, idx, &n)) {
        if (ndim > TS_MAXDIM)
            tslua_argerror(L, arg, fname, "at most %d axes are supported", TS_MAXDIM);
        out->naxes = ndim;
        for (int i = 0; i < ndim; i++) {
            out->axis[i].kind = n == -1 ? TS_CHUNK_FULL : TS_CHUNK_SIZE;
            out->axis[i].size = n;
        }
    } else if (lua_type(L, idx) == LUA_TSTRING) {
        const char *s = lua_tostring(L, idx);
        if (strcmp(s, "auto") != 0 && ts_parse_nbytes(s, &out->limit_nbytes) != TS_OK)
            tslua_argerror(L, arg, fname,
                           "chunks: cannot read '%s' as 'auto' or a byte size such as '100 MiB'", s);
    } else if (lua_istable(L, idx)) {
        bool empty = (lua_pushnil(L), lua_next(L, idx) == 0);
        if (!empty)
            lua_pop(L, 2);
        if (empty || !tslua_args_is_list(L, idx)) {
            chunks_dict(L, idx, arg, fname, ndim, out);
            return;
        }
        lua_Integer len = (lua_Integer)lua_rawlen(L, idx);
        if (len > TS_MAXDIM)
            tslua_argerror(L, arg, fname, "chunks has %I entries, at most %d axes are supported", len,
                           TS_MAXDIM);
        out->naxes = (int)len;
        for (int i = 0; i < (int)len; i++) {
            lua_rawgeti(L, idx, i + 1);
            int val = lua_gettop(L);
            chunk_axis(L, val, arg, fname, i, &out->axis[i]);
            lua_remove(L, val);
        }
    } else {
        tslua_argerror(L, arg, fname, "%s, got %s", CHUNKS_EXPECTED, tslua_typename(L, idx));
    }
}

/* ---------------------------------------------------------------- dtype */

ts_dtype tslua_args_dtype(lua_State *L, int idx, int arg, const char *fname)
{
    ts_dtype d = TS_FLOAT64;
    if (lua_type(L, idx) != LUA_TSTRING || ts_dtype_from_name(lua_tostring(L, idx), &d) != TS_OK)
        tslua_argerror(L, arg, fname,
                       "dtype expected: 'float64', 'float32', 'int64', 'int32' or 'bool', got %s",
                       tslua_show(L, idx));
    return d;
}

/* --------------------------------------------------------------- options */

/* Raises an error for a key of the options table at idx that is not in
 * names (a NULL-terminated list). */
static void check_keys(lua_State *L, int idx, int arg, const char *fname, const char *const *names)
{
    lua_pushnil(L);
    while (lua_next(L, idx)) {
        lua_pop(L, 1);
        bool known = false;
        if (lua_type(L, -1) == LUA_TSTRING)
            for (int i = 0; names[i] && !known; i++)
                known = strcmp(lua_tostring(L, -1), names[i]) == 0;
        if (known)
            continue;
        luaL_Buffer b;
        luaL_buffinit(L, &b);
        for (int i = 0; names[i]; i++) {
            luaL_addstring(&b, i ? ", " : "");
            luaL_addstring(&b, names[i]);
        }
        luaL_pushresult(&b);
        const char *expected = lua_tostring(L, -1);
        const char *key = tslua_show(L, -2);
        tslua_argerror(L, arg, fname, "unknown option %s (expected %s)", key, expected);
    }
}

void tslua_args_create(lua_State *L, int arg, const char *fname, int ndim, unsigned allowed,
                       tslua_create_args *out)
{
    memset(out, 0, sizeof *out);
    out->endpoint = true;
    out->chunks.naxes = 0;
    if (lua_isnoneornil(L, arg))
        return;
    if (!lua_istable(L, arg))
        tslua_argerror(L, arg, fname, "options table expected, got %s", tslua_typename(L, arg));
    const char *names[5];
    int n = 0;
    static const char *const all[] = {"chunks", "dtype", "seed", "endpoint"};
    for (int i = 0; i < 4; i++)
        if (allowed & (1u << i))
            names[n++] = all[i];
    names[n] = NULL;
    check_keys(L, arg, arg, fname, names);

    if (lua_getfield(L, arg, "chunks") != LUA_TNIL) {
        int val = lua_gettop(L);
        tslua_args_chunks(L, val, arg, fname, ndim, &out->chunks);
        out->opts.chunks = &out->chunks;
        lua_remove(L, val); /* scratch pushed above stays */
    } else {
        lua_pop(L, 1);
    }
    if (lua_getfield(L, arg, "dtype") != LUA_TNIL) {
        out->opts.dtype = tslua_args_dtype(L, -1, arg, fname);
        out->opts.dtype_set = true;
    }
    lua_pop(L, 1);
    if (lua_getfield(L, arg, "seed") != LUA_TNIL) {
        int64_t seed = 0;
        if (!tslua_args_int(L, -1, &seed) || seed < 0)
            tslua_argerror(L, arg, fname, "seed expected: a non-negative integer, got %s", tslua_show(L, -1));
        out->opts.seed = (uint64_t)seed;
        out->opts.seed_set = true;
    }
    lua_pop(L, 1);
    if (lua_getfield(L, arg, "endpoint") != LUA_TNIL) {
        if (!lua_isboolean(L, -1))
            tslua_argerror(L, arg, fname, "endpoint expected: a boolean, got %s", tslua_show(L, -1));
        out->endpoint = lua_toboolean(L, -1);
    }
    lua_pop(L, 1);
}

/* ------------------------------------------------------------ reductions */

static int clamp_axis(int64_t a)
{
    /* out-of-range values stay out of range so the C API reports them */
    return a > TS_MAXDIM * 4 ? TS_MAXDIM * 4 : a < -TS_MAXDIM * 4 ? -TS_MAXDIM * 4 : (int)a;
}

static const char AXIS_EXPECTED[] = "axis expected: an integer or a table of integers";

static void axes_from(lua_State *L, int idx, int arg, const char *fname, ts_reduce_opts *out)
{
    int64_t a = 0;
    if (tslua_args_int(L, idx, &a)) {
        out->naxes = 1;
        out->axes[0] = clamp_axis(a);
        return;
    }
    if (!tslua_args_is_list(L, idx))
        tslua_argerror(L, arg, fname, "%s, got %s", AXIS_EXPECTED, tslua_show(L, idx));
    lua_Integer n = (lua_Integer)lua_rawlen(L, idx);
    if (n > TS_MAXDIM)
        tslua_argerror(L, arg, fname, "axis has %I entries, at most %d are supported", n, TS_MAXDIM);
    for (int i = 0; i < (int)n; i++) {
        lua_rawgeti(L, idx, i + 1);
        if (!tslua_args_int(L, -1, &a))
            tslua_argerror(L, arg, fname, "%s, got %s in the axis table", AXIS_EXPECTED, tslua_show(L, -1));
        out->axes[i] = clamp_axis(a);
        lua_pop(L, 1);
    }
    out->naxes = (int)n;
}

static void reduce_table(lua_State *L, int arg, const char *fname, bool with_ddof, bool axis_given,
                         ts_reduce_opts *out)
{
    static const char *const with[] = {"axis", "keepdims", "ddof", NULL};
    static const char *const without[] = {"axis", "keepdims", NULL};
    check_keys(L, arg, arg, fname, with_ddof ? with : without);
    if (lua_getfield(L, arg, "axis") != LUA_TNIL) {
        if (axis_given)
            tslua_argerror(L, arg, fname, "axis given twice (as an argument and in the options table)");
        axes_from(L, lua_gettop(L), arg, fname, out);
    }
    lua_pop(L, 1);
    if (lua_getfield(L, arg, "keepdims") != LUA_TNIL) {
        if (!lua_isboolean(L, -1))
            tslua_argerror(L, arg, fname, "keepdims expected: a boolean, got %s", tslua_show(L, -1));
        out->keepdims = lua_toboolean(L, -1);
    }
    lua_pop(L, 1);
    if (with_ddof && lua_getfield(L, arg, "ddof") != LUA_TNIL) {
        int64_t d = 0;
        if (!tslua_args_int(L, -1, &d) || d < -1000000 || d > 1000000)
            tslua_argerror(L, arg, fname, "ddof expected: an integer, got %s", tslua_show(L, -1));
        out->ddof = (int)d;
    }
    if (with_ddof)
        lua_pop(L, 1);
}

void tslua_args_reduce(lua_State *L, int arg, const char *fname, bool with_ddof, ts_reduce_opts *out)
{
    memset(out, 0, sizeof *out);
    out->naxes = -1;
    bool axis_given = false;
    int t = lua_type(L, arg);
    bool options = t == LUA_TTABLE && (lua_rawlen(L, arg) == 0 || !tslua_args_is_list(L, arg));
    if (t == LUA_TNUMBER || (t == LUA_TTABLE && !options)) {
        axes_from(L, arg, arg, fname, out);
        axis_given = true;
        arg++;
    } else if (t == LUA_TNIL && lua_istable(L, arg + 1)) {
        arg++;
    } else if (t != LUA_TNONE && t != LUA_TNIL && !options) {
        tslua_argerror(L, arg, fname, "axis or options table {axis=, keepdims=%s} expected, got %s",
                       with_ddof ? ", ddof=" : "", tslua_typename(L, arg));
    }
    if (lua_isnoneornil(L, arg))
        return;
    if (!lua_istable(L, arg))
        tslua_argerror(L, arg, fname, "options table expected, got %s", tslua_typename(L, arg));
    reduce_table(L, arg, fname, with_ddof, axis_given, out);
}

int tslua_args_arange(lua_State *L, ts_scalar *start_out, ts_scalar *stop_out, ts_scalar *step_out)
{
    int n = lua_gettop(L);
    int optarg = n >= 1 && lua_istable(L, n) ? n : n + 1;
    int nnum = optarg - 1;
    if (nnum < 1 || nnum > 3) {
        int bad = nnum < 1 ? 1 : 4;
        tslua_argerror(L, bad, "arange", "%s expected, got %s", bad == 1 ? "number" : "options table",
                       tslua_typename(L, bad));
    }
    ts_scalar v[3];
    bool any_float = false;
    for (int i = 0; i < nnum; i++) {
        if (lua_type(L, i + 1) != LUA_TNUMBER || !tslua_args_scalar(L, i + 1, &v[i]))
            tslua_argerror(L, i + 1, "arange", "number expected, got %s", tslua_typename(L, i + 1));
        any_float = any_float || v[i].kind == TS_SCALAR_FLOAT;
    }
    ts_scalar start = {.kind = TS_SCALAR_INT, .i = 0}, step = {.kind = TS_SCALAR_INT, .i = 1};
    ts_scalar stop = nnum == 1 ? v[0] : v[1];
    if (nnum >= 2)
        start = v[0];
    if (nnum == 3)
        step = v[2];
    if (any_float) { /* np.arange(0, 1, 0.1): every bound is a float */
        ts_scalar *all[3] = {&start, &stop, &step};
        for (int i = 0; i < 3; i++)
            if (all[i]->kind == TS_SCALAR_INT)
                *all[i] = (ts_scalar){.kind = TS_SCALAR_FLOAT, .f = (double)all[i]->i};
    }
    *start_out = start;
    *stop_out = stop;
    *step_out = step;
    return optarg;
}
