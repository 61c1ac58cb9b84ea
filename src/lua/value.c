/* value.c — Lua values as bytes, for task functions and their arguments
 * and results travelling between ranks. What travels: nil, booleans,
 * numbers, strings, tables of these (keys and values; a table met again
 * inside itself is a cycle and refused), local arrays, Lua functions (as
 * bytecode, with their upvalues encoded the same way), and values known by
 * name on every rank: _G, the tessera module and the standard libraries,
 * with their functions. A delayed result or lazy array given as an argument
 * becomes a reference to the task's k-th dependency. Everything else
 * (other userdata, coroutines, C functions without a name) is refused with
 * a message naming where it was found.
 *
 * Format: one tag byte, then  i: int64 | d: double | s: int64 n, n bytes |
 * T: int64 npairs, key value ... | A: int32 dtype, int32 ndim, int64 shape
 * [ndim], values | N: a name (as s) | D: int64 k | F: bytecode (as s),
 * int64 nups, (name (as s), value) ... */
#include <stdlib.h>
#include <string.h>

#include "lua/binding.h"

#define BUF_MT "tessera.buf"
#define MAX_DEPTH 100

static int buf_gc(lua_State *L)
{
    tslua_buf *b = luaL_checkudata(L, 1, BUF_MT);
    free(b->data);
    *b = (tslua_buf){0};
    return 0;
}

tslua_buf *tslua_buf_push(lua_State *L)
{
    tslua_buf *b = lua_newuserdatauv(L, sizeof *b, 0);
    *b = (tslua_buf){0};
    if (luaL_newmetatable(L, BUF_MT)) {
        lua_pushcfunction(L, buf_gc);
        lua_setfield(L, -2, "__gc");
    }
    lua_setmetatable(L, -2);
    return b;
}

static void put(lua_State *L, tslua_buf *b, const void *src, size_t n)
{
    if (b->len + n > b->cap) {
        size_t ncap = b->cap ? b->cap : 256;
        while (ncap < b->len + n)
            ncap *= 2;
        unsigned char *nd = realloc(b->data, ncap);
        if (!nd)
            luaL_error(L, "not enough memory to encode a value");
        b->data = nd;
        b->cap = ncap;
    }
    memcpy(b->data + b->len, src, n);
    b->len += n;
}

static void put_tag(lua_State *L, tslua_buf *b, char tag) { put(L, b, &tag, 1); }

static void put_i64(lua_State *L, tslua_buf *b, int64_t v) { put(L, b, &v, sizeof v); }

static void put_str(lua_State *L, tslua_buf *b, const char *s, size_t n)
{
    put_i64(L, b, (int64_t)n);
    put(L, b, s, n);
}

/* ---- names of values every rank has ---- */

static const char names_key = 'n';
static const char *const LIBS[] = {"math", "string", "table", "utf8", "os", "io", "coroutine", NULL};

/* rev[v] = "prefix.key" for every function or table v of table t (and,
 * one level down, of its subtables: tessera.random.normal). */
static void name_table(lua_State *L, int rev, int t, const char *prefix, bool recurse)
{
    t = lua_absindex(L, t);
    lua_pushnil(L);
    while (lua_next(L, t)) {
        if (lua_type(L, -2) == LUA_TSTRING && (lua_isfunction(L, -1) || lua_istable(L, -1))) {
            const char *name = lua_pushfstring(L, "%s.%s", prefix, lua_tostring(L, -2));
            lua_pushvalue(L, -2);
            lua_pushvalue(L, -2);
            lua_rawset(L, rev);
            if (recurse && lua_istable(L, -2))
                name_table(L, rev, -2, name, false);
            lua_pop(L, 1);
        }
        lua_pop(L, 1);
    }
}

/* Pushes the table value -> name of every value known by name here. Built
 * once per state, after the tessera module is loaded. */
static void push_names(lua_State *L)
{
    if (lua_rawgetp(L, LUA_REGISTRYINDEX, &names_key) == LUA_TTABLE)
        return;
    lua_pop(L, 1);
    lua_newtable(L);
    int rev = lua_gettop(L);
    lua_pushglobaltable(L);
    lua_pushliteral(L, "_G");
    lua_rawset(L, rev);
    for (int i = 0; LIBS[i]; i++) {
        if (lua_getglobal(L, LIBS[i]) == LUA_TTABLE) {
            lua_pushvalue(L, -1);
            lua_pushstring(L, LIBS[i]);
            lua_rawset(L, rev);
            name_table(L, rev, -1, LIBS[i], false);
        }
        lua_pop(L, 1);
    }
    luaL_getsubtable(L, LUA_REGISTRYINDEX, LUA_LOADED_TABLE);
    if (lua_getfield(L, -1, "tessera") == LUA_TTABLE) {
        lua_pushvalue(L, -1);
        lua_pushliteral(L, "tessera");
        lua_rawset(L, rev);
        name_table(L, rev, -1, "tessera", true);
        lua_pushvalue(L, rev);
        lua_rawsetp(L, LUA_REGISTRYINDEX, &names_key); /* complete: keep it */
    }
    lua_pop(L, 2);
}

/* Pushes the value called name here (require "tessera" loads the module). */
static bool push_named(lua_State *L, const char *name)
{
    const char *dot = strchr(name, '.');
    size_t head = dot ? (size_t)(dot - name) : strlen(name);
    if (head == 2 && strncmp(name, "_G", 2) == 0) {
        lua_pushglobaltable(L);
    } else if (head == 7 && strncmp(name, "tessera", 7) == 0) {
        lua_getglobal(L, "require");
        lua_pushliteral(L, "tessera");
        if (lua_pcall(L, 1, 1, 0) != LUA_OK)
            return false;
    } else {
        lua_pushglobaltable(L);
        lua_pushlstring(L, name, head);
        lua_rawget(L, -2);
        lua_remove(L, -2);
    }
    while (dot) {
        const char *next = strchr(dot + 1, '.');
        size_t n = next ? (size_t)(next - dot - 1) : strlen(dot + 1);
        if (!lua_istable(L, -1))
            return false;
        lua_pushlstring(L, dot + 1, n);
        lua_rawget(L, -2);
        lua_remove(L, -2);
        dot = next;
    }
    return !lua_isnil(L, -1);
}

/* ---- encoding ---- */

typedef struct encoder {
    tslua_buf *b;
    int deps;     /* stack index of the dependency list, or 0 */
    int visiting; /* stack index of the set of tables being encoded */
    int names;    /* stack index of value -> name */
    int depth;
} encoder;

static void encode(lua_State *L, encoder *e, int idx, const char *path);

static void refuse(lua_State *L, const char *path, const char *why)
{
    luaL_error(L,
               "%s %s: only nil, booleans, numbers, strings, tables of these, local arrays, the tessera "
               "module and standard library functions can travel to the workers",
               path, why);
}

static void encode_local(lua_State *L, encoder *e, int idx)
{
    const ts_local *v = tslua_local_check(L, idx);
    int32_t hdr[2] = {(int32_t)ts_local_dtype(v), (int32_t)ts_local_ndim(v)};
    put_tag(L, e->b, 'A');
    put(L, e->b, hdr, sizeof hdr);
    put(L, e->b, ts_local_shape(v), (size_t)hdr[1] * sizeof(int64_t));
    put(L, e->b, ts_local_data(v), (size_t)ts_local_size(v) * ts_dtype_size(ts_local_dtype(v)));
}

static void encode_dep(lua_State *L, encoder *e, int idx)
{
    lua_Integer k = (lua_Integer)lua_rawlen(L, e->deps) + 1;
    lua_pushvalue(L, idx);
    lua_rawseti(L, e->deps, k);
    put_tag(L, e->b, 'D');
    put_i64(L, e->b, (int64_t)k);
}

static void encode_table(lua_State *L, encoder *e, int idx, const char *path)
{
    lua_pushvalue(L, idx);
    if (lua_rawget(L, e->visiting) != LUA_TNIL)
        luaL_error(L, "%s is a table that contains itself (a cycle), which cannot travel to the workers",
                   path);
    lua_pop(L, 1);
    if (++e->depth > MAX_DEPTH)
        luaL_error(L, "%s: tables nested more than %d deep cannot travel to the workers", path, MAX_DEPTH);
    lua_pushvalue(L, idx);
    lua_pushboolean(L, 1);
    lua_rawset(L, e->visiting);
    int64_t npairs = 0;
    lua_pushnil(L);
    while (lua_next(L, idx)) {
        npairs++;
        lua_pop(L, 1);
    }
    put_tag(L, e->b, 'T');
    put_i64(L, e->b, npairs);
    luaL_checkstack(L, 6, "tables nested too deep");
    lua_pushnil(L);
    while (lua_next(L, idx)) {
        int top = lua_gettop(L);
        const char *sub = lua_type(L, top - 1) == LUA_TSTRING
                              ? lua_pushfstring(L, "%s.%s", path, lua_tostring(L, top - 1))
                              : lua_pushfstring(L, "%s[%s]", path, luaL_tolstring(L, top - 1, NULL));
        encode(L, e, top - 1, sub);
        encode(L, e, top, sub);
        lua_settop(L, top - 1);
    }
    lua_pushvalue(L, idx);
    lua_pushnil(L);
    lua_rawset(L, e->visiting);
    e->depth--;
}

static int writer(lua_State *L, const void *p, size_t sz, void *ud)
{
    put(L, ud, p, sz);
    return 0;
}

static void encode_function(lua_State *L, encoder *e, int idx, const char *path)
{
    if (lua_iscfunction(L, idx))
        refuse(L, path, "is a C function that is not part of a library");
    put_tag(L, e->b, 'F');
    /* the bytecode, length first: dump into the buffer, then patch the length */
    size_t at = e->b->len;
    put_i64(L, e->b, 0);
    lua_pushvalue(L, idx);
    if (lua_dump(L, writer, e->b, 0) != 0)
        luaL_error(L, "%s: cannot dump the function's bytecode", path);
    lua_pop(L, 1);
    int64_t n = (int64_t)(e->b->len - at - sizeof(int64_t));
    memcpy(e->b->data + at, &n, sizeof n);
    int nups = 0;
    while (lua_getupvalue(L, idx, nups + 1)) {
        lua_pop(L, 1);
        nups++;
    }
    put_i64(L, e->b, nups);
    for (int i = 1; i <= nups; i++) {
        const char *name = lua_getupvalue(L, idx, i);
        int top = lua_gettop(L);
        put_str(L, e->b, name, strlen(name));
        const char *sub = lua_pushfstring(L, "upvalue '%s' of %s", name[0] ? name : "?", path);
        encode(L, e, top, sub);
        lua_settop(L, top - 1);
    }
}

static void encode(lua_State *L, encoder *e, int idx, const char *path)
{
    idx = lua_absindex(L, idx);
    luaL_checkstack(L, 8, "value nested too deep");
    switch (lua_type(L, idx)) {
    case LUA_TNIL: put_tag(L, e->b, 'n'); return;
    case LUA_TBOOLEAN: put_tag(L, e->b, lua_toboolean(L, idx) ? 't' : 'f'); return;
    case LUA_TNUMBER:
        if (lua_isinteger(L, idx)) {
            put_tag(L, e->b, 'i');
            put_i64(L, e->b, (int64_t)lua_tointeger(L, idx));
        } else {
            double d = (double)lua_tonumber(L, idx);
            put_tag(L, e->b, 'd');
            put(L, e->b, &d, sizeof d);
        }
        return;
    case LUA_TSTRING: {
        size_t n;
        const char *s = lua_tolstring(L, idx, &n);
        put_tag(L, e->b, 's');
        put_str(L, e->b, s, n);
        return;
    }
    default: break;
    }
    /* A value known by name on every rank. */
    lua_pushvalue(L, idx);
    if (lua_rawget(L, e->names) == LUA_TSTRING) {
        size_t n;
        const char *s = lua_tolstring(L, -1, &n);
        put_tag(L, e->b, 'N');
        put_str(L, e->b, s, n);
        lua_pop(L, 1);
        return;
    }
    lua_pop(L, 1);
    if (lua_istable(L, idx)) {
        encode_table(L, e, idx, path);
    } else if (lua_isfunction(L, idx)) {
        encode_function(L, e, idx, path);
    } else if (luaL_testudata(L, idx, TSLUA_LOCAL_MT)) {
        encode_local(L, e, idx);
    } else if (luaL_testudata(L, idx, TSLUA_ARRAY_MT) || luaL_testudata(L, idx, TSLUA_DELAYED_MT)) {
        if (!e->deps)
            luaL_error(L,
                       "%s is a %s, which cannot travel inside a function: pass it as an input of "
                       "ts.map_blocks or as an argument of a delayed call (it is computed first and its "
                       "value handed to the task)",
                       path, luaL_testudata(L, idx, TSLUA_ARRAY_MT) ? "lazy array" : "delayed result");
        encode_dep(L, e, idx);
    } else {
        refuse(L, path, lua_pushfstring(L, "is a %s", tslua_typename(L, idx)));
    }
}

void tslua_value_put(lua_State *L, tslua_buf *b, int idx, int deps, const char *what)
{
    idx = lua_absindex(L, idx);
    deps = deps ? lua_absindex(L, deps) : 0;
    int top = lua_gettop(L);
    push_names(L);
    lua_newtable(L);
    encoder e = {.b = b, .deps = deps, .visiting = top + 2, .names = top + 1};
    if (lua_isfunction(L, idx) && deps)
        refuse(L, what, "is a function; functions cannot be arguments");
    encode(L, &e, idx, what);
    lua_settop(L, top);
}

/* ---- decoding ---- */

typedef struct decoder {
    const unsigned char *p, *end;
    int deps;
    int depth;
} decoder;

static bool get(decoder *d, void *dst, size_t n)
{
    if ((size_t)(d->end - d->p) < n)
        return false;
    memcpy(dst, d->p, n);
    d->p += n;
    return true;
}

static bool get_i64(decoder *d, int64_t *v) { return get(d, v, sizeof *v); }

static const char *get_str(decoder *d, size_t *n)
{
    int64_t len;
    if (!get_i64(d, &len) || len < 0 || len > d->end - d->p)
        return NULL;
    const char *s = (const char *)d->p;
    d->p += len;
    *n = (size_t)len;
    return s;
}

static bool decode(lua_State *L, decoder *d);

static bool decode_local(lua_State *L, decoder *d)
{
    int32_t hdr[2];
    int64_t shape[TS_MAXDIM];
    if (!get(d, hdr, sizeof hdr) || hdr[0] < 0 || hdr[0] >= TS_NDTYPES || hdr[1] < 0 || hdr[1] > TS_MAXDIM ||
        !get(d, shape, (size_t)hdr[1] * sizeof(int64_t)))
        return false;
    int64_t n = 1;
    for (int i = 0; i < hdr[1]; i++) {
        if (shape[i] < 0)
            return false;
        n *= shape[i];
    }
    size_t nb = (size_t)n * ts_dtype_size((ts_dtype)hdr[0]);
    if ((size_t)(d->end - d->p) < nb)
        return false;
    ts_local *v = ts_local_create((ts_dtype)hdr[0], hdr[1], shape);
    if (!v)
        luaL_error(L, "not enough memory for a local array");
    memcpy(ts_local_data_mut(v), d->p, nb);
    d->p += nb;
    tslua_local_push(L, v);
    return true;
}

static bool decode_function(lua_State *L, decoder *d)
{
    size_t n;
    const char *code = get_str(d, &n);
    int64_t nups;
    if (!code || luaL_loadbufferx(L, code, n, "=task", "b") != LUA_OK) {
        if (code)
            lua_pop(L, 1);
        return false;
    }
    if (!get_i64(d, &nups) || nups < 0 || nups > 255)
        return false;
    for (int64_t i = 1; i <= nups; i++) {
        size_t nn;
        if (!get_str(d, &nn) || !decode(L, d))
            return false;
        if (!lua_setupvalue(L, -2, (int)i))
            lua_pop(L, 1);
    }
    return true;
}

static bool decode(lua_State *L, decoder *d)
{
    char tag;
    luaL_checkstack(L, 4, "value nested too deep");
    if (++d->depth > MAX_DEPTH + 10 || !get(d, &tag, 1))
        return false;
    bool ok = true;
    switch (tag) {
    case 'n': lua_pushnil(L); break;
    case 't': lua_pushboolean(L, 1); break;
    case 'f': lua_pushboolean(L, 0); break;
    case 'i': {
        int64_t v = 0;
        ok = get_i64(d, &v);
        lua_pushinteger(L, (lua_Integer)v);
        break;
    }
    case 'd': {
        double v = 0;
        ok = get(d, &v, sizeof v);
        lua_pushnumber(L, (lua_Number)v);
        break;
    }
    case 's': {
        size_t n;
        const char *s = get_str(d, &n);
        ok = s != NULL;
        lua_pushlstring(L, s ? s : "", s ? n : 0);
        break;
    }
    case 'N': {
        size_t n;
        const char *s = get_str(d, &n);
        char name[256];
        ok = s && n < sizeof name;
        if (ok) {
            memcpy(name, s, n);
            name[n] = '\0';
            ok = push_named(L, name);
        }
        break;
    }
    case 'D': {
        int64_t k;
        ok = get_i64(d, &k) && d->deps && k >= 1;
        if (ok)
            lua_pushvalue(L, d->deps + (int)k - 1);
        break;
    }
    case 'A': ok = decode_local(L, d); break;
    case 'F': ok = decode_function(L, d); break;
    case 'T': {
        int64_t npairs;
        ok = get_i64(d, &npairs) && npairs >= 0 && npairs <= d->end - d->p;
        lua_createtable(L, 0, ok && npairs < (1 << 20) ? (int)npairs : 0);
        for (int64_t i = 0; ok && i < npairs; i++) {
            ok = decode(L, d) && decode(L, d);
            if (ok && lua_isnil(L, -2))
                ok = false;
            if (ok)
                lua_rawset(L, -3);
        }
        break;
    }
    default: ok = false;
    }
    d->depth--;
    return ok;
}

bool tslua_value_get(lua_State *L, const void *data, size_t n, int deps)
{
    int top = lua_gettop(L);
    decoder d = {.p = data, .end = (const unsigned char *)data + n, .deps = deps ? lua_absindex(L, deps) : 0};
    if (decode(L, &d) && d.p == d.end)
        return true;
    lua_settop(L, top);
    lua_pushliteral(L, "corrupt value bytes (tessera internal error)");
    return false;
}

/* ---- a result as array values, without a Lua state ---- */

static ts_status fail(char *errmsg, size_t errlen, const char *msg)
{
    snprintf(errmsg, errlen, "%s", msg);
    return TS_ERR_RUNTIME;
}

ts_status tslua_value_decode_array(const void *data, size_t n, ts_block *into, char *errmsg, size_t errlen)
{
    decoder d = {.p = data, .end = (const unsigned char *)data + n};
    char tag;
    int64_t count = 1;
    for (int i = 0; i < into->ndim; i++)
        count *= into->shape[i];
    if (!get(&d, &tag, 1))
        return fail(errmsg, errlen, "from_delayed: the task returned nothing");
    if (tag == 'i' || tag == 'd' || tag == 't' || tag == 'f') {
        ts_scalar s = {.kind = tag == 'd'   ? TS_SCALAR_FLOAT
                               : tag == 'i' ? TS_SCALAR_INT
                                            : TS_SCALAR_BOOL,
                       .b = tag == 't'};
        if ((tag == 'i' && !get_i64(&d, &s.i)) || (tag == 'd' && !get(&d, &s.f, sizeof s.f)))
            return fail(errmsg, errlen, "from_delayed: corrupt result");
        if (count != 1) {
            snprintf(errmsg, errlen,
                     "from_delayed: the task returned a number, but the array has %lld elements",
                     (long long)count);
            return TS_ERR_SHAPE;
        }
        ts_local *one = ts_local_scalar(s), *cast = NULL;
        ts_status st = one ? ts_local_astype(one, into->dtype, &cast, errmsg, errlen) : TS_ERR_MEMORY;
        if (st == TS_OK)
            memcpy(into->data, ts_local_data(cast), ts_dtype_size(into->dtype));
        ts_local_destroy(one);
        ts_local_destroy(cast);
        return st;
    }
    if (tag != 'A')
        return fail(errmsg, errlen, "from_delayed: the task must return a local array or a number");
    int32_t hdr[2];
    int64_t shape[TS_MAXDIM];
    if (!get(&d, hdr, sizeof hdr) || hdr[1] < 0 || hdr[1] > TS_MAXDIM ||
        !get(&d, shape, (size_t)hdr[1] * sizeof(int64_t)))
        return fail(errmsg, errlen, "from_delayed: corrupt result");
    bool same = hdr[1] == into->ndim;
    for (int i = 0; same && i < hdr[1]; i++)
        same = shape[i] == into->shape[i];
    if (!same) {
        char got[200] = "(", want[200] = "(";
        for (int i = 0; i < hdr[1]; i++)
            snprintf(got + strlen(got), sizeof got - strlen(got), "%s%lld", i ? ", " : "",
                     (long long)shape[i]);
        for (int i = 0; i < into->ndim; i++)
            snprintf(want + strlen(want), sizeof want - strlen(want), "%s%lld", i ? ", " : "",
                     (long long)into->shape[i]);
        snprintf(errmsg, errlen, "from_delayed: the task returned an array of shape %s%s), expected %s%s)",
                 got, hdr[1] == 1 ? "," : "", want, into->ndim == 1 ? "," : "");
        return TS_ERR_SHAPE;
    }
    if (hdr[0] != (int32_t)into->dtype) {
        snprintf(errmsg, errlen, "from_delayed: the task returned %s values, expected %s",
                 hdr[0] >= 0 && hdr[0] < TS_NDTYPES ? ts_dtype_name((ts_dtype)hdr[0]) : "?",
                 ts_dtype_name(into->dtype));
        return TS_ERR_DTYPE;
    }
    size_t nb = (size_t)count * ts_dtype_size(into->dtype);
    if ((size_t)(d.end - d.p) < nb)
        return fail(errmsg, errlen, "from_delayed: corrupt result");
    memcpy(into->data, d.p, nb);
    return TS_OK;
}
