/* api_hdf5.c — the public HDF5 calls. The driver checks what it can before
 * any work (the file is readable, the dataset exists or not, the options
 * fit the array), so a mistake is reported at the script line; the workers
 * then create, write and mark the datasets themselves. */
#include "core/ctx.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

ts_status ts_array_from_hdf5(ts_ctx *ctx, const char *path, const char *dataset, const ts_load_opts *opts,
                             ts_array **out)
{
    ctx_begin(ctx);
    *out = NULL;
    h5_meta meta;
    ts_status st = h5_describe(path, dataset, &meta, &ctx->err);
    if (st != TS_OK)
        return st;
    if (meta.mark == H5_MARK_INCOMPLETE && !(opts && opts->allow_incomplete))
        return err_set(
            &ctx->err, TS_ERR_IO,
            "dataset %s in %s is incomplete: tessera did not finish writing it (the run that stored it "
            "failed or was stopped); store it again (a stopped store: run its script again with --resume), "
            "or pass allow_incomplete = true to read it anyway",
            dataset, path);
    build_env env = ctx_build_env(ctx);
    st = build_hdf5(&env, path, dataset, meta.dtype, meta.ndim, meta.shape, meta.chunked ? meta.chunk : NULL,
                    opts ? opts->chunks : NULL, out);
    /* Still being made (nobody holds it yet): what the plan counts for
     * each reader of this dataset beside the pool. */
    if (st == TS_OK)
        (*out)->p.hdf5.lib_nbytes = h5_read_lib_nbytes(&meta);
    return st;
}

char *ts_hdf5_info(const char *path, char *errbuf, size_t errlen)
{
    ts_err err;
    err_clear(&err);
    char *text = h5_info(path, &err);
    if (!text && errbuf && errlen)
        snprintf(errbuf, errlen, "%s", err.msg);
    return text;
}

/* The file must be writable, or its directory must exist and take a new
 * file. access() says yes to root on a read-only file system, so this
 * opens the path for writing (and removes what it created). */
static ts_status check_writable(ts_ctx *ctx, const char *path)
{
    bool existed = access(path, F_OK) == 0;
    int fd = open(path, existed ? O_WRONLY : O_WRONLY | O_CREAT | O_EXCL, 0644);
    if (fd < 0) {
        int e = errno;
        char *copy = strdup(path);
        struct stat sb;
        const char *dir = copy ? dirname(copy) : ".";
        ts_status st;
        if (!existed && stat(dir, &sb) != 0)
            st = err_set(&ctx->err, TS_ERR_IO, "cannot write %s: directory %s: %s", path, dir,
                         strerror(errno));
        else if (!existed && !S_ISDIR(sb.st_mode))
            st = err_set(&ctx->err, TS_ERR_IO, "cannot write %s: %s is not a directory", path, dir);
        else
            st = err_set(&ctx->err, TS_ERR_IO, "cannot write %s: %s", path, strerror(e));
        free(copy);
        return st;
    }
    close(fd);
    if (!existed)
        unlink(path);
    return TS_OK;
}

/* Storage chunk shape: the largest chunk per axis of opts->chunks
 * normalised against the array, else of the array's own chunks. */
static ts_status storage_chunks(ts_ctx *ctx, const ts_array *x, const ts_store_opts *opts, int64_t *chunk)
{
    int nd = ts_array_ndim(x);
    chunks_axis norm[TS_MAXDIM];
    const chunks_axis *use = x->chunks;
    if (opts && opts->chunks) {
        ts_status st = chunks_normalize(opts->chunks, nd, x->shape, ts_dtype_size(x->dtype),
                                        ctx->cfg.chunk_size_nbytes, NULL, norm, &ctx->err);
        if (st != TS_OK)
            return st;
        use = norm;
    }
    for (int d = 0; d < nd; d++) {
        chunk[d] = 1;
        for (int64_t c = 0; c < use[d].n; c++)
            chunk[d] = use[d].sizes[c] > chunk[d] ? use[d].sizes[c] : chunk[d];
    }
    if (use == norm)
        chunks_axis_free(norm, nd);
    return TS_OK;
}

typedef struct provenance {
    char created[32];
    char version[32];
    char fingerprint[40]; /* of the array stored */
} provenance;

/* The user's attributes followed by tessera's provenance. */
static h5_attr *make_attrs(ts_ctx *ctx, const ts_store_opts *opts, const provenance *pv, int *n)
{
    int nuser = opts ? opts->nattrs : 0;
    h5_attr *a = calloc((size_t)nuser + 5, sizeof *a);
    if (!a)
        return NULL;
    for (int i = 0; i < nuser; i++) {
        const ts_attr *u = &opts->attrs[i];
        a[i].name = u->name;
        if (u->s) {
            a[i].kind = H5_ATTR_STRING;
            a[i].s = u->s;
        } else if (u->kind != TS_SCALAR_FLOAT) {
            a[i].kind = H5_ATTR_INT;
            a[i].i = u->i;
        } else {
            a[i].kind = H5_ATTR_FLOAT;
            a[i].f = u->f;
        }
    }
    a[nuser + 0] = (h5_attr){.name = "tessera_version", .kind = H5_ATTR_STRING, .s = pv->version};
    a[nuser + 1] = (h5_attr){.name = "tessera_script",
                             .kind = H5_ATTR_STRING,
                             .s = ctx->cfg.script_path ? ctx->cfg.script_path : ""};
    a[nuser + 2] = (h5_attr){.name = "tessera_created", .kind = H5_ATTR_STRING, .s = pv->created};
    a[nuser + 3] = (h5_attr){.name = H5_SEED_ATTR, .kind = H5_ATTR_INT, .i = (int64_t)ctx->seed};
    a[nuser + 4] = (h5_attr){.name = H5_FINGERPRINT_ATTR, .kind = H5_ATTR_STRING, .s = pv->fingerprint};
    *n = nuser + 5;
    return a;
}

static ts_status check_target(ts_ctx *ctx, const ts_array *x, const char *path, const char *dataset,
                              const ts_store_opts *opts, bool resume)
{
    if (!path || !*path || !dataset || !*dataset)
        return err_set(&ctx->err, TS_ERR_ARG, "store needs a file path and a dataset name");
    if (opts && (opts->gzip_level < 0 || opts->gzip_level > 9))
        return err_set(&ctx->err, TS_ERR_ARG, "store: gzip level must be 1 to 9, got %d", opts->gzip_level);
    if (opts && opts->dims) {
        for (int d = 0; d < x->ndim; d++)
            if (!opts->dims[d] || !*opts->dims[d])
                return err_set(&ctx->err, TS_ERR_ARG, "store: dims needs %d names, one per axis", x->ndim);
    }
    ts_status st = check_writable(ctx, path);
    if (st != TS_OK || access(path, F_OK) != 0)
        return st;
    h5_meta meta;
    ts_err probe;
    err_clear(&probe);
    if (h5_describe(path, dataset, &meta, &probe) == TS_OK) {
        if (!(opts && opts->overwrite) && !resume)
            return err_set(&ctx->err, TS_ERR_IO,
                           "dataset %s already exists in %s; pass overwrite = true to replace it%s", dataset,
                           path,
                           meta.mark == H5_MARK_INCOMPLETE
                               ? " (it is incomplete: run with --resume to finish storing it)"
                               : "");
    } else if (strstr(probe.msg, "not an HDF5") || strstr(probe.msg, "corrupt")) {
        return err_set(&ctx->err, TS_ERR_IO, "%s", probe.msg);
    }
    return TS_OK;
}

ts_status ts_store(ts_ctx *ctx, int n, ts_array *const *arrays, const char *const *paths,
                   const char *const *datasets, const ts_store_opts *opts)
{
    ctx_begin(ctx);
    if (ctx->ses.rank != 0)
        return err_set(&ctx->err, TS_ERR_ARG, "store is called on the driver (rank 0) only");
    if (n <= 0)
        return err_set(&ctx->err, TS_ERR_ARG, "store needs at least one array");
    for (int i = 0; i < n; i++)
        for (int j = 0; j < i; j++)
            if (strcmp(paths[i], paths[j]) == 0 && strcmp(datasets[i], datasets[j]) == 0)
                return err_set(&ctx->err, TS_ERR_ARG, "store: %s:%s is a target twice", paths[i],
                               datasets[i]);
    provenance pv;
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(pv.created, sizeof pv.created, "%Y-%m-%dT%H:%M:%SZ", &tm);
    snprintf(pv.version, sizeof pv.version, "%s", TS_VERSION_STRING);
    store_list stores = {0};
    ts_status st = TS_OK;
    /* Chunks an interrupted run stored (--resume) and datasets complete. */
    int64_t nresumed = 0;
    int ncomplete = 0;
    bool resume = ctx->cfg.resume && !ctx->cfg.dry_run;
    for (int i = 0; i < n && st == TS_OK; i++) {
        const ts_array *x = arrays[i];
        st = check_target(ctx, x, paths[i], datasets[i], opts, resume);
        if (st != TS_OK)
            break;
        bool uses_run_seed = false;
        core_fingerprint_text(x, pv.fingerprint, sizeof pv.fingerprint, &uses_run_seed);
        int nattrs = 0;
        h5_attr *attrs = make_attrs(ctx, opts, &pv, &nattrs);
        if (!attrs) {
            st = err_set(&ctx->err, TS_ERR_MEMORY, "out of memory");
            break;
        }
        h5_target t = {.path = paths[i],
                       .dataset = datasets[i],
                       .dtype = x->dtype,
                       .ndim = x->ndim,
                       .overwrite = opts && opts->overwrite,
                       .gzip_level = opts ? opts->gzip_level : 0,
                       .nattrs = nattrs,
                       .attrs = attrs,
                       .dims = opts ? opts->dims : NULL,
                       .nrecord = node_nchunks(x)};
        for (int d = 0; d < x->ndim; d++)
            t.shape[d] = x->shape[d];
        st = storage_chunks(ctx, x, opts, t.chunk);
        int64_t nstored = 0;
        if (st == TS_OK && resume)
            st = core_resume_target(ctx, &t, pv.fingerprint, uses_run_seed, &nstored);
        nresumed += nstored;
        ncomplete += t.resume && nstored == t.nrecord;
        if (st == TS_OK && !store_list_add(&stores, i, &t))
            st = err_set(&ctx->err, TS_ERR_MEMORY, "out of memory");
        free(attrs);
    }
    if (st == TS_OK && ncomplete == n) {
        /* Every dataset was finished by the interrupted run. */
        ctx->stats.chunks_resumed += nresumed;
        store_list_fini(&stores);
        return TS_OK;
    }
    if (st == TS_OK && ctx->cfg.dry_run)
        st = core_dry_run(ctx, "store", n, arrays, NULL);
    else if (st == TS_OK)
        st = core_run(ctx, n, arrays, 0, &stores, NULL);
    if (st == TS_ERR_STOPPED)
        st = core_store_stopped(ctx, n, arrays, paths, datasets);
    store_list_fini(&stores);
    return st;
}
