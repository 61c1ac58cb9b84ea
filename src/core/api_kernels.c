/* api_kernels.c — the public calls of custom tasks: registering kernels,
 * and building map_blocks arrays and delayed tasks. A graph stores the
 * name the driver's registry holds for the function pointer given here;
 * every rank resolves that name in its own registry when it runs. */
#include "array/delayed.h"
#include "core/ctx.h"

ts_status ts_kernel_register(ts_ctx *ctx, const char *name, const ts_kernel *k)
{
    ctx_begin(ctx);
    return registry_add(&ctx->ses.kernels, name, k, &ctx->err);
}

ts_status ts_array_map_blocks(ts_ctx *ctx, int n, ts_array *const *xs, ts_block_fn kernel, const void *ud,
                              size_t ud_nbytes, const ts_map_blocks_opts *opts, ts_array **out)
{
    ctx_begin(ctx);
    *out = NULL;
    const char *name = registry_name_of_block(&ctx->ses.kernels, kernel);
    if (!name)
        return err_set(&ctx->err, TS_ERR_ARG,
                       "map_blocks: the kernel is not registered; register it with ts_kernel_register on "
                       "every rank first");
    build_env env = ctx_build_env(ctx);
    return build_map_blocks(&env, n, xs, name, ud, (int64_t)ud_nbytes, opts, out);
}

ts_status ts_delayed_create(ts_ctx *ctx, ts_task_fn kernel, const void *ud, size_t ud_nbytes, int nargs,
                            const ts_delayed_arg *args, const ts_delayed_opts *opts, ts_delayed **out)
{
    ctx_begin(ctx);
    *out = NULL;
    const char *name = registry_name_of_task(&ctx->ses.kernels, kernel);
    if (!name)
        return err_set(&ctx->err, TS_ERR_ARG,
                       "delayed: the kernel is not registered; register it with ts_kernel_register on every "
                       "rank first");
    if (nargs < 0 || (nargs > 0 && !args))
        return err_set(&ctx->err, TS_ERR_ARG, "delayed: bad argument list");
    for (int i = 0; i < nargs; i++) {
        bool ok = args[i].kind == TS_ARG_BYTES     ? (args[i].data || args[i].nbytes == 0)
                  : args[i].kind == TS_ARG_DELAYED ? args[i].delayed != NULL
                  : args[i].kind == TS_ARG_ARRAY   ? args[i].array != NULL
                                                   : false;
        if (!ok)
            return err_set(&ctx->err, TS_ERR_ARG, "delayed: argument %d is empty or of an unknown kind",
                           i + 1);
    }
    return delayed_create(name, ud, (int64_t)ud_nbytes, nargs, args, opts ? opts->label : NULL,
                          opts ? opts->cost_s : 0.0, out, &ctx->err);
}

ts_status ts_array_from_delayed(ts_ctx *ctx, ts_delayed *d, int ndim, const int64_t *shape, ts_dtype dtype,
                                ts_array **out)
{
    ctx_begin(ctx);
    *out = NULL;
    build_env env = ctx_build_env(ctx);
    return build_from_delayed(&env, d, ndim, shape, dtype, out);
}
