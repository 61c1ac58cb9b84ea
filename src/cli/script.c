/* script.c — runs a script the way lua.c does: the whole setup inside a
 * protected call, the chunk under a message handler that adds a traceback,
 * one report on stderr. os.exit is replaced by a version that unwinds
 * instead of calling exit(), so the driver always reaches ts_ctx_shutdown
 * and no worker waits forever. */
#include "cli/script.h"

#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lua/tslua.h"

/* Its address marks the os.exit unwinding (the error value) and keys the
 * requested status in the registry. */
static const char exit_key = 'x';

typedef struct script_run {
    ts_ctx *ctx;
    const cli_options *o;
    int argc;
    char *const *argv;
    int status;
} script_run;

static int msghandler(lua_State *L)
{
    if (lua_touserdata(L, 1) == &exit_key)
        return 1;
    const char *msg = lua_tostring(L, 1);
    if (!msg) {
        if (luaL_callmeta(L, 1, "__tostring") && lua_type(L, -1) == LUA_TSTRING)
            return 1;
        msg = lua_pushfstring(L, "(error object is a %s value)", luaL_typename(L, 1));
    }
    luaL_traceback(L, L, msg, 1);
    return 1;
}

/* os.exit([code [, close]]): true is 0, false is 1, like Lua's. */
static int l_exit(lua_State *L)
{
    lua_Integer status = lua_isboolean(L, 1) ? (lua_toboolean(L, 1) ? 0 : 1) : luaL_optinteger(L, 1, 0);
    lua_pushinteger(L, status);
    lua_rawsetp(L, LUA_REGISTRYINDEX, &exit_key);
    lua_pushlightuserdata(L, (void *)&exit_key);
    return lua_error(L);
}

/* arg[0] = SCRIPT, arg[1..] = its arguments, arg[-k] = what precedes it. */
static void set_arg_table(lua_State *L, const script_run *r)
{
    int s = r->o->script_index;
    int a = r->o->args_index;
    lua_createtable(L, r->argc - a, s + 1);
    for (int i = 0; i <= s; i++) {
        lua_pushstring(L, r->argv[i]);
        lua_rawseti(L, -2, i - s);
    }
    for (int i = a; i < r->argc; i++) {
        lua_pushstring(L, r->argv[i]);
        lua_rawseti(L, -2, i - a + 1);
    }
    lua_setglobal(L, "arg");
}

/* The protected main: setup, load, run. Returns the script's status in
 * r->status and leaves an error message (if any) on the stack. */
static int pmain(lua_State *L)
{
    script_run *r = lua_touserdata(L, 1);
    luaL_openlibs(L);
    tslua_preload(L, r->ctx);
    lua_getglobal(L, "os");
    lua_pushcfunction(L, l_exit);
    lua_setfield(L, -2, "exit");
    lua_pop(L, 1);
    set_arg_table(L, r);

    lua_pushcfunction(L, msghandler);
    int base = lua_gettop(L);
    if (luaL_loadfile(L, r->o->cfg.script_path) != LUA_OK) {
        r->status = 1;
        return 1;
    }
    int nargs = r->argc - r->o->args_index;
    luaL_checkstack(L, nargs + 1, "too many script arguments");
    for (int i = r->o->args_index; i < r->argc; i++)
        lua_pushstring(L, r->argv[i]);
    if (lua_pcall(L, nargs, 0, base) == LUA_OK) {
        r->status = 0;
        return 0;
    }
    if (lua_touserdata(L, -1) == &exit_key) {
        lua_rawgetp(L, LUA_REGISTRYINDEX, &exit_key);
        r->status = (int)lua_tointeger(L, -1);
        return 0;
    }
    r->status = 1;
    return 1;
}

static void report(const char *msg)
{
    fflush(stdout);
    fprintf(stderr, "tessera: %s\n", msg);
    fflush(stderr);
}

int cli_script_run(ts_ctx *ctx, const cli_options *o, int argc, char *const *argv)
{
    /* job logs should show print() output as it happens */
    setvbuf(stdout, NULL, _IOLBF, 0);
    lua_State *L = luaL_newstate();
    if (!L) {
        report("cannot create the Lua state: not enough memory");
        return 1;
    }
    script_run r = {ctx, o, argc, argv, 1};
    lua_pushcfunction(L, pmain);
    lua_pushlightuserdata(L, &r);
    int st = lua_pcall(L, 1, 1, 0);
    if (st != LUA_OK || r.status == 1) {
        const char *msg = lua_tostring(L, -1);
        /* A stop is no bug in the script: its message, not a traceback. */
        const char *trace = msg && ts_ctx_stopped(ctx, NULL) ? strstr(msg, "\nstack traceback:") : NULL;
        if (trace) {
            fflush(stdout);
            fprintf(stderr, "tessera: %.*s\n", (int)(trace - msg), msg);
        } else
            report(msg ? msg : "(error object is not a string)");
        r.status = 1;
    }
    lua_close(L);
    fflush(stdout);
    return r.status;
}
