/* map_blocks.c — x:map_blocks(fn, opts), ts.map_blocks(fn, a, b, ...,
 * opts), x:map_overlap(fn, opts) and ts.map_overlap: a Lua function run on
 * every block by the workers (the kernel "lua", runner.c). The function is
 * encoded here, at the script line that asks for it, so a function that
 * cannot travel is refused there. It is called as fn(block_a, block_b, ...,
 * index) with each block a local array and index the block's position
 * ({i, j}, 0-based), and returns the block of the result (a local array of
 * the block's shape and the result's dtype, or a number to fill it).
 *
 * Options: dtype (default: the first array's), chunks (the result's block
 * sizes: {3, 4} gives every block that shape, {{3, 3, 4}, 5} lists them on
 * an axis), drop_axis and new_axis (an axis or a list), name (in reports);
 * map_overlap: depth (a number for every axis, a list per axis, or a dict
 * {[0] = 1, [2] = 2}) and boundary ("none" (Dask's default), "reflect",
 * "periodic", "nearest" or a number). */
#include <string.h>

#include "lua/binding.h"

/* A list of axes or one axis at idx. */
static int axes_opt(lua_State *L, int idx, int arg, const char *fname, const char *key, int *axes)
{
    int64_t a;
    if (tslua_args_int(L, idx, &a)) {
        axes[0] = (int)a;
        return 1;
    }
    if (!tslua_args_is_list(L, idx) || lua_rawlen(L, idx) > TS_MAXDIM)
        tslua_argerror(L, arg, fname, "%s expected: an axis or a list of axes, got %s", key,
                       tslua_show(L, idx));
    int n = (int)lua_rawlen(L, idx);
    for (int i = 0; i < n; i++) {
        lua_rawgeti(L, idx, i + 1);
        if (!tslua_args_int(L, -1, &a))
            tslua_argerror(L, arg, fname, "%s expected: integers, got %s", key, tslua_show(L, -1));
        axes[i] = (int)a;
        lua_pop(L, 1);
    }
    return n;
}

/* chunks: a list per axis of a block size or a table of sizes. The
 * sizes live in userdata kept in the table at keep. */
static void chunks_opt(lua_State *L, int idx, int arg, const char *fname, int keep, ts_chunkspec *spec)
{
    int64_t v;
    memset(spec, 0, sizeof *spec);
    if (tslua_args_int(L, idx, &v)) {
        spec->naxes = 1;
        spec->axis[0] = (ts_axis_chunks){.kind = TS_CHUNK_SIZE, .size = v};
        return;
    }
    if (!tslua_args_is_list(L, idx) || lua_rawlen(L, idx) > TS_MAXDIM)
        tslua_argerror(L, arg, fname, "chunks expected: a list of block sizes per axis, got %s",
                       tslua_show(L, idx));
    spec->naxes = (int)lua_rawlen(L, idx);
    for (int d = 0; d < spec->naxes; d++) {
        lua_rawgeti(L, idx, d + 1);
        if (tslua_args_int(L, -1, &v)) {
            spec->axis[d] = (ts_axis_chunks){.kind = TS_CHUNK_SIZE, .size = v};
            lua_pop(L, 1);
            continue;
        }
        if (!tslua_args_is_list(L, -1))
            tslua_argerror(L, arg, fname,
                           "chunks on axis %d expected: a block size or a list of sizes, got %s", d,
                           tslua_show(L, -1));
        int n = (int)lua_rawlen(L, -1);
        int64_t *sizes = lua_newuserdatauv(L, (size_t)(n ? n : 1) * sizeof *sizes, 0);
        for (int k = 0; k < n; k++) {
            lua_rawgeti(L, -2, k + 1);
            if (!tslua_args_int(L, -1, &sizes[k]))
                tslua_argerror(L, arg, fname, "chunks on axis %d expected: integers, got %s", d,
                               tslua_show(L, -1));
            lua_pop(L, 1);
        }
        spec->axis[d] = (ts_axis_chunks){.kind = TS_CHUNK_LIST, .sizes = sizes, .nsizes = n};
        lua_rawseti(L, keep, (lua_Integer)lua_rawlen(L, keep) + 1);
        lua_pop(L, 1);
    }
}

/* depth: a number (every axis), a list per axis, or a dict of 0-based axes. */
static void depth_opt(lua_State *L, int idx, int arg, const char *fname, int ndim, int64_t *depth)
{
    int64_t v;
    for (int d = 0; d < TS_MAXDIM; d++)
        depth[d] = 0;
    if (tslua_args_int(L, idx, &v)) {
        for (int d = 0; d < ndim; d++)
            depth[d] = v;
        return;
    }
    if (!lua_istable(L, idx))
        tslua_argerror(L, arg, fname,
                       "depth expected: an integer, a list per axis or {[axis] = depth}, got %s",
                       tslua_show(L, idx));
    bool dict = !tslua_args_is_list(L, idx);
    lua_pushnil(L);
    while (lua_next(L, idx)) {
        int64_t k;
        if (!tslua_args_int(L, -2, &k) || !tslua_args_int(L, -1, &v))
            tslua_argerror(L, arg, fname, "depth expected: integer axes and depths, got %s = %s",
                           tslua_show(L, -2), tslua_show(L, -1));
        int64_t axis = dict ? k : k - 1;
        axis = axis < 0 ? axis + ndim : axis;
        if (axis < 0 || axis >= ndim)
            tslua_argerror(L, arg, fname, "depth: axis %d is out of bounds for %d dimensions",
                           (int)(dict ? k : k - 1), ndim);
        depth[axis] = v;
        lua_pop(L, 1);
    }
}

static void boundary_opt(lua_State *L, int idx, int arg, const char *fname, ts_map_blocks_opts *o)
{
    static const char *const names[] = {"reflect", "periodic", "nearest", "none", NULL};
    if (lua_type(L, idx) == LUA_TNUMBER) {
        o->boundary = TS_BOUNDARY_CONSTANT;
        o->boundary_value = (double)lua_tonumber(L, idx);
        return;
    }
    const char *s = lua_tostring(L, idx);
    for (int i = 0; s && names[i]; i++)
        if (strcmp(s, names[i]) == 0) {
            o->boundary = (ts_boundary)i;
            return;
        }
    tslua_argerror(L, arg, fname,
                   "boundary expected: 'none', 'reflect', 'periodic', 'nearest' or a number, got %s",
                   tslua_show(L, idx));
}

/* Reads the options table at arg (absent or nil: defaults). Pushes a
 * table that keeps scratch values alive: leave it until the call. */
static void read_opts(lua_State *L, int arg, const char *fname, bool overlap, int ndim, ts_map_blocks_opts *o)
{
    memset(o, 0, sizeof *o);
    o->overlap = overlap;
    o->boundary = TS_BOUNDARY_NONE;
    lua_newtable(L);
    int keep = lua_gettop(L);
    if (lua_isnoneornil(L, arg))
        return;
    if (!lua_istable(L, arg))
        tslua_argerror(L, arg, fname, "options table expected, got %s", tslua_typename(L, arg));
    lua_pushnil(L);
    while (lua_next(L, arg)) {
        const char *key = lua_type(L, -2) == LUA_TSTRING ? lua_tostring(L, -2) : "";
        int v = lua_gettop(L);
        if (strcmp(key, "dtype") == 0) {
            o->dtype = tslua_args_dtype(L, v, arg, fname);
            o->dtype_set = true;
        } else if (strcmp(key, "name") == 0 && lua_type(L, v) == LUA_TSTRING) {
            o->label = lua_tostring(L, v);
        } else if (!overlap && strcmp(key, "chunks") == 0) {
            ts_chunkspec *spec = lua_newuserdatauv(L, sizeof *spec, 0);
            lua_rawseti(L, keep, (lua_Integer)lua_rawlen(L, keep) + 1);
            chunks_opt(L, v, arg, fname, keep, spec);
            o->chunks = spec;
        } else if (!overlap && strcmp(key, "drop_axis") == 0) {
            o->ndrop = axes_opt(L, v, arg, fname, key, o->drop_axis);
        } else if (!overlap && strcmp(key, "new_axis") == 0) {
            o->nnew = axes_opt(L, v, arg, fname, key, o->new_axis);
        } else if (overlap && strcmp(key, "depth") == 0) {
            depth_opt(L, v, arg, fname, ndim, o->depth);
        } else if (overlap && strcmp(key, "boundary") == 0) {
            boundary_opt(L, v, arg, fname, o);
        } else {
            tslua_argerror(L, arg, fname, "unknown option %s (%s takes %s)", tslua_show(L, -2), fname,
                           overlap ? "depth, boundary, dtype, name"
                                   : "dtype, chunks, drop_axis, new_axis, name");
        }
        lua_settop(L, v - 1);
    }
}

/* The shared body: fn at fnarg, arrays from first to last, options at optarg. */
static int map(lua_State *L, const char *fname, bool overlap, int fnarg, int first, int last, int optarg)
{
    if (!lua_isfunction(L, fnarg))
        return tslua_argerror(L, fnarg, fname, "function expected, got %s", tslua_typename(L, fnarg));
    int n = last - first + 1;
    if (n < 1)
        return tslua_argerror(L, first, fname, "array expected, got no value");
    if (n > 8)
        return tslua_argerror(L, first + 8, fname, "at most 8 arrays can be mapped together");
    ts_array *xs[8];
    int ndim = 0;
    for (int i = 0; i < n; i++) {
        xs[i] = tslua_array_test(L, first + i);
        if (!xs[i])
            return tslua_argerror(L, first + i, fname, "array expected, got %s",
                                  tslua_typename(L, first + i));
        ndim = ts_array_ndim(xs[i]) > ndim ? ts_array_ndim(xs[i]) : ndim;
    }
    ts_map_blocks_opts o;
    read_opts(L, optarg, fname, overlap, ndim, &o);
    tslua_buf *b = tslua_buf_push(L);
    tslua_value_put(L, b, fnarg, 0, lua_pushfstring(L, "the function given to %s", fname));
    ts_array **slot = tslua_array_push(L, NULL), *out = NULL;
    if (ts_array_map_blocks(tslua_ctx(L), n, xs, tslua_runner_block_fn(), b->data, b->len, &o, &out) != TS_OK)
        return tslua_fail(L);
    *slot = out;
    return 1;
}

/* x:map_blocks(fn [, opts]) */
static int l_method(lua_State *L)
{
    bool overlap = lua_toboolean(L, lua_upvalueindex(1));
    const char *fname = overlap ? "map_overlap" : "map_blocks";
    lua_settop(L, 3);
    return map(L, fname, overlap, 2, 1, 1, 3);
}

/* ts.map_blocks(fn, a, b, ... [, opts]) */
static int l_function(lua_State *L)
{
    bool overlap = lua_toboolean(L, lua_upvalueindex(1));
    const char *fname = overlap ? "map_overlap" : "map_blocks";
    int top = lua_gettop(L);
    bool has_opts = top >= 2 && lua_istable(L, top) && !luaL_testudata(L, top, TSLUA_ARRAY_MT);
    int last = has_opts ? top - 1 : top;
    if (!has_opts)
        lua_pushnil(L);
    return map(L, fname, overlap, 1, 2, last, last + 1);
}

void tslua_map_blocks_register(lua_State *L, int mod, int methods)
{
    mod = lua_absindex(L, mod);
    methods = lua_absindex(L, methods);
    for (int overlap = 0; overlap <= 1; overlap++) {
        const char *name = overlap ? "map_overlap" : "map_blocks";
        lua_pushboolean(L, overlap);
        lua_pushcclosure(L, l_method, 1);
        lua_setfield(L, methods, name);
        lua_pushboolean(L, overlap);
        lua_pushcclosure(L, l_function, 1);
        lua_setfield(L, mod, name);
    }
}
