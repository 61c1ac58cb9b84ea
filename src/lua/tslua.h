/* tslua.h — the Lua module "tessera", as the command line sees it. The
 * module is bound to one context: every array a script makes belongs to it.
 * The Lua state must be closed before the context is destroyed. */
#ifndef TS_LUA_TSLUA_H
#define TS_LUA_TSLUA_H

#include <lua.h>

#include "tessera.h"

/* Registers the module in package.preload["tessera"], so that a script's
 * `require "tessera"` opens it, bound to ctx (borrowed; it must outlive L).
 * Needs the package library to be open. Driver-local. */
void tslua_preload(lua_State *L, ts_ctx *ctx);

/* Registers the kernel "lua" (runner.c) that runs the Lua functions of
 * map_blocks and delayed tasks. Local; call it on every rank before the
 * driver runs the script and the workers serve. */
ts_status tslua_runner_register(ts_ctx *ctx);

#endif
