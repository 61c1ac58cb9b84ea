/* ops.c — math on lazy arrays: elementwise functions (ts.sqrt, ts.add, ...),
 * operators (+ - * / // % ^ and unary -), comparisons as methods (x:lt(y);
 * Lua turns < and == into booleans, so they cannot build arrays),
 * reductions, astype, clip and where. Each function is one C closure whose
 * upvalues are the C API operation and the name used in messages; any
 * argument may be a Lua number or boolean where NumPy takes a scalar. */
#include "lua/binding.h"

typedef struct op_entry {
    const char *name;
    int op;
} op_entry;

static const op_entry unary_fns[] = {
    {"sqrt", TS_SQRT},
    {"exp", TS_EXP},
    {"log", TS_LOG},
    {"log10", TS_LOG10},
    {"log1p", TS_LOG1P},
    {"expm1", TS_EXPM1},
    {"sin", TS_SIN},
    {"cos", TS_COS},
    {"tan", TS_TAN},
    {"arcsin", TS_ARCSIN},
    {"arccos", TS_ARCCOS},
    {"arctan", TS_ARCTAN},
    {"sinh", TS_SINH},
    {"cosh", TS_COSH},
    {"tanh", TS_TANH},
    {"abs", TS_ABS},
    {"floor", TS_FLOOR},
    {"ceil", TS_CEIL},
    {"round", TS_ROUND},
    {"sign", TS_SIGN},
    {"isnan", TS_ISNAN},
    {"isfinite", TS_ISFINITE},
    {"logical_not", TS_LOGICAL_NOT},
    {"negative", TS_NEGATIVE},
    {NULL, 0},
};

static const op_entry binary_fns[] = {
    {"add", TS_ADD},
    {"subtract", TS_SUBTRACT},
    {"multiply", TS_MULTIPLY},
    {"divide", TS_TRUE_DIVIDE},
    {"true_divide", TS_TRUE_DIVIDE},
    {"floor_divide", TS_FLOOR_DIVIDE},
    {"mod", TS_REMAINDER},
    {"remainder", TS_REMAINDER},
    {"power", TS_POWER},
    {"minimum", TS_MINIMUM},
    {"maximum", TS_MAXIMUM},
    {"logical_and", TS_LOGICAL_AND},
    {"logical_or", TS_LOGICAL_OR},
    {"less", TS_LESS},
    {"less_equal", TS_LESS_EQUAL},
    {"greater", TS_GREATER},
    {"greater_equal", TS_GREATER_EQUAL},
    {"equal", TS_EQUAL},
    {"not_equal", TS_NOT_EQUAL},
    {NULL, 0},
};

static const op_entry compare_methods[] = {
    {"lt", TS_LESS},  {"le", TS_LESS_EQUAL}, {"gt", TS_GREATER}, {"ge", TS_GREATER_EQUAL},
    {"eq", TS_EQUAL}, {"ne", TS_NOT_EQUAL},  {NULL, 0},
};

/* Metamethods; the name in messages is the operator. */
static const op_entry binary_metas[] = {
    {"__add", TS_ADD},           {"__sub", TS_SUBTRACT},  {"__mul", TS_MULTIPLY}, {"__div", TS_TRUE_DIVIDE},
    {"__idiv", TS_FLOOR_DIVIDE}, {"__mod", TS_REMAINDER}, {"__pow", TS_POWER},    {NULL, 0},
};
static const char *const binary_symbols[] = {"+", "-", "*", "/", "//", "%", "^"};

static const op_entry reduce_fns[] = {
    {"sum", TS_SUM}, {"prod", TS_PROD},     {"mean", TS_MEAN},     {"min", TS_MIN},
    {"max", TS_MAX}, {"std", TS_STD},       {"var", TS_VAR},       {"any", TS_ANY},
    {"all", TS_ALL}, {"argmin", TS_ARGMIN}, {"argmax", TS_ARGMAX}, {NULL, 0},
};

static int upvalue_op(lua_State *L) { return (int)lua_tointeger(L, lua_upvalueindex(1)); }

static const char *upvalue_name(lua_State *L) { return lua_tostring(L, lua_upvalueindex(2)); }

static int l_unary(lua_State *L)
{
    if (tslua_local_any(L, 1, 1))
        return tslua_local_unary(L);
    const char *name = upvalue_name(L);
    ts_array *x = tslua_array_check(L, 1, name);
    ts_array **slot = tslua_array_push(L, NULL), *out = NULL;
    if (ts_array_unary(tslua_ctx(L), (ts_unary_op)upvalue_op(L), x, &out) != TS_OK)
        return tslua_fail(L);
    *slot = out;
    return 1;
}

static int l_binary(lua_State *L)
{
    if (tslua_local_any(L, 1, 2))
        return tslua_local_binary(L);
    const char *name = upvalue_name(L);
    ts_array *a = tslua_array_check(L, 1, name);
    ts_array *b = tslua_array_check(L, 2, name);
    ts_array **slot = tslua_array_push(L, NULL), *out = NULL;
    if (ts_array_binary(tslua_ctx(L), (ts_binary_op)upvalue_op(L), a, b, &out) != TS_OK)
        return tslua_fail(L);
    *slot = out;
    return 1;
}

static int l_reduce(lua_State *L)
{
    if (tslua_local_any(L, 1, 1))
        return tslua_local_reduce(L);
    const char *name = upvalue_name(L);
    ts_reduce_op op = (ts_reduce_op)upvalue_op(L);
    ts_array *x = tslua_array_check(L, 1, name);
    ts_reduce_opts opts;
    tslua_args_reduce(L, 2, name, op == TS_VAR || op == TS_STD, &opts);
    ts_array **slot = tslua_array_push(L, NULL), *out = NULL;
    if (ts_array_reduce(tslua_ctx(L), op, x, &opts, &out) != TS_OK)
        return tslua_fail(L);
    *slot = out;
    return 1;
}

static int l_where(lua_State *L)
{
    if (tslua_local_any(L, 1, 3))
        return tslua_local_where(L);
    ts_array *c = tslua_array_check(L, 1, "where");
    ts_array *a = tslua_array_check(L, 2, "where");
    ts_array *b = tslua_array_check(L, 3, "where");
    ts_array **slot = tslua_array_push(L, NULL), *out = NULL;
    if (ts_array_where(tslua_ctx(L), c, a, b, &out) != TS_OK)
        return tslua_fail(L);
    *slot = out;
    return 1;
}

/* clip(x, lo, hi): nil for a missing bound, like NumPy's None. */
static int l_clip(lua_State *L)
{
    if (tslua_local_any(L, 1, 3))
        return tslua_local_clip(L);
    lua_settop(L, 3);
    ts_array *x = tslua_array_check(L, 1, "clip");
    ts_array *lo = lua_isnil(L, 2) ? NULL : tslua_array_check(L, 2, "clip");
    ts_array *hi = lua_isnil(L, 3) ? NULL : tslua_array_check(L, 3, "clip");
    ts_array **slot = tslua_array_push(L, NULL), *out = NULL;
    if (ts_array_clip(tslua_ctx(L), x, lo, hi, &out) != TS_OK)
        return tslua_fail(L);
    *slot = out;
    return 1;
}

static int l_astype(lua_State *L)
{
    if (tslua_local_any(L, 1, 1))
        return tslua_local_astype(L);
    ts_array *x = tslua_array_check(L, 1, "astype");
    ts_dtype dtype = tslua_args_dtype(L, 2, 2, "astype");
    ts_array **slot = tslua_array_push(L, NULL), *out = NULL;
    if (ts_array_astype(tslua_ctx(L), x, dtype, &out) != TS_OK)
        return tslua_fail(L);
    *slot = out;
    return 1;
}

/* Sets t[key] = closure(fn; op, name) for every entry. */
static void set_closures(lua_State *L, int t, const op_entry *ops, lua_CFunction fn, const char *const *names)
{
    for (int i = 0; ops[i].name; i++) {
        lua_pushinteger(L, ops[i].op);
        lua_pushstring(L, names ? names[i] : ops[i].name);
        lua_pushcclosure(L, fn, 2);
        lua_setfield(L, t, ops[i].name);
    }
}

static void set_function(lua_State *L, int t, const char *name, lua_CFunction fn)
{
    lua_pushcfunction(L, fn);
    lua_setfield(L, t, name);
}

void tslua_ops_register(lua_State *L, int mod, int methods, int mt)
{
    mod = lua_absindex(L, mod);
    methods = lua_absindex(L, methods);
    mt = lua_absindex(L, mt);
    set_closures(L, mod, unary_fns, l_unary, NULL);
    set_closures(L, mod, binary_fns, l_binary, NULL);
    set_closures(L, mod, reduce_fns, l_reduce, NULL);
    set_closures(L, methods, reduce_fns, l_reduce, NULL);
    set_closures(L, methods, compare_methods, l_binary, NULL);
    set_closures(L, mt, binary_metas, l_binary, binary_symbols);

    static const op_entry unm[] = {{"__unm", TS_NEGATIVE}, {NULL, 0}};
    static const char *const minus[] = {"-"};
    set_closures(L, mt, unm, l_unary, minus);
    static const op_entry round_method[] = {{"round", TS_ROUND}, {NULL, 0}};
    set_closures(L, methods, round_method, l_unary, NULL);

    set_function(L, mod, "where", l_where);
    set_function(L, mod, "clip", l_clip);
    set_function(L, methods, "clip", l_clip);
    set_function(L, mod, "astype", l_astype);
    set_function(L, methods, "astype", l_astype);
}
