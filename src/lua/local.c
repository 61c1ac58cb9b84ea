/* local.c — computed arrays (ts_local) as Lua values: NumPy-style 0-based
 * indexing, item(), tolist(), save(), attributes and repr. Every box owns
 * its ts_local; v[i] of an N-d array is a new box holding a copy of the
 * sub-array (ts_local_index), so it prints and saves like any result.
 * Once a box is closed it refuses to be read. */
#include <stdlib.h>
#include <string.h>

#include "lua/binding.h"

typedef struct local_box {
    ts_local *owned;      /* root boxes: the computed array, NULL once closed */
    const ts_local *base; /* the array holding the elements (= owned while open) */
    int ndim;
    int64_t shape[TS_MAXDIM];
} local_box;

static local_box *new_box(lua_State *L)
{
    local_box *box = lua_newuserdatauv(L, sizeof *box, 0);
    memset(box, 0, sizeof *box);
    luaL_setmetatable(L, TSLUA_LOCAL_MT);
    return box;
}

void tslua_local_push_empty(lua_State *L) { new_box(L); }

void tslua_local_push(lua_State *L, ts_local *v)
{
    new_box(L);
    tslua_local_attach(L, -1, v);
}

void tslua_local_attach(lua_State *L, int idx, ts_local *v)
{
    local_box *box = luaL_checkudata(L, idx, TSLUA_LOCAL_MT);
    box->owned = v;
    box->base = v;
    box->ndim = ts_local_ndim(v);
    memcpy(box->shape, ts_local_shape(v), (size_t)box->ndim * sizeof box->shape[0]);
}

/* The open box at idx. */
static local_box *check(lua_State *L, int idx)
{
    local_box *box = luaL_checkudata(L, idx, TSLUA_LOCAL_MT);
    if (!box->owned)
        luaL_error(L, "attempt to use a closed local array");
    return box;
}

const ts_local *tslua_local_check(lua_State *L, int idx) { return check(L, idx)->base; }

static int64_t box_size(const local_box *box)
{
    int64_t n = 1;
    for (int i = 0; i < box->ndim; i++)
        n *= box->shape[i];
    return n;
}

static void push_element(lua_State *L, const local_box *box, int64_t flat)
{
    ts_scalar s;
    if (ts_local_get(box->base, flat, &s) != TS_OK)
        luaL_error(L, "cannot read element %I of a local array", (lua_Integer)flat);
    if (s.kind == TS_SCALAR_BOOL)
        lua_pushboolean(L, s.b);
    else if (s.kind == TS_SCALAR_INT)
        lua_pushinteger(L, (lua_Integer)s.i);
    else
        lua_pushnumber(L, (lua_Number)s.f);
}

/* v[i]: a Lua value for 1-D arrays, a copy of the sub-array otherwise. */
static int index_axis0(lua_State *L, local_box *box, int64_t i)
{
    if (box->ndim == 0)
        return luaL_error(L, "too many indices for array: array is 0-dimensional, but 1 were indexed");
    int64_t n = box->shape[0];
    int64_t j = i < 0 ? i + n : i;
    if (j < 0 || j >= n)
        return luaL_error(L, "index %I is out of bounds for axis 0 with size %I", (lua_Integer)i,
                          (lua_Integer)n);
    if (box->ndim == 1) {
        push_element(L, box, j);
        return 1;
    }
    ts_local *copy = ts_local_index(box->base, j);
    if (!copy)
        return luaL_error(L, "not enough memory for v[%I]", (lua_Integer)i);
    new_box(L);
    tslua_local_attach(L, -1, copy);
    return 1;
}

static void push_shape(lua_State *L, const local_box *box)
{
    lua_createtable(L, box->ndim, 0);
    for (int i = 0; i < box->ndim; i++) {
        lua_pushinteger(L, (lua_Integer)box->shape[i]);
        lua_rawseti(L, -2, i + 1);
    }
}

static bool push_attribute(lua_State *L, const local_box *box, const char *key)
{
    ts_dtype dtype = ts_local_dtype(box->base);
    if (strcmp(key, "shape") == 0)
        push_shape(L, box);
    else if (strcmp(key, "ndim") == 0)
        lua_pushinteger(L, box->ndim);
    else if (strcmp(key, "dtype") == 0)
        lua_pushstring(L, ts_dtype_name(dtype));
    else if (strcmp(key, "size") == 0)
        lua_pushinteger(L, (lua_Integer)box_size(box));
    else if (strcmp(key, "nbytes") == 0)
        lua_pushinteger(L, (lua_Integer)(box_size(box) * (int64_t)ts_dtype_size(dtype)));
    else
        return false;
    return true;
}

/* __index(v, key); upvalue 1 is the methods table. */
static int l_index(lua_State *L)
{
    local_box *box = check(L, 1);
    int64_t i = 0;
    if (tslua_args_int(L, 2, &i))
        return index_axis0(L, box, i);
    if (lua_type(L, 2) != LUA_TSTRING)
        return luaL_error(L, "a local array is indexed with integers (0-based), got %s",
                          lua_type(L, 2) == LUA_TNUMBER ? "a float" : tslua_typename(L, 2));
    if (push_attribute(L, box, lua_tostring(L, 2)))
        return 1;
    if (strcmp(lua_tostring(L, 2), "T") == 0)
        return tslua_local_T(L);
    lua_pushvalue(L, 2);
    lua_rawget(L, lua_upvalueindex(1));
    return 1;
}

static int l_item(lua_State *L)
{
    local_box *box = check(L, 1);
    if (box_size(box) != 1)
        return luaL_error(L, "can only convert an array of size 1 to a Python scalar");
    push_element(L, box, 0);
    return 1;
}

/* Nested tables of the sub-array at axis `depth` starting at flat. */
static void push_list(lua_State *L, const local_box *box, int depth, int64_t flat)
{
    if (depth == box->ndim) {
        push_element(L, box, flat);
        return;
    }
    luaL_checkstack(L, 3, "array too deep for tolist");
    int64_t stride = 1;
    for (int d = depth + 1; d < box->ndim; d++)
        stride *= box->shape[d];
    int64_t n = box->shape[depth];
    lua_createtable(L, n < 1 << 30 ? (int)n : 0, 0);
    for (int64_t i = 0; i < n; i++) {
        push_list(L, box, depth + 1, flat + i * stride);
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
}

static int l_tolist(lua_State *L)
{
    push_list(L, check(L, 1), 0, 0);
    return 1;
}

static int l_save(lua_State *L)
{
    local_box *box = check(L, 1);
    if (lua_type(L, 2) != LUA_TSTRING)
        return tslua_argerror(L, 2, "save", "path expected: a string, got %s", tslua_typename(L, 2));
    if (ts_local_save_npy(tslua_ctx(L), box->base, lua_tostring(L, 2)) != TS_OK)
        return tslua_fail(L);
    return 0;
}

static int l_tostring(lua_State *L)
{
    local_box *box = check(L, 1);
    char *s = ts_local_repr(box->base);
    if (!s)
        return luaL_error(L, "not enough memory");
    lua_pushstring(L, s);
    free(s);
    return 1;
}

static int l_len(lua_State *L)
{
    local_box *box = check(L, 1);
    if (box->ndim == 0)
        return luaL_error(L, "len() of unsized object");
    lua_pushinteger(L, (lua_Integer)box->shape[0]);
    return 1;
}

static int l_gc(lua_State *L)
{
    local_box *box = luaL_checkudata(L, 1, TSLUA_LOCAL_MT);
    ts_local_destroy(box->owned);
    box->owned = NULL;
    box->base = NULL;
    return 0;
}

void tslua_local_register(lua_State *L)
{
    static const luaL_Reg methods[] = {
        {"item", l_item},
        {"tolist", l_tolist},
        {"save", l_save},
        {NULL, NULL},
    };
    static const luaL_Reg metas[] = {
        {"__gc", l_gc}, {"__close", l_gc}, {"__tostring", l_tostring}, {"__len", l_len}, {NULL, NULL},
    };
    luaL_newmetatable(L, TSLUA_LOCAL_MT);
    luaL_setfuncs(L, metas, 0);
    luaL_newlib(L, methods);
    tslua_plot_register(L);
    lua_pushvalue(L, -1);
    lua_setfield(L, -3, "__methods"); /* local_ops.c adds math methods here */
    lua_pushcclosure(L, l_index, 1);
    lua_setfield(L, -2, "__index");
    lua_pop(L, 1);
}
