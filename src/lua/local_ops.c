/* local_ops.c — math on local arrays from Lua, computed at once: the
 * operators, ts.sqrt and the other functions of ops.c, reductions,
 * comparisons, astype, clip, where and x:slice dispatch here when an
 * operand is a local array (the closures are shared, so names, arguments
 * and messages are those of lazy arrays); x.T, x:transpose and x:reshape
 * are local-array methods of their own. Numbers mix in as weak scalars.
 * Nothing here uses the context, so it works inside tasks on any rank. */
#include <string.h>

#include "lua/binding.h"

bool tslua_local_any(lua_State *L, int first, int last)
{
    for (int i = first; i <= last; i++)
        if (luaL_testudata(L, i, TSLUA_LOCAL_MT))
            return true;
    return false;
}

/* The local array at idx, or a weak scalar one made from a number there
 * (its userdata replaces the number, so the stack owns it). */
static const ts_local *operand(lua_State *L, int idx, const char *fname)
{
    idx = lua_absindex(L, idx);
    if (luaL_testudata(L, idx, TSLUA_LOCAL_MT))
        return tslua_local_check(L, idx);
    ts_scalar v;
    if (tslua_args_scalar(L, idx, &v)) {
        ts_local *s = ts_local_scalar(v);
        if (!s)
            luaL_error(L, "not enough memory");
        tslua_local_push(L, s);
        lua_replace(L, idx);
        return s;
    }
    if (luaL_testudata(L, idx, TSLUA_ARRAY_MT))
        tslua_argerror(L, idx, fname,
                       "a lazy array cannot be combined with a local array (compute it first, or build "
                       "the whole expression lazily)");
    tslua_argerror(L, idx, fname, "local array, number or boolean expected, got %s", tslua_typename(L, idx));
    return NULL;
}

/* Pushes out, or raises msg. */
static int result(lua_State *L, ts_status st, ts_local *out, const char *msg)
{
    if (st != TS_OK)
        return luaL_error(L, "%s", msg[0] ? msg : "not enough memory");
    tslua_local_push(L, out);
    return 1;
}

static int upvalue_op(lua_State *L) { return (int)lua_tointeger(L, lua_upvalueindex(1)); }
static const char *upvalue_name(lua_State *L) { return lua_tostring(L, lua_upvalueindex(2)); }

int tslua_local_unary(lua_State *L)
{
    const ts_local *x = operand(L, 1, upvalue_name(L));
    ts_local *out = NULL;
    char msg[1024] = "";
    ts_status st = ts_local_unary((ts_unary_op)upvalue_op(L), x, &out, msg, sizeof msg);
    return result(L, st, out, msg);
}

int tslua_local_binary(lua_State *L)
{
    const char *name = upvalue_name(L);
    const ts_local *a = operand(L, 1, name), *b = operand(L, 2, name);
    ts_local *out = NULL;
    char msg[1024] = "";
    ts_status st = ts_local_binary((ts_binary_op)upvalue_op(L), a, b, &out, msg, sizeof msg);
    return result(L, st, out, msg);
}

int tslua_local_reduce(lua_State *L)
{
    const char *name = upvalue_name(L);
    ts_reduce_op op = (ts_reduce_op)upvalue_op(L);
    const ts_local *x = operand(L, 1, name);
    ts_reduce_opts opts;
    tslua_args_reduce(L, 2, name, op == TS_VAR || op == TS_STD, &opts);
    ts_local *out = NULL;
    char msg[1024] = "";
    ts_status st = ts_local_reduce(op, x, &opts, &out, msg, sizeof msg);
    return result(L, st, out, msg);
}

int tslua_local_where(lua_State *L)
{
    const ts_local *c = operand(L, 1, "where"), *a = operand(L, 2, "where"), *b = operand(L, 3, "where");
    ts_local *out = NULL;
    char msg[1024] = "";
    ts_status st = ts_local_where(c, a, b, &out, msg, sizeof msg);
    return result(L, st, out, msg);
}

/* clip(x, lo, hi) as maximum(minimum(x, hi), lo), nil for no bound. */
int tslua_local_clip(lua_State *L)
{
    lua_settop(L, 3);
    const ts_local *x = operand(L, 1, "clip");
    const ts_local *lo = lua_isnil(L, 2) ? NULL : operand(L, 2, "clip");
    const ts_local *hi = lua_isnil(L, 3) ? NULL : operand(L, 3, "clip");
    char msg[1024] = "";
    ts_local *cur = ts_local_copy(x), *next = NULL;
    ts_status st = cur ? TS_OK : TS_ERR_MEMORY;
    if (st == TS_OK && hi) {
        st = ts_local_binary(TS_MINIMUM, cur, hi, &next, msg, sizeof msg);
        ts_local_destroy(cur);
        cur = next;
    }
    if (st == TS_OK && lo) {
        st = ts_local_binary(TS_MAXIMUM, cur, lo, &next, msg, sizeof msg);
        ts_local_destroy(cur);
        cur = next;
    }
    return result(L, st, cur, msg);
}

int tslua_local_astype(lua_State *L)
{
    const ts_local *x = operand(L, 1, "astype");
    ts_dtype dtype = tslua_args_dtype(L, 2, 2, "astype");
    ts_local *out = NULL;
    char msg[1024] = "";
    ts_status st = ts_local_astype(x, dtype, &out, msg, sizeof msg);
    return result(L, st, out, msg);
}

int tslua_local_slice(lua_State *L, int n, const ts_index *idx)
{
    const ts_local *x = tslua_local_check(L, 1);
    ts_local *out = NULL;
    char msg[1024] = "";
    ts_status st = ts_local_slice(x, n, idx, &out, msg, sizeof msg);
    return result(L, st, out, msg);
}

/* x:transpose([axes]) with axes as a table or separate integers; none
 * reverses them (x.T). */
static int l_transpose(lua_State *L)
{
    const ts_local *x = tslua_local_check(L, 1);
    int top = lua_gettop(L), n = 0, axes[TS_MAXDIM];
    bool listed = top == 2 && lua_istable(L, 2);
    int count = listed ? (int)lua_rawlen(L, 2) : top - 1;
    if (count > TS_MAXDIM)
        return tslua_argerror(L, 2, "transpose", "at most %d axes are supported", TS_MAXDIM);
    for (int i = 0; i < count; i++) {
        int64_t a = 0;
        if (listed)
            lua_rawgeti(L, 2, i + 1);
        if (!tslua_args_int(L, listed ? -1 : i + 2, &a))
            return tslua_argerror(L, listed ? 2 : i + 2, "transpose", "axis expected: an integer, got %s",
                                  tslua_show(L, listed ? -1 : i + 2));
        if (listed)
            lua_pop(L, 1);
        axes[n++] = a < -TS_MAXDIM ? -TS_MAXDIM - 1 : a > TS_MAXDIM ? TS_MAXDIM : (int)a;
    }
    if (n && n != ts_local_ndim(x))
        return tslua_argerror(L, 2, "transpose", "axes don't match array: %d axes given for a %d-d array", n,
                              ts_local_ndim(x));
    ts_local *out = NULL;
    char msg[1024] = "";
    ts_status st = ts_local_transpose(x, n ? axes : NULL, &out, msg, sizeof msg);
    return result(L, st, out, msg);
}

int tslua_local_T(lua_State *L)
{
    lua_settop(L, 1);
    return l_transpose(L);
}

/* x:reshape{3, -1} or x:reshape(3, -1) (one -1 allowed, C order). */
static int l_reshape(lua_State *L)
{
    const ts_local *x = tslua_local_check(L, 1);
    int ndim = 0;
    int64_t shape[TS_MAXDIM];
    bool listed = lua_istable(L, 2);
    int count = listed ? (int)lua_rawlen(L, 2) : lua_gettop(L) - 1;
    if (count > TS_MAXDIM)
        return tslua_argerror(L, 2, "reshape", "at most %d dimensions are supported", TS_MAXDIM);
    for (int i = 0; i < count; i++) {
        if (listed)
            lua_rawgeti(L, 2, i + 1);
        if (!tslua_args_int(L, listed ? -1 : i + 2, &shape[ndim]))
            return tslua_argerror(L, listed ? 2 : i + 2, "reshape", "shape expected: integers, got %s",
                                  tslua_show(L, listed ? -1 : i + 2));
        if (listed)
            lua_pop(L, 1);
        ndim++;
    }
    ts_local *out = NULL;
    char msg[1024] = "";
    ts_status st = ts_local_reshape(x, ndim, shape, &out, msg, sizeof msg);
    return result(L, st, out, msg);
}

/* Local arrays take the lazy closures that dispatch here: copies the named
 * methods and the operator metamethods into the local metatable's tables. */
void tslua_local_ops_register(lua_State *L, int lazy_methods, int lazy_mt)
{
    static const char *const methods[] = {"sum", "prod",   "mean",   "min",   "max",   "std", "var", "any",
                                          "all", "argmin", "argmax", "lt",    "le",    "gt",  "ge",  "eq",
                                          "ne",  "astype", "clip",   "round", "slice", NULL};
    static const char *const metas[] = {"__add", "__sub", "__mul", "__div", "__idiv",
                                        "__mod", "__pow", "__unm", NULL};
    lazy_methods = lua_absindex(L, lazy_methods);
    lazy_mt = lua_absindex(L, lazy_mt);
    luaL_getmetatable(L, TSLUA_LOCAL_MT);
    int mt = lua_gettop(L);
    lua_getfield(L, mt, "__methods");
    int mine = lua_gettop(L);
    for (int i = 0; methods[i]; i++) {
        lua_getfield(L, lazy_methods, methods[i]);
        lua_setfield(L, mine, methods[i]);
    }
    for (int i = 0; metas[i]; i++) {
        lua_getfield(L, lazy_mt, metas[i]);
        lua_setfield(L, mt, metas[i]);
    }
    lua_pushcfunction(L, l_transpose);
    lua_setfield(L, mine, "transpose");
    lua_pushcfunction(L, l_reshape);
    lua_setfield(L, mine, "reshape");
    lua_pop(L, 2);
}
