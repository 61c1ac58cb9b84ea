/* binding.h — what the files of the Lua module share (not the CLI: it sees
 * only tslua.h). The module is a thin client of include/tessera.h: every C
 * object a script holds lives in a userdata whose __gc frees it, so a Lua
 * error (a longjmp) can never leak, and every error is raised with
 * luaL_error so it carries the calling script's "file:line:". */
#ifndef TS_LUA_BINDING_H
#define TS_LUA_BINDING_H

#include <lauxlib.h>
#include <lua.h>
#include <stdbool.h>

#include "tessera.h"

#define TSLUA_ARRAY_MT "tessera.array"
#define TSLUA_LOCAL_MT "tessera.local"
#define TSLUA_DELAYED_MT "tessera.delayed"

/* ---------------------------------------------------------- module.c */

/* The context the module was preloaded with (kept in the registry). */
ts_ctx *tslua_ctx(lua_State *L);

/* Whether L runs tasks (a runner's state on some rank): lazy arrays and
 * computes are refused there. */
bool tslua_in_task(lua_State *L);
/* Makes require "tessera" open the module in task mode (runner.c). */
void tslua_preload_task(lua_State *L);

/* The runner's functions, to name the kernel "lua" in graphs (runner.c). */
ts_block_fn tslua_runner_block_fn(void);
ts_task_fn tslua_runner_task_fn(void);

/* Raises the context's last error message as a Lua error. */
int tslua_fail(lua_State *L);

/* Raises "bad argument #arg to 'fname' (<formatted>)", numbering arguments
 * the way Lua does (self is not counted in a method call). */
int tslua_argerror(lua_State *L, int arg, const char *fname, const char *fmt, ...);

/* Type name for messages: "array" and "local array" for ours. */
const char *tslua_typename(lua_State *L, int idx);

/* ----------------------------------------------------------- array.c */

/* Pushes a new array userdata holding x (which it takes over; may be
 * NULL to be filled later through the returned slot). */
ts_array **tslua_array_push(lua_State *L, ts_array *x);

/* The array at idx; NULL if idx holds no (open) array. */
ts_array *tslua_array_test(lua_State *L, int idx);

/* The array at idx, or a 0-d weak scalar array made from a Lua number or
 * boolean there; the scalar's userdata replaces the value at idx, so the
 * stack owns it. Raises an argument error for anything else. */
ts_array *tslua_array_check(lua_State *L, int idx, const char *fname);

/* Creates the array metatable; methods is the index of the methods table
 * that __index falls back to. */
void tslua_array_register(lua_State *L, int methods);

/* ------------------------------------------------------------- ops.c */

/* Adds the math functions (ts.sqrt, ts.add, ts.sum, ...) to the module
 * table at mod, and the methods (x:sum, x:lt, x:astype, ...) to the table
 * at methods; sets the arithmetic metamethods on the metatable at mt. */
void tslua_ops_register(lua_State *L, int mod, int methods, int mt);

/* ----------------------------------------------------------- hdf5.c */
/* Adds ts.from_hdf5 and ts.store to the module at mod, x:store to methods. */
void tslua_hdf5_register(lua_State *L, int mod, int methods);
void tslua_views_register(lua_State *L, int mod, int methods); /* views.c: slice, transpose, rechunk, ... */

/* ---------------------------------------------------------- concat.c */
/* Adds ts.concatenate, stack, vstack, hstack and dstack to the module. */
void tslua_concat_register(lua_State *L, int mod);
/* contract.c: ts.einsum, tensordot, dot, matmul, outer, diff; x:dot, x:diff. */
void tslua_contract_register(lua_State *L, int mod, int methods);
/* graph.c: x:visualize(path, {level =, color =}). */
void tslua_graph_register(lua_State *L, int methods);

/* local_create.c: ts.asarray; in tasks ones, zeros, full, arange make
 * local arrays. */
void tslua_local_create_register(lua_State *L, int mod, bool in_task);

/* delayed.c: ts.delayed, ts.from_delayed, ts.sleep; the delayed part of
 * ts.compute (items first..last, or the table at first). */
void tslua_delayed_register(lua_State *L, int mod);
bool tslua_delayed_any(lua_State *L, int first, int last, bool as_table);
int tslua_delayed_compute(lua_State *L, bool as_table);

/* map_blocks.c: x:map_blocks, x:map_overlap, ts.map_blocks, ts.map_overlap. */
void tslua_map_blocks_register(lua_State *L, int mod, int methods);

/* ----------------------------------------------------------- local.c */

/* Pushes an empty local-array userdata; attach a computed array later. */
void tslua_local_push_empty(lua_State *L);
/* Gives the empty local-array userdata at idx ownership of v. */
void tslua_local_attach(lua_State *L, int idx, ts_local *v);
void tslua_local_register(lua_State *L);
/* Pushes a new local-array userdata owning v. */
void tslua_local_push(lua_State *L, ts_local *v);
/* The computed array of the open local-array userdata at idx (raises a Lua
 * error for anything else or a closed one). */
const ts_local *tslua_local_check(lua_State *L, int idx);
void tslua_plot_register(lua_State *L); /* plot.c: adds plot to the methods table on top */

/* ------------------------------------------------------- local_ops.c */

/* Whether any of the arguments first..last is a local array. */
bool tslua_local_any(lua_State *L, int first, int last);
/* The local-array versions of ops.c's closures (same upvalues: op, name). */
int tslua_local_unary(lua_State *L);
int tslua_local_binary(lua_State *L);
int tslua_local_reduce(lua_State *L);
int tslua_local_where(lua_State *L);
int tslua_local_clip(lua_State *L);
int tslua_local_astype(lua_State *L);
/* x:slice on the local array at 1, with the parsed index (views.c). */
int tslua_local_slice(lua_State *L, int n, const ts_index *idx);
/* x.T of the local array at 1. */
int tslua_local_T(lua_State *L);
/* Gives local arrays the lazy methods and operators that dispatch here. */
void tslua_local_ops_register(lua_State *L, int lazy_methods, int lazy_mt);

/* ------------------------------------------------------------ args.c */

/* A short rendering of a bad value for messages: numbers and strings as
 * they are ('x' for strings), everything else by type; pushed on the stack. */
const char *tslua_show(lua_State *L, int idx);

/* Value conversions. fname/arg name the argument in messages. */
bool tslua_args_int(lua_State *L, int idx, int64_t *out);
bool tslua_args_scalar(lua_State *L, int idx, ts_scalar *out);
/* The fill value at idx: a number or a boolean; anything else raises
 * "fill value expected" as an error of argument idx of fname. */
ts_scalar tslua_args_fill_value(lua_State *L, int idx, const char *fname);
bool tslua_args_is_list(lua_State *L, int idx);

/* A shape: an integer (1-D) or a table of non-negative integers. */
void tslua_args_shape(lua_State *L, int idx, const char *fname, int *ndim, int64_t *shape);

/* A chunk spec for an array of ndim axes, from the value at idx. May push
 * scratch userdata that holds explicit chunk sizes: leave the stack above
 * as it is until the spec has been used. */
void tslua_args_chunks(lua_State *L, int idx, int arg, const char *fname, int ndim, ts_chunkspec *out);

/* Options tables of creation functions. */
enum {
    TSLUA_OPT_CHUNKS = 1,
    TSLUA_OPT_DTYPE = 2,
    TSLUA_OPT_SEED = 4,
    TSLUA_OPT_ENDPOINT = 8
};
typedef struct tslua_create_args {
    ts_create_opts opts;
    ts_chunkspec chunks;
    bool endpoint;
} tslua_create_args;

/* Reads the options table at arg (none or nil: defaults). allowed is a set
 * of TSLUA_OPT_* flags; other keys are errors. */
void tslua_args_create(lua_State *L, int arg, const char *fname, int ndim, unsigned allowed,
                       tslua_create_args *out);

/* arange's arguments ([start,] stop [, step] [, opts]) as NumPy reads
 * them (any float makes every bound a float); returns the options' index. */
int tslua_args_arange(lua_State *L, ts_scalar *start, ts_scalar *stop, ts_scalar *step);

/* A dtype name at idx. */
ts_dtype tslua_args_dtype(lua_State *L, int idx, int arg, const char *fname);

/* Reduction arguments from arg on: nothing, an axis, a list of axes, or an
 * options table {axis=, keepdims=, ddof=} (ddof only if with_ddof). */
void tslua_args_reduce(lua_State *L, int arg, const char *fname, bool with_ddof, ts_reduce_opts *out);

/* ----------------------------------------------------------- value.c */

/* Lua values as bytes for tasks on other ranks (the format and what may
 * travel are described in value.c). A buffer lives in a userdata, so a Lua
 * error while encoding frees it. */
typedef struct tslua_buf {
    unsigned char *data;
    size_t len, cap;
} tslua_buf;
tslua_buf *tslua_buf_push(lua_State *L);
/* Appends the value at idx (a function: its bytecode and upvalues). deps:
 * stack index of a list that collects the delayed results and lazy arrays
 * met (each encoded as a reference to its position), or 0 to refuse them.
 * what names the value in messages ("argument 2"). Raises a Lua error
 * naming what cannot travel. */
void tslua_value_put(lua_State *L, tslua_buf *b, int idx, int deps, const char *what);
/* Appends the n values from stack index first as the table {n = n, ...}
 * of a call's arguments (label: the function's name, for messages);
 * functions are refused, delayed results and lazy arrays collected in the
 * list at deps. */
void tslua_value_put_args(lua_State *L, tslua_buf *b, int first, int n, int deps, const char *label);
/* Pushes the value encoded in data; references k take the value at stack
 * index deps + k - 1. Returns false, pushing a message, on corrupt bytes. */
bool tslua_value_get(lua_State *L, const void *data, size_t n, int deps);
/* An encoded local array or number as the values of into (shape and dtype
 * set by the caller); a mismatch is an error with a message. */
ts_status tslua_value_decode_array(const void *data, size_t n, ts_block *into, char *errmsg, size_t errlen);

#endif
