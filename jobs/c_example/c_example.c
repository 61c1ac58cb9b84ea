/* c_example.c — custom tasks in C with tessera: a map_blocks kernel and
 * delayed tasks, registered by name on every rank (function pointers
 * differ between processes; names do not), then used by the driver.
 *
 *   every rank:  ts_ctx_create, ts_kernel_register("affine", ...),
 *                ts_kernel_register("poly", ...)
 *   workers:     ts_ctx_serve (they run the kernels the driver's graphs name)
 *   driver:      y = affine(x) block by block, its mean; eight delayed
 *                evaluations of a polynomial, one of them reading a computed
 *                array; a from_delayed array; then ts_ctx_shutdown.
 *
 * Build against an installed tessera (see CMakeLists.txt or use
 * pkg-config: mpicc c_example.c $(pkg-config --cflags --libs tessera)) and
 * run with mpirun -np 3 ./c_example. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <tessera.h>

/* map_blocks kernel: out = a * in + b; (a, b) are the call's bytes. */
static ts_status affine(const ts_block_call *c)
{
    const double *ab = c->ud;
    const double *in = c->in[0].data;
    double *out = c->out->data;
    int64_t n = 1;
    for (int d = 0; d < c->out->ndim; d++)
        n *= c->out->shape[d];
    for (int64_t i = 0; i < n; i++)
        out[i] = ab[0] * in[i] + ab[1];
    return TS_OK;
}

/* Task kernel: the polynomial whose coefficients are the call's bytes, at
 * x (argument 0, 8 bytes), plus the sum of an array argument if given. */
static ts_status poly(ts_task_call *c)
{
    const double *coef = c->ud;
    size_t ncoef = c->ud_nbytes / sizeof(double);
    if (c->nargs < 1 || c->args[0].nbytes != sizeof(double)) {
        snprintf(c->errmsg, c->errlen, "poly: the first argument must be one double");
        return TS_ERR_ARG;
    }
    double x, y = 0;
    memcpy(&x, c->args[0].data, sizeof x);
    for (size_t k = ncoef; k-- > 0;)
        y = y * x + coef[k];
    for (int i = 1; i < c->nargs; i++)
        if (c->args[i].is_array) {
            const ts_block *a = &c->args[i].array;
            int64_t n = 1;
            for (int d = 0; d < a->ndim; d++)
                n *= a->shape[d];
            for (int64_t k = 0; k < n; k++)
                y += ((const double *)a->data)[k];
        }
    double *r = malloc(sizeof *r);
    if (!r)
        return TS_ERR_MEMORY;
    *r = y;
    c->result = r;
    c->result_nbytes = sizeof *r;
    return TS_OK;
}

static int fail(ts_ctx *ctx, const char *what)
{
    fprintf(stderr, "c_example: %s: %s\n", what, ts_ctx_errmsg(ctx));
    return 1;
}

static int drive(ts_ctx *ctx)
{
    int64_t shape[2] = {1000, 400};
    ts_chunkspec chunks = {
        .naxes = 2, .axis = {{.kind = TS_CHUNK_SIZE, .size = 250}, {.kind = TS_CHUNK_SIZE, .size = 100}}};
    ts_create_opts co = {.chunks = &chunks, .seed = 7, .seed_set = true};
    ts_array *x = NULL, *y = NULL, *m = NULL, *s = NULL, *fromd = NULL;
    if (ts_array_random(ctx, TS_RANDOM_UNIFORM, 0, 1, 2, shape, &co, &x) != TS_OK)
        return fail(ctx, "random");
    double ab[2] = {2.0, 1.0};
    if (ts_array_map_blocks(ctx, 1, &x, affine, ab, sizeof ab, NULL, &y) != TS_OK)
        return fail(ctx, "map_blocks");
    ts_reduce_opts all = {.naxes = -1};
    if (ts_array_reduce(ctx, TS_MEAN, y, &all, &m) != TS_OK ||
        ts_array_reduce(ctx, TS_SUM, x, &all, &s) != TS_OK)
        return fail(ctx, "reduce");
    ts_local *mean = NULL;
    if (ts_compute(ctx, 1, &m, &mean) != TS_OK)
        return fail(ctx, "compute");
    printf("mean of 2x+1 over a %lldx%lld uniform array: %.6f\n", (long long)shape[0], (long long)shape[1],
           *(const double *)ts_local_data(mean));
    ts_local_destroy(mean);

    /* 1 + 2x + 3x^2 at x = 0..7; the last also adds sum(x) (computed first) */
    double coef[3] = {1, 2, 3};
    ts_delayed *tasks[8];
    for (int i = 0; i < 8; i++) {
        double xv = i;
        ts_delayed_arg args[2] = {{.kind = TS_ARG_BYTES, .data = &xv, .nbytes = sizeof xv},
                                  {.kind = TS_ARG_ARRAY, .array = s}};
        ts_delayed_opts o = {.label = "poly"};
        if (ts_delayed_create(ctx, poly, coef, sizeof coef, i == 7 ? 2 : 1, args, &o, &tasks[i]) != TS_OK)
            return fail(ctx, "delayed");
    }
    ts_bytes res[8];
    if (ts_compute_delayed(ctx, 8, tasks, res) != TS_OK)
        return fail(ctx, "compute_delayed");
    printf("poly:");
    for (int i = 0; i < 8; i++) {
        double v;
        memcpy(&v, res[i].data, sizeof v);
        printf(" %.6g", v);
        free(res[i].data);
    }
    printf("\n");

    /* one task's result as a one-element array, in lazy math */
    if (ts_array_from_delayed(ctx, tasks[3], 1, (int64_t[]){1}, TS_FLOAT64, &fromd) != TS_OK)
        return fail(ctx, "from_delayed");
    ts_local *v = NULL;
    if (ts_compute(ctx, 1, &fromd, &v) != TS_OK)
        return fail(ctx, "compute");
    printf("from_delayed: %.6g\n", *(const double *)ts_local_data(v));
    ts_local_destroy(v);
    for (int i = 0; i < 8; i++)
        ts_delayed_release(tasks[i]);
    ts_array_release(fromd);
    ts_array_release(s);
    ts_array_release(m);
    ts_array_release(y);
    ts_array_release(x);
    return 0;
}

int main(int argc, char **argv)
{
    ts_config cfg;
    ts_config_init(&cfg);
    cfg.quiet = true;
    ts_ctx *ctx = NULL;
    if (ts_ctx_create(&cfg, &argc, &argv, &ctx) != TS_OK) {
        fprintf(stderr, "c_example: cannot start: %s\n", ctx ? ts_ctx_errmsg(ctx) : "");
        ts_ctx_destroy(ctx);
        return 1;
    }
    /* Every rank, before serving: the same names for the same code. */
    ts_kernel k_affine = {.block = affine}, k_poly = {.task = poly};
    if (ts_kernel_register(ctx, "affine", &k_affine) != TS_OK ||
        ts_kernel_register(ctx, "poly", &k_poly) != TS_OK) {
        fprintf(stderr, "c_example: %s\n", ts_ctx_errmsg(ctx));
        ts_ctx_destroy(ctx);
        return 1;
    }
    int status;
    if (ts_ctx_is_driver(ctx)) {
        status = drive(ctx);
        ts_ctx_shutdown(ctx, status);
    } else {
        status = ts_ctx_serve(ctx);
    }
    ts_ctx_destroy(ctx);
    return status;
}
