/* runner.c — the kernel "lua": runs the Lua functions of map_blocks and
 * delayed tasks on every rank. A function arrives as bytes (value.c: its
 * bytecode and upvalues) and is loaded once per state, cached by those
 * bytes. Each executing thread of a rank has a lua_State of its own (the
 * call's thread number picks it), made on first use with the standard
 * libraries and the tessera module in task mode; each state is guarded by
 * its own mutex, so threads on different states run in parallel and two
 * calls that share a number take turns instead of corrupting a state.
 * Errors come back as the Lua message with its traceback. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <lualib.h>

#include "lua/binding.h"
#include "lua/tslua.h"

#define RUNNER_MAXSLOTS 256

typedef struct slot {
    pthread_mutex_t lock;
    lua_State *L;
    const volatile int *cancelled; /* of the task running now, for the hook */
} slot;

typedef struct runner {
    pthread_mutex_t lock; /* guards slots[] */
    slot *slots[RUNNER_MAXSLOTS];
    int rank;
} runner;

static const char cache_key = 'f';
static const char slot_key = 's';

static int msghandler(lua_State *L)
{
    const char *msg = lua_tostring(L, 1);
    if (!msg)
        msg = lua_pushfstring(L, "(error object is a %s value)", luaL_typename(L, 1));
    luaL_traceback(L, L, msg, 1);
    return 1;
}

static int no_exit(lua_State *L)
{
    return luaL_error(L, "os.exit is not available inside a task (raise an error with error() instead)");
}

/* Every ten thousand instructions: stop when the compute was cancelled. */
static void cancel_hook(lua_State *L, lua_Debug *ar)
{
    (void)ar;
    lua_rawgetp(L, LUA_REGISTRYINDEX, &slot_key);
    slot *s = lua_touserdata(L, -1);
    lua_pop(L, 1);
    if (s && s->cancelled && *s->cancelled)
        luaL_error(L, "cancelled: another task failed");
}

static lua_State *new_state(slot *s)
{
    lua_State *L = luaL_newstate();
    if (!L)
        return NULL;
    luaL_openlibs(L);
    tslua_preload_task(L);
    /* The module's metatables (local arrays) exist before any block does. */
    lua_getglobal(L, "require");
    lua_pushliteral(L, "tessera");
    if (lua_pcall(L, 1, 0, 0) != LUA_OK) {
        lua_close(L);
        return NULL;
    }
    lua_getglobal(L, "os");
    lua_pushcfunction(L, no_exit);
    lua_setfield(L, -2, "exit");
    lua_pop(L, 1);
    lua_newtable(L);
    lua_rawsetp(L, LUA_REGISTRYINDEX, &cache_key);
    lua_pushlightuserdata(L, s);
    lua_rawsetp(L, LUA_REGISTRYINDEX, &slot_key);
    lua_sethook(L, cancel_hook, LUA_MASKCOUNT, 10000);
    return L;
}

/* The locked slot of thread t, its state made if needed; NULL when out of
 * memory (a message in errmsg). */
static slot *acquire(runner *r, int t, char *errmsg, size_t errlen)
{
    if (t < 0 || t >= RUNNER_MAXSLOTS) {
        snprintf(errmsg, errlen, "the Lua runner serves threads 0 to %d, not %d", RUNNER_MAXSLOTS - 1, t);
        return NULL;
    }
    pthread_mutex_lock(&r->lock);
    slot *s = r->slots[t];
    if (!s && (s = calloc(1, sizeof *s)) != NULL) {
        pthread_mutex_init(&s->lock, NULL);
        r->slots[t] = s;
    }
    pthread_mutex_unlock(&r->lock);
    if (!s) {
        snprintf(errmsg, errlen, "not enough memory for a Lua state");
        return NULL;
    }
    pthread_mutex_lock(&s->lock);
    if (!s->L && !(s->L = new_state(s))) {
        pthread_mutex_unlock(&s->lock);
        snprintf(errmsg, errlen, "not enough memory for a Lua state");
        return NULL;
    }
    return s;
}

static void release_slot(slot *s)
{
    lua_settop(s->L, 0);
    s->cancelled = NULL;
    pthread_mutex_unlock(&s->lock);
}

/* Pushes the function encoded in payload (cached by its bytes). */
static bool push_function(lua_State *L, const void *payload, size_t n)
{
    lua_rawgetp(L, LUA_REGISTRYINDEX, &cache_key);
    lua_pushlstring(L, payload, n);
    if (lua_rawget(L, -2) == LUA_TFUNCTION) {
        lua_remove(L, -2);
        return true;
    }
    lua_pop(L, 1);
    if (!tslua_value_get(L, payload, n, 0) || !lua_isfunction(L, -1)) {
        lua_remove(L, -2);
        return false;
    }
    lua_pushlstring(L, payload, n);
    lua_pushvalue(L, -2);
    lua_rawset(L, -4);
    lua_remove(L, -2);
    return true;
}

/* Calls the function below nargs arguments under the traceback handler;
 * a failure is raised again with the traceback in its message. */
static void call(lua_State *L, int nargs)
{
    int base = lua_gettop(L) - nargs;
    lua_pushcfunction(L, msghandler);
    lua_insert(L, base);
    int st = lua_pcall(L, nargs, 1, base);
    lua_remove(L, base);
    if (st != LUA_OK)
        lua_error(L);
}

static void push_block(lua_State *L, const ts_block *b)
{
    ts_local *v = ts_local_create(b->dtype, b->ndim, b->shape);
    if (!v)
        luaL_error(L, "not enough memory for a block");
    int64_t n = 1;
    for (int d = 0; d < b->ndim; d++)
        n *= b->shape[d];
    memcpy(ts_local_data_mut(v), b->data, (size_t)n * ts_dtype_size(b->dtype));
    tslua_local_push(L, v);
}

static void shape_text(int ndim, const int64_t *shape, char *buf, size_t len)
{
    size_t k = (size_t)snprintf(buf, len, "(");
    for (int d = 0; d < ndim && k < len; d++)
        k += (size_t)snprintf(buf + k, len - k, "%s%lld", d ? ", " : "", (long long)shape[d]);
    if (k < len)
        snprintf(buf + k, len - k, "%s)", ndim == 1 ? "," : "");
}

/* Copies the function's result (at the top) into the output block; for
 * map_overlap the result may also be just the kept part (keep_shape). */
static void take_block(lua_State *L, ts_block *out, const int64_t *keep_start, const int64_t *keep_shape)
{
    ts_scalar sc;
    int64_t n = 1;
    char msg[512];
    for (int d = 0; d < out->ndim; d++)
        n *= out->shape[d];
    if (tslua_args_scalar(L, -1, &sc)) { /* a number fills the block */
        ts_local *one = ts_local_scalar(sc), *cast = NULL;
        ts_status st = one ? ts_local_astype(one, out->dtype, &cast, msg, sizeof msg) : TS_ERR_MEMORY;
        size_t esz = ts_dtype_size(out->dtype);
        for (int64_t i = 0; st == TS_OK && i < n; i++)
            memcpy((unsigned char *)out->data + (size_t)i * esz, ts_local_data(cast), esz);
        ts_local_destroy(one);
        ts_local_destroy(cast);
        if (st != TS_OK)
            luaL_error(L, "%s", st == TS_ERR_MEMORY ? "not enough memory" : msg);
        return;
    }
    if (!luaL_testudata(L, -1, TSLUA_LOCAL_MT))
        luaL_error(L, "the function must return a local array (or a number), got %s", tslua_typename(L, -1));
    const ts_local *v = tslua_local_check(L, -1);
    bool same = ts_local_ndim(v) == out->ndim, kept = keep_shape && ts_local_ndim(v) == out->ndim;
    for (int d = 0; d < out->ndim; d++) {
        same = same && ts_local_shape(v)[d] == out->shape[d];
        kept = kept && ts_local_shape(v)[d] == keep_shape[d];
    }
    if (kept && !same && ts_local_dtype(v) == out->dtype) {
        int64_t lo[TS_MAXDIM];
        for (int d = 0; d < out->ndim; d++)
            lo[d] = keep_start[d] - out->start[d];
        ts_block_put_local(out, lo, v);
        return;
    }
    if (!same) {
        char got[200], want[200];
        shape_text(ts_local_ndim(v), ts_local_shape(v), got, sizeof got);
        shape_text(out->ndim, out->shape, want, sizeof want);
        if (keep_shape) {
            char inner[200];
            shape_text(out->ndim, keep_shape, inner, sizeof inner);
            luaL_error(
                L,
                "the function returned a block of shape %s, expected %s (the block with its halo) or %s "
                "(without it)",
                got, want, inner);
        }
        luaL_error(
            L,
            "the function returned a block of shape %s, expected %s (give the result's block sizes with "
            "chunks =, drop_axis = or new_axis =)",
            got, want);
    }
    if (ts_local_dtype(v) != out->dtype)
        luaL_error(L,
                   "the function returned %s values, but the result's dtype is %s (declare it with dtype = "
                   "\"%s\", or convert the block with :astype)",
                   ts_dtype_name(ts_local_dtype(v)), ts_dtype_name(out->dtype),
                   ts_dtype_name(ts_local_dtype(v)));
    memcpy(out->data, ts_local_data(v), (size_t)n * ts_dtype_size(out->dtype));
}

/* map_blocks: fn(block, ..., index) -> the output block. */
static int block_body(lua_State *L)
{
    const ts_block_call *c = lua_touserdata(L, 1);
    luaL_checkstack(L, c->nin + 8, "too many map_blocks inputs");
    if (!push_function(L, c->ud, c->ud_nbytes))
        luaL_error(L, "cannot load the task function: %s", lua_tostring(L, -1));
    for (int k = 0; k < c->nin; k++)
        push_block(L, &c->in[k]);
    lua_createtable(L, c->out->ndim, 0);
    for (int d = 0; d < c->out->ndim; d++) {
        lua_pushinteger(L, (lua_Integer)c->out->index[d]);
        lua_rawseti(L, -2, d + 1);
    }
    call(L, c->nin + 1);
    take_block(L, c->out, c->keep_start, c->keep_shape);
    return 0;
}

/* Pushes a task argument: a dependency's value. */
static void push_arg(lua_State *L, const ts_value *a, int i)
{
    if (a->is_array)
        push_block(L, &a->array);
    else if (a->kernel && strcmp(a->kernel, "lua") == 0) {
        if (!tslua_value_get(L, a->data, a->nbytes, 0))
            luaL_error(L, "cannot read argument %d: %s", i, lua_tostring(L, -1));
    } else {
        lua_pushlstring(L, a->data, a->nbytes); /* another kernel's bytes, or bytes given in C */
    }
}

/* delayed: fn(args...) with args[0] the call's arguments (references k
 * to args[k]); the result encoded into the buffer at upvalue... index 2. */
static int task_body(lua_State *L)
{
    const ts_task_call *c = lua_touserdata(L, 1);
    tslua_buf *b = lua_touserdata(L, 2);
    luaL_checkstack(L, c->nargs + 8, "too many task arguments");
    if (c->nargs < 1 || !push_function(L, c->ud, c->ud_nbytes))
        luaL_error(L, "cannot load the task function: %s", lua_tostring(L, -1));
    int fn = lua_gettop(L);
    for (int i = 1; i < c->nargs; i++)
        push_arg(L, &c->args[i], i);
    if (!tslua_value_get(L, c->args[0].data, c->args[0].nbytes, fn + 1))
        luaL_error(L, "cannot read the task's arguments: %s", lua_tostring(L, -1));
    int list = lua_gettop(L);
    lua_getfield(L, list, "n");
    int n = (int)lua_tointeger(L, -1);
    lua_pop(L, 1);
    luaL_checkstack(L, n + 4, "too many task arguments");
    lua_pushvalue(L, fn);
    for (int i = 1; i <= n; i++)
        lua_rawgeti(L, list, i);
    call(L, n);
    tslua_value_put(L, b, -1, 0, "the task's result");
    return 0;
}

static ts_status run_protected(lua_State *L, lua_CFunction body, void *c, tslua_buf *b, char *errmsg,
                               size_t errlen)
{
    lua_pushcfunction(L, body);
    lua_pushlightuserdata(L, c);
    lua_pushlightuserdata(L, b);
    if (lua_pcall(L, 2, 0, 0) == LUA_OK)
        return TS_OK;
    snprintf(errmsg, errlen, "%s", lua_tostring(L, -1) ? lua_tostring(L, -1) : "error without a message");
    return TS_ERR_RUNTIME;
}

static ts_status run_block(const ts_block_call *c)
{
    slot *s = acquire(c->rank_ud, c->thread, c->errmsg, c->errlen);
    if (!s)
        return TS_ERR_MEMORY;
    ts_status st = run_protected(s->L, block_body, (void *)c, NULL, c->errmsg, c->errlen);
    release_slot(s);
    return st;
}

static ts_status run_task(ts_task_call *c)
{
    slot *s = acquire(c->rank_ud, c->thread, c->errmsg, c->errlen);
    if (!s)
        return TS_ERR_MEMORY;
    s->cancelled = c->cancelled;
    tslua_buf b = {0};
    ts_status st = run_protected(s->L, task_body, c, &b, c->errmsg, c->errlen);
    if (st == TS_OK) {
        /* the buffer becomes the result: tessera frees it */
        c->result = b.data;
        c->result_nbytes = b.len;
    } else {
        free(b.data);
    }
    release_slot(s);
    return st;
}

static ts_status decode(void *rank_ud, const void *result, size_t nbytes, ts_block *into, char *errmsg,
                        size_t errlen)
{
    (void)rank_ud;
    return tslua_value_decode_array(result, nbytes, into, errmsg, errlen);
}

static void release(void *ud)
{
    runner *r = ud;
    for (int i = 0; i < RUNNER_MAXSLOTS; i++) {
        if (!r->slots[i])
            continue;
        if (r->slots[i]->L)
            lua_close(r->slots[i]->L);
        pthread_mutex_destroy(&r->slots[i]->lock);
        free(r->slots[i]);
    }
    pthread_mutex_destroy(&r->lock);
    free(r);
}

ts_block_fn tslua_runner_block_fn(void) { return run_block; }
ts_task_fn tslua_runner_task_fn(void) { return run_task; }

ts_status tslua_runner_register(ts_ctx *ctx)
{
    runner *r = calloc(1, sizeof *r);
    if (!r)
        return TS_ERR_MEMORY;
    pthread_mutex_init(&r->lock, NULL);
    r->rank = ts_ctx_rank(ctx);
    ts_kernel k = {.block = run_block, .task = run_task, .decode = decode, .rank_ud = r, .release = release};
    ts_status st = ts_kernel_register(ctx, "lua", &k);
    if (st != TS_OK)
        release(r);
    return st;
}
