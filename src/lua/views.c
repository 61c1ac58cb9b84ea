/* views.c — structural views in scripts: x:slice (NumPy basic indexing as
 * text "5:100:3, ..., None, -1" or as a table), transposes (x:transpose,
 * x.T, ts.moveaxis, ts.swapaxes), squeeze, expand_dims, broadcast_to and
 * x:rechunk. Everything here only reads arguments into the ts_index, axis
 * and chunk-spec forms of tessera.h; the C API checks them against the
 * array, so a mistake is reported once, in NumPy's words. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lua/binding.h"

/* ts.newaxis: a light userdata whose address nothing else uses. */
static const char newaxis_key = 'n';

/* Out-of-range axes stay out of range (and fit an int) so that the C API
 * reports them with their value. */
static int clamp_axis(int64_t a)
{
    const int64_t lim = 4 * TS_MAXDIM;
    return (int)(a > lim ? lim : a < -lim ? -lim : a);
}

/* The result of a C API call that built into a slot pushed before it. */
static int built(lua_State *L, ts_status st) { return st == TS_OK ? 1 : tslua_fail(L); }

/* ------------------------------------------------------------ slice text */

/* Room for the items of an index text: its commas plus one. */
static int count_items(const char *s)
{
    int n = 1;
    for (; *s; s++)
        n += *s == ',';
    return n;
}

/* Reads index text into idx (room for cap items) through the C API's
 * parser; its message becomes this argument's error. */
static int text_items(lua_State *L, int arg, const char *fname, const char *s, int first_item, int cap,
                      ts_index *idx)
{
    int n = 0;
    char msg[1024];
    if (ts_index_parse(s, first_item, cap, idx, &n, msg, sizeof msg) != TS_OK)
        tslua_argerror(L, arg, fname, "%s", msg);
    return n;
}

/* ----------------------------------------------------------- slice table */

static int64_t slice_part(lua_State *L, int arg, const char *fname, int item, int t, int pos,
                          const char *name, bool *has)
{
    int tp = lua_rawgeti(L, t, pos);
    int tn = lua_getfield(L, t, name);
    if (tp != LUA_TNIL && tn != LUA_TNIL)
        tslua_argerror(L, arg, fname, "slice item %d: %s given twice (at [%d] and as %s=)", item, name, pos,
                       name);
    int64_t v = 0;
    *has = tp != LUA_TNIL || tn != LUA_TNIL;
    int at = tp != LUA_TNIL ? -2 : -1;
    if (*has && !tslua_args_int(L, at, &v))
        tslua_argerror(L, arg, fname, "slice item %d: %s expected: an integer or nil, got %s", item, name,
                       tslua_show(L, at));
    lua_pop(L, 2);
    return v;
}

/* A slice table: {start, stop, step} with nil for a missing part, or
 * {start =, stop =, step =}; Lua keeps t[3] even when t[1] is nil. */
static void table_slice(lua_State *L, int arg, const char *fname, int item, int t, ts_index *out)
{
    lua_pushnil(L);
    while (lua_next(L, t)) {
        lua_pop(L, 1);
        bool ok = lua_isinteger(L, -1)
                      ? lua_tointeger(L, -1) >= 1 && lua_tointeger(L, -1) <= 3
                      : lua_type(L, -1) == LUA_TSTRING && (strcmp(lua_tostring(L, -1), "start") == 0 ||
                                                           strcmp(lua_tostring(L, -1), "stop") == 0 ||
                                                           strcmp(lua_tostring(L, -1), "step") == 0);
        if (!ok)
            tslua_argerror(L, arg, fname,
                           "slice item %d: unexpected key %s (a slice is {start, stop, step} "
                           "or {start =, stop =, step =})",
                           item, tslua_show(L, -1));
    }
    out->kind = TS_INDEX_SLICE;
    out->start = slice_part(L, arg, fname, item, t, 1, "start", &out->has_start);
    out->stop = slice_part(L, arg, fname, item, t, 2, "stop", &out->has_stop);
    out->step = slice_part(L, arg, fname, item, t, 3, "step", &out->has_step);
    if (out->has_step && out->step == 0)
        tslua_argerror(L, arg, fname, "slice item %d: slice step cannot be zero", item);
}

/* One entry of x:slice{...}: an integer, a slice table, "...", "None",
 * ts.newaxis, or any one-item text ("::-1"). */
static void table_item(lua_State *L, int arg, const char *fname, int item, int v, ts_index *out)
{
    memset(out, 0, sizeof *out);
    int64_t i = 0;
    if (tslua_args_int(L, v, &i)) {
        out->kind = TS_INDEX_INT;
        out->i = i;
    } else if (lua_istable(L, v)) {
        table_slice(L, arg, fname, item, v, out);
    } else if (lua_touserdata(L, v) == (void *)&newaxis_key) {
        out->kind = TS_INDEX_NEWAXIS;
    } else if (lua_type(L, v) == LUA_TSTRING) {
        const char *s = lua_tostring(L, v);
        ts_index one[2];
        if (count_items(s) > 2 || text_items(L, arg, fname, s, item, 2, one) != 1)
            tslua_argerror(L, arg, fname, "slice item %d: '%s' is not one index item", item, s);
        *out = one[0];
    } else {
        tslua_argerror(L, arg, fname,
                       "slice item %d: expected an integer, a slice table {start, stop, step}, '...', 'None' "
                       "or ts.newaxis, got %s",
                       item, tslua_show(L, v));
    }
}

/* x:slice(index): text, a table of items, or one integer. */
static int l_slice(lua_State *L)
{
    bool local = luaL_testudata(L, 1, TSLUA_LOCAL_MT) != NULL;
    ts_array *x = local ? NULL : tslua_array_check(L, 1, "slice");
    int n = 0;
    ts_index *idx = NULL;
    int64_t i = 0;
    if (lua_type(L, 2) == LUA_TSTRING) {
        const char *s = lua_tostring(L, 2);
        int cap = count_items(s);
        idx = lua_newuserdatauv(L, (size_t)cap * sizeof *idx, 0);
        n = text_items(L, 2, "slice", s, 1, cap, idx);
    } else if (lua_istable(L, 2)) {
        if (!tslua_args_is_list(L, 2))
            return tslua_argerror(L, 2, "slice",
                                  "index table must be a list of items (integers, slice tables "
                                  "{start, stop, step}, '...', 'None')");
        n = (int)lua_rawlen(L, 2);
        idx = lua_newuserdatauv(L, (size_t)(n > 0 ? n : 1) * sizeof *idx, 0);
        for (int k = 0; k < n; k++) {
            lua_rawgeti(L, 2, k + 1);
            table_item(L, 2, "slice", k + 1, lua_gettop(L), &idx[k]);
            lua_pop(L, 1);
        }
    } else if (tslua_args_int(L, 2, &i)) {
        idx = lua_newuserdatauv(L, sizeof *idx, 0);
        memset(idx, 0, sizeof *idx);
        idx->kind = TS_INDEX_INT;
        idx->i = i;
        n = 1;
    } else {
        return tslua_argerror(L, 2, "slice",
                              "index expected: a text such as '1:10:2, ..., None', a table or an "
                              "integer, got %s",
                              tslua_show(L, 2));
    }
    int nell = 0;
    for (int k = 0; k < n; k++)
        nell += idx[k].kind == TS_INDEX_ELLIPSIS;
    if (nell > 1)
        return tslua_argerror(L, 2, "slice", "an index can only have a single ellipsis ('...')");
    if (local)
        return tslua_local_slice(L, n, idx);
    ts_array **slot = tslua_array_push(L, NULL);
    return built(L, ts_array_slice(tslua_ctx(L), x, n, idx, slot));
}

/* -------------------------------------------------------------- transpose */

/* Reads a list of integer axes at idx into axes; returns the count. */
static int axes_list(lua_State *L, int idx, int arg, const char *fname, const char *what, int *axes)
{
    int64_t a = 0;
    if (tslua_args_int(L, idx, &a)) {
        axes[0] = clamp_axis(a);
        return 1;
    }
    if (!tslua_args_is_list(L, idx))
        tslua_argerror(L, arg, fname, "%s expected: an integer or a table of integers, got %s", what,
                       tslua_show(L, idx));
    lua_Integer n = (lua_Integer)lua_rawlen(L, idx);
    if (n > TS_MAXDIM)
        tslua_argerror(L, arg, fname, "%s has %I entries, at most %d are supported", what, n, TS_MAXDIM);
    for (int i = 0; i < (int)n; i++) {
        lua_rawgeti(L, idx, i + 1);
        if (!tslua_args_int(L, -1, &a))
            tslua_argerror(L, arg, fname, "%s expected: integers, got %s at [%d]", what, tslua_show(L, -1),
                           i + 1);
        axes[i] = clamp_axis(a);
        lua_pop(L, 1);
    }
    return (int)n;
}

/* transpose(x [, axes]): axes as a table or as separate integers; none
 * reverses the axes. */
static int l_transpose(lua_State *L)
{
    ts_array *x = tslua_array_check(L, 1, "transpose");
    int top = lua_gettop(L), ndim = ts_array_ndim(x), n = 0;
    int axes[TS_MAXDIM];
    if (top < 2 || (top == 2 && lua_isnil(L, 2))) {
        ts_array **slot = tslua_array_push(L, NULL);
        return built(L, ts_array_transpose(tslua_ctx(L), x, NULL, slot));
    }
    if (lua_istable(L, 2)) {
        if (top > 2)
            return tslua_argerror(L, 3, "transpose",
                                  "no more arguments expected after the axes table, got %s",
                                  tslua_show(L, 3));
        n = axes_list(L, 2, 2, "transpose", "axes", axes);
    } else {
        if (top - 1 > TS_MAXDIM)
            return tslua_argerror(L, 2, "transpose", "at most %d axes are supported", TS_MAXDIM);
        for (int i = 2; i <= top; i++) {
            int64_t a = 0;
            if (!tslua_args_int(L, i, &a))
                return tslua_argerror(L, i, "transpose", "axis expected: an integer, got %s",
                                      tslua_show(L, i));
            axes[n++] = clamp_axis(a);
        }
    }
    if (n != ndim)
        return tslua_argerror(L, 2, "transpose", "axes don't match array: %d axes given for a %d-d array", n,
                              ndim);
    ts_array **slot = tslua_array_push(L, NULL);
    return built(L, ts_array_transpose(tslua_ctx(L), x, axes, slot));
}

/* NumPy's normalize_axis_index: -ndim..ndim-1 to 0..ndim-1. */
static int normalize_axis(lua_State *L, int arg, const char *fname, const char *what, int a, int ndim)
{
    if (a < -ndim || a >= ndim)
        tslua_argerror(L, arg, fname, "%s: axis %d is out of bounds for array of dimension %d", what, a,
                       ndim);
    return a < 0 ? a + ndim : a;
}

/* moveaxis(x, source, destination): NumPy's order — the axes not moved
 * keep their order, then each source axis is inserted at its destination,
 * destinations ascending. E.g. ndim 4, source {0, 1}, destination {3, 2}:
 * rest (2, 3); insert 1 at 2 -> (2, 3, 1); insert 0 at 3 -> (2, 3, 1, 0). */
static int l_moveaxis(lua_State *L)
{
    ts_array *x = tslua_array_check(L, 1, "moveaxis");
    int ndim = ts_array_ndim(x);
    int src[TS_MAXDIM], dst[TS_MAXDIM], order[TS_MAXDIM];
    int ns = axes_list(L, 2, 2, "moveaxis", "source", src);
    int nd = axes_list(L, 3, 3, "moveaxis", "destination", dst);
    if (ns != nd)
        return tslua_argerror(L, 3, "moveaxis",
                              "`source` and `destination` arguments must have the same number of elements");
    bool moved[TS_MAXDIM] = {false}, taken[TS_MAXDIM] = {false};
    for (int i = 0; i < ns; i++) {
        src[i] = normalize_axis(L, 2, "moveaxis", "source", src[i], ndim);
        dst[i] = normalize_axis(L, 3, "moveaxis", "destination", dst[i], ndim);
        if (moved[src[i]])
            return tslua_argerror(L, 2, "moveaxis", "repeated axis in `source` argument");
        if (taken[dst[i]])
            return tslua_argerror(L, 3, "moveaxis", "repeated axis in `destination` argument");
        moved[src[i]] = taken[dst[i]] = true;
    }
    /* destination slots get their source axes; the rest fill the free
     * slots in order (the same as NumPy's sorted inserts). */
    int next = 0;
    for (int i = 0; i < ndim; i++)
        order[i] = -1;
    for (int i = 0; i < ns; i++)
        order[dst[i]] = src[i];
    for (int i = 0; i < ndim; i++) {
        if (order[i] >= 0)
            continue;
        while (moved[next])
            next++;
        order[i] = next++;
    }
    ts_array **slot = tslua_array_push(L, NULL);
    return built(L, ts_array_transpose(tslua_ctx(L), x, order, slot));
}

static int l_swapaxes(lua_State *L)
{
    ts_array *x = tslua_array_check(L, 1, "swapaxes");
    int ndim = ts_array_ndim(x), order[TS_MAXDIM];
    int64_t a = 0, b = 0;
    if (!tslua_args_int(L, 2, &a))
        return tslua_argerror(L, 2, "swapaxes", "axis expected: an integer, got %s", tslua_show(L, 2));
    if (!tslua_args_int(L, 3, &b))
        return tslua_argerror(L, 3, "swapaxes", "axis expected: an integer, got %s", tslua_show(L, 3));
    int i = normalize_axis(L, 2, "swapaxes", "axis1", clamp_axis(a), ndim);
    int j = normalize_axis(L, 3, "swapaxes", "axis2", clamp_axis(b), ndim);
    for (int k = 0; k < ndim; k++)
        order[k] = k;
    order[i] = j;
    order[j] = i;
    ts_array **slot = tslua_array_push(L, NULL);
    return built(L, ts_array_transpose(tslua_ctx(L), x, order, slot));
}

/* x.T: the array metatable's __index answers "T" here and passes every
 * other key to the __index of array.c (upvalue 1). That one is called in
 * protected mode and its error re-raised from here, so the message carries
 * the script's line rather than this C function's (none). */
static int l_index(lua_State *L)
{
    if (lua_type(L, 2) == LUA_TSTRING && strcmp(lua_tostring(L, 2), "T") == 0 && tslua_array_test(L, 1)) {
        lua_settop(L, 1);
        return l_transpose(L);
    }
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_pushvalue(L, 1);
    lua_pushvalue(L, 2);
    if (lua_pcall(L, 2, 1, 0) != LUA_OK) {
        if (lua_type(L, -1) == LUA_TSTRING)
            return luaL_error(L, "%s", lua_tostring(L, -1));
        return lua_error(L);
    }
    return 1;
}

/* ------------------------------------------------- squeeze, expand_dims */

/* squeeze(x), squeeze(x, axis), squeeze(x, {axes}), squeeze(x, {axis = }) */
static int l_squeeze(lua_State *L)
{
    ts_array *x = tslua_array_check(L, 1, "squeeze");
    int axes[TS_MAXDIM], n = -1;
    if (lua_istable(L, 2) && !tslua_args_is_list(L, 2)) {
        lua_pushnil(L);
        while (lua_next(L, 2)) {
            lua_pop(L, 1);
            if (lua_type(L, -1) != LUA_TSTRING || strcmp(lua_tostring(L, -1), "axis") != 0)
                return tslua_argerror(L, 2, "squeeze", "unknown option %s (expected axis)",
                                      tslua_show(L, -1));
        }
        lua_getfield(L, 2, "axis");
        n = axes_list(L, lua_gettop(L), 2, "squeeze", "axis", axes);
    } else if (!lua_isnoneornil(L, 2)) {
        n = axes_list(L, 2, 2, "squeeze", "axis", axes);
    }
    ts_array **slot = tslua_array_push(L, NULL);
    return built(L, ts_array_squeeze(tslua_ctx(L), x, n, n < 0 ? NULL : axes, slot));
}

static int cmp_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

/* expand_dims(x, axis or {axes}): NumPy normalises a table of axes against
 * the result's ndim; inserting them ascending, one at a time, then puts
 * each new axis where it asked to be. */
static int l_expand_dims(lua_State *L)
{
    ts_array *x = tslua_array_check(L, 1, "expand_dims");
    int axes[TS_MAXDIM];
    if (lua_isnoneornil(L, 2))
        return tslua_argerror(L, 2, "expand_dims", "axis expected: an integer or a table of integers, got %s",
                              tslua_show(L, 2));
    if (!lua_istable(L, 2)) {
        axes_list(L, 2, 2, "expand_dims", "axis", axes);
        ts_array **slot = tslua_array_push(L, NULL);
        return built(L, ts_array_expand_dims(tslua_ctx(L), x, axes[0], slot));
    }
    int n = axes_list(L, 2, 2, "expand_dims", "axis", axes);
    int out_ndim = ts_array_ndim(x) + n;
    if (out_ndim > TS_MAXDIM)
        return tslua_argerror(L, 2, "expand_dims", "too many dimensions (at most %d)", TS_MAXDIM);
    for (int i = 0; i < n; i++)
        axes[i] = normalize_axis(L, 2, "expand_dims", "axis", axes[i], out_ndim);
    qsort(axes, (size_t)n, sizeof *axes, cmp_int);
    for (int i = 1; i < n; i++)
        if (axes[i] == axes[i - 1])
            return tslua_argerror(L, 2, "expand_dims", "repeated axis %d", axes[i]);
    lua_pushvalue(L, 1);
    for (int i = 0; i < n; i++) {
        ts_array *cur = tslua_array_test(L, -1);
        ts_array **slot = tslua_array_push(L, NULL);
        built(L, ts_array_expand_dims(tslua_ctx(L), cur, axes[i], slot));
        lua_remove(L, -2);
    }
    return 1;
}

/* --------------------------------------------------------- broadcast_to */

static int l_broadcast_to(lua_State *L)
{
    ts_array *x = tslua_array_check(L, 1, "broadcast_to");
    int ndim = 0;
    int64_t shape[TS_MAXDIM];
    if (lua_isnoneornil(L, 2))
        return tslua_argerror(L, 2, "broadcast_to", "shape expected, got %s", tslua_show(L, 2));
    tslua_args_shape(L, 2, "broadcast_to", &ndim, shape);
    ts_chunkspec spec;
    const ts_chunkspec *chunks = NULL;
    if (!lua_isnoneornil(L, 3)) {
        if (!lua_istable(L, 3))
            return tslua_argerror(L, 3, "broadcast_to", "options table expected, got %s", tslua_show(L, 3));
        lua_pushnil(L);
        while (lua_next(L, 3)) {
            lua_pop(L, 1);
            if (lua_type(L, -1) != LUA_TSTRING || strcmp(lua_tostring(L, -1), "chunks") != 0)
                return tslua_argerror(L, 3, "broadcast_to", "unknown option %s (expected chunks)",
                                      tslua_show(L, -1));
        }
        if (lua_getfield(L, 3, "chunks") != LUA_TNIL) {
            tslua_args_chunks(L, lua_gettop(L), 3, "broadcast_to", ndim,
                              &spec); /* scratch stays on the stack */
            chunks = &spec;
        }
    }
    ts_array **slot = tslua_array_push(L, NULL);
    return built(L, ts_array_broadcast_to(tslua_ctx(L), x, ndim, shape, chunks, slot));
}

/* -------------------------------------------------------------- rechunk */

/* A rechunk dict {[0] = -1, [2] = "auto"} (0-based axes, negative allowed):
 * unlike at creation, an axis left out keeps its chunks. The entries are
 * laid out as a per-axis list (a placeholder -1 for the left-out axes, then
 * marked TS_CHUNK_KEEP) so that each is read exactly as args.c reads a
 * per-axis entry. Leaves the list and any scratch on the stack. */
static void rechunk_dict(lua_State *L, int t, int ndim, ts_chunkspec *out)
{
    lua_pushnil(L);
    while (lua_next(L, t)) {
        lua_pop(L, 1);
        lua_Integer k = lua_isinteger(L, -1) ? lua_tointeger(L, -1) : ndim;
        if (k < -ndim || k >= ndim)
            tslua_argerror(L, 2, "rechunk", "chunks: dict keys must be axes from 0 to %d, got %s", ndim - 1,
                           tslua_show(L, -1));
    }
    bool keep[TS_MAXDIM];
    lua_createtable(L, ndim, 0);
    int list = lua_gettop(L);
    for (int i = 0; i < ndim; i++) {
        int pos = lua_rawgeti(L, t, i) != LUA_TNIL;
        int neg = lua_rawgeti(L, t, i - ndim) != LUA_TNIL;
        if (pos && neg)
            tslua_argerror(L, 2, "rechunk", "chunks: axis %d given twice (as %d and %d)", i, i, i - ndim);
        keep[i] = !pos && !neg;
        if (keep[i])
            lua_pushinteger(L, -1);
        else
            lua_pushvalue(L, pos ? -2 : -1);
        lua_rawseti(L, list, i + 1);
        lua_pop(L, 2);
    }
    tslua_args_chunks(L, list, 2, "rechunk", ndim, out);
    for (int i = 0; i < ndim; i++)
        if (keep[i])
            out->axis[i] = (ts_axis_chunks){.kind = TS_CHUNK_KEEP};
}

/* x:rechunk(spec): any chunk spec (default "auto"); a dict keeps the axes
 * it leaves out, as Dask's rechunk does. */
static int l_rechunk(lua_State *L)
{
    ts_array *x = tslua_array_check(L, 1, "rechunk");
    int ndim = ts_array_ndim(x);
    ts_chunkspec spec;
    memset(&spec, 0, sizeof spec);
    if (lua_gettop(L) > 2)
        return tslua_argerror(L, 3, "rechunk", "one chunk spec expected, got a further %s", tslua_show(L, 3));
    if (lua_istable(L, 2)) {
        bool empty = (lua_pushnil(L), lua_next(L, 2) == 0);
        if (!empty)
            lua_pop(L, 2);
        lua_Integer len = (lua_Integer)lua_rawlen(L, 2);
        if (empty || !tslua_args_is_list(L, 2))
            rechunk_dict(L, 2, ndim, &spec);
        else if (len < ndim) /* {[1] = 100} is the list {100} to Lua */
            return tslua_argerror(
                L, 2, "rechunk",
                "chunks give %I entries for a %d-d array (a table with keys 1..n is a list; a "
                "dict of axes needs key 0 or negative axes, e.g. {[-1] = 100})",
                len, ndim);
        else
            tslua_args_chunks(L, 2, 2, "rechunk", ndim, &spec);
    } else if (!lua_isnoneornil(L, 2)) {
        tslua_args_chunks(L, 2, 2, "rechunk", ndim, &spec);
    }
    ts_array **slot = tslua_array_push(L, NULL);
    return built(L, ts_array_rechunk(tslua_ctx(L), x, &spec, slot));
}

/* ----------------------------------------------------------- registration */

void tslua_views_register(lua_State *L, int mod, int methods)
{
    mod = lua_absindex(L, mod);
    methods = lua_absindex(L, methods);
    static const luaL_Reg both[] = {
        {"transpose", l_transpose}, {"squeeze", l_squeeze}, {"swapaxes", l_swapaxes},
        {"rechunk", l_rechunk},     {NULL, NULL},
    };
    for (int i = 0; both[i].name; i++) {
        lua_pushcfunction(L, both[i].func);
        lua_pushvalue(L, -1);
        lua_setfield(L, mod, both[i].name);
        lua_setfield(L, methods, both[i].name);
    }
    lua_pushcfunction(L, l_slice);
    lua_setfield(L, methods, "slice");
    static const luaL_Reg mod_only[] = {
        {"moveaxis", l_moveaxis},
        {"expand_dims", l_expand_dims},
        {"broadcast_to", l_broadcast_to},
        {NULL, NULL},
    };
    for (int i = 0; mod_only[i].name; i++) {
        lua_pushcfunction(L, mod_only[i].func);
        lua_setfield(L, mod, mod_only[i].name);
    }
    lua_pushlightuserdata(L, (void *)&newaxis_key);
    lua_setfield(L, mod, "newaxis");

    luaL_getmetatable(L, TSLUA_ARRAY_MT);
    lua_getfield(L, -1, "__index");
    lua_pushcclosure(L, l_index, 1);
    lua_setfield(L, -2, "__index");
    lua_pop(L, 1);
}
