/* test_mpi_h5.c — the collective HDF5 writer under mpirun (3 ranks, all in
 * MPI_COMM_WORLD): create, independent and collective (gzip) writes of
 * disjoint chunk boxes, finish, then bit-exact reads and the mark; the
 * errors every rank must agree on; and, from rank 0, that h5py, xarray
 * (h5netcdf) and h5dump read the files. Failure counts are summed over
 * ranks so every rank exits with the same status. */
#include <check.h>
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "io/h5.h"

static int rank, nranks;
static char dir[256];

static const char *at(const char *name)
{
    static char buf[4][512];
    static int next;
    char *p = buf[next++ % 4];
    snprintf(p, 512, "%s/%s", dir, name);
    return p;
}

/* The value every test writes at flat index i, by dtype. */
static void put_value(ts_dtype dt, void *buf, int64_t k, int64_t i)
{
    switch (dt) {
    case TS_BOOL: ((bool *)buf)[k] = i % 3 == 0; break;
    case TS_INT32: ((int32_t *)buf)[k] = (int32_t)(i - 7); break;
    case TS_INT64: ((int64_t *)buf)[k] = i * 10000000007LL; break;
    case TS_FLOAT32: ((float *)buf)[k] = (float)i * 0.25f; break;
    default: ((double *)buf)[k] = (double)i * 0.5; break;
    }
}

/* Chunk c of t (C order over the chunk grid) as a box. */
static int64_t chunk_box(const h5_target *t, int64_t c, int64_t *start, int64_t *count)
{
    int64_t n = 1;
    for (int d = t->ndim - 1; d >= 0; d--) {
        int64_t per = (t->shape[d] + t->chunk[d] - 1) / t->chunk[d];
        int64_t j = c % per;
        c /= per;
        start[d] = j * t->chunk[d];
        count[d] = t->shape[d] - start[d] < t->chunk[d] ? t->shape[d] - start[d] : t->chunk[d];
        n *= count[d];
    }
    return n;
}

static int64_t nchunks(const h5_target *t)
{
    int64_t n = 1;
    for (int d = 0; d < t->ndim; d++)
        n *= (t->shape[d] + t->chunk[d] - 1) / t->chunk[d];
    return n;
}

/* Fills buf with the values of box [start, start + count) of t. */
static void fill_box(const h5_target *t, const int64_t *start, const int64_t *count, void *buf)
{
    int64_t n = 1, idx[TS_MAXDIM] = {0};
    for (int d = 0; d < t->ndim; d++)
        n *= count[d];
    for (int64_t k = 0; k < n; k++) {
        int64_t flat = 0;
        for (int d = 0; d < t->ndim; d++)
            flat = flat * t->shape[d] + start[d] + idx[d];
        put_value(t->dtype, buf, k, flat);
        for (int d = t->ndim - 1; d >= 0 && ++idx[d] == count[d]; d--)
            idx[d] = 0;
    }
}

/* Every rank writes the chunks c with c % nranks == rank; collective
 * targets go in rounds, ranks short of boxes passing count == NULL. */
static void write_all(h5_writer *w, int ti, const h5_target *t)
{
    int64_t total = nchunks(t), mine = (total - rank + nranks - 1) / nranks, rounds;
    MPI_Allreduce(&mine, &rounds, 1, MPI_INT64_T, MPI_MAX, MPI_COMM_WORLD);
    if (!h5_writer_collective(w, ti))
        rounds = mine;
    size_t esize = ts_dtype_size(t->dtype);
    int64_t n = 1;
    for (int d = 0; d < t->ndim; d++)
        n *= t->chunk[d];
    void *buf = malloc((size_t)n * esize);
    for (int64_t r = 0; r < rounds; r++) {
        int64_t start[TS_MAXDIM], count[TS_MAXDIM], c = r * nranks + rank;
        ts_err err;
        err_clear(&err);
        if (c < total) {
            chunk_box(t, c, start, count);
            fill_box(t, start, count, buf);
        }
        ck_assert_msg(h5_writer_write(w, ti, start, c < total ? count : NULL, buf, &err) == TS_OK, "%s",
                      err.msg);
    }
    free(buf);
}

/* Reads the whole of t back and compares bit for bit. */
static void check_all(const h5_target *t, h5_mark mark)
{
    h5_meta m;
    ts_err err;
    err_clear(&err);
    ck_assert_msg(h5_describe(t->path, t->dataset, &m, &err) == TS_OK, "%s", err.msg);
    ck_assert_int_eq(m.dtype, t->dtype);
    ck_assert_int_eq(m.ndim, t->ndim);
    ck_assert_int_eq(m.mark, mark);
    ck_assert(m.chunked);
    int64_t n = 1, zero[TS_MAXDIM] = {0};
    for (int d = 0; d < t->ndim; d++) {
        ck_assert_int_eq(m.shape[d], t->shape[d]);
        ck_assert_int_eq(m.chunk[d], t->chunk[d]);
        n *= t->shape[d];
    }
    size_t esize = ts_dtype_size(t->dtype);
    char *got = malloc((size_t)n * esize), *want = malloc((size_t)n * esize);
    h5_reader *r;
    ck_assert_msg(h5_reader_open(t->path, t->dataset, &r, &err) == TS_OK, "%s", err.msg);
    ck_assert_msg(h5_reader_read(r, t->ndim, zero, t->shape, t->dtype, got, &err) == TS_OK, "%s", err.msg);
    h5_reader_close(r);
    fill_box(t, zero, t->shape, want);
    ck_assert_msg(memcmp(got, want, (size_t)n * esize) == 0, "%s in %s differs from what was written",
                  t->dataset, t->path);
    free(got);
    free(want);
}

static h5_target target(const char *file, const char *ds, ts_dtype dt, int ndim, const int64_t *shape,
                        const int64_t *chunk)
{
    h5_target t = {.path = at(file), .dataset = ds, .dtype = dt, .ndim = ndim};
    for (int d = 0; d < ndim; d++) {
        t.shape[d] = shape[d];
        t.chunk[d] = chunk[d];
    }
    return t;
}

/* Runs a python check on rank 0; every rank learns whether it passed. */
static void python_check(const char *script)
{
    int rc = 0;
    if (rank == 0) {
        if (access("/usr/bin/python3", X_OK) != 0) {
            printf("test_mpi_h5: /usr/bin/python3 missing; reader check skipped\n");
        } else {
            FILE *f = fopen(at("check.py"), "w");
            fputs(script, f);
            fclose(f);
            char cmd[1024];
            snprintf(cmd, sizeof cmd, "cd %s && /usr/bin/python3 check.py", dir);
            rc = system(cmd);
        }
    }
    MPI_Bcast(&rc, 1, MPI_INT, 0, MPI_COMM_WORLD);
    ck_assert_msg(rc == 0, "python reader check failed");
}

START_TEST(independent_writes_round_trip_and_other_readers_agree)
{
    static const h5_attr attrs[] = {
        {.name = "units", .kind = H5_ATTR_STRING, .s = "K"},
        {.name = "history", .kind = H5_ATTR_STRING, .s = "tessera \xc3\xa9t\xc3\xa9"},
        {.name = "seed", .kind = H5_ATTR_INT, .i = 1234567890123LL},
        {.name = "scale", .kind = H5_ATTR_FLOAT, .f = 0.1},
    };
    static const char *const ndims[] = {"n"};
    h5_target t[4] = {
        target("a.h5", "/grp/x", TS_FLOAT64, 2, (int64_t[]){50, 37}, (int64_t[]){8, 10}),
        target("a.h5", "b", TS_INT32, 1, (int64_t[]){20}, (int64_t[]){6}),
        target("a.h5", "flags", TS_BOOL, 2, (int64_t[]){9, 4}, (int64_t[]){4, 4}),
        target("a2.h5", "big", TS_INT64, 3, (int64_t[]){5, 6, 7}, (int64_t[]){2, 6, 3}),
    };
    t[0].nattrs = 4;
    t[0].attrs = attrs;
    t[1].dims = ndims;
    h5_writer *w;
    ts_err err;
    err_clear(&err);
    ck_assert_msg(h5_writer_create(MPI_COMM_WORLD, 4, t, &w, &err) == TS_OK, "%s", err.msg);
    for (int i = 0; i < 4; i++) {
        ck_assert(!h5_writer_collective(w, i));
        write_all(w, i, &t[i]);
    }
    MPI_Barrier(MPI_COMM_WORLD);
    h5_meta m;
    ck_assert(h5_describe(t[0].path, t[0].dataset, &m, &err) == TS_OK);
    ck_assert_int_eq(m.mark, H5_MARK_INCOMPLETE);
    MPI_Barrier(MPI_COMM_WORLD);
    ck_assert_msg(h5_writer_finish(w, TS_OK, &err) == TS_OK, "%s", err.msg);
    for (int i = 0; i < 4; i++)
        check_all(&t[i], H5_MARK_COMPLETE);
    python_check("import h5py, numpy as np, xarray as xr, subprocess\n"
                 "f = h5py.File('a.h5', 'r')\n"
                 "x = f['grp/x']\n"
                 "assert (x[...] == np.arange(50 * 37).reshape(50, 37) * 0.5).all()\n"
                 "assert x.attrs['units'] == 'K' and isinstance(x.attrs['units'], str)\n"
                 "assert x.attrs['history'] == 'tessera \\u00e9t\\u00e9'\n"
                 "assert x.attrs['seed'] == 1234567890123 and x.attrs['scale'] == 0.1\n"
                 "assert x.attrs['tessera_complete'] == 1\n"
                 "assert f['flags'].dtype == np.bool_, f['flags'].dtype\n"
                 "assert (f['flags'][...] == (np.arange(36).reshape(9, 4) % 3 == 0)).all()\n"
                 "assert (f['b'][...] == np.arange(20) - 7).all()\n"
                 "f.close()\n"
                 "ds = xr.open_dataset('a.h5', engine='h5netcdf')\n"
                 "assert ds['b'].dims == ('n',), ds['b'].dims\n"
                 "assert ds['flags'].dims == ('dim_0', 'dim_1'), ds['flags'].dims\n"
                 "assert (ds['b'].values == np.arange(20) - 7).all()\n"
                 "g = xr.open_dataset('a.h5', engine='h5netcdf', group='grp')\n"
                 "assert g['x'].dims == ('dim_0', 'dim_1') and g['x'].attrs['units'] == 'K'\n"
                 "assert g.sizes['dim_0'] == 50 and g.sizes['dim_1'] == 37\n"
                 "assert (g['x'].values == np.arange(50 * 37).reshape(50, 37) * 0.5).all()\n"
                 "ds = xr.open_dataset('a2.h5', engine='h5netcdf')\n"
                 "assert ds['big'].dims == ('dim_0', 'dim_1', 'dim_2')\n"
                 "import netCDF4\n"
                 "nc = netCDF4.Dataset('a.h5')\n"
                 "assert nc['b'].dimensions == ('n',) and len(nc.dimensions['n']) == 20\n"
                 "assert nc['grp']['x'].dimensions == ('dim_0', 'dim_1')\n"
                 "subprocess.run(['h5dump', '-H', 'a.h5'], check=True, stdout=subprocess.DEVNULL)\n");
}
END_TEST

START_TEST(gzip_writes_are_collective_with_uneven_rounds)
{
    /* 7 x 4 = 28 chunks: ranks own 10, 9 and 9, so ranks 1 and 2 pass an
     * empty box in the last round. */
    h5_target t = target("gz.h5", "/z", TS_FLOAT32, 2, (int64_t[]){31, 23}, (int64_t[]){5, 6});
    t.gzip_level = 3;
    h5_writer *w;
    ts_err err;
    err_clear(&err);
    ck_assert_msg(h5_writer_create(MPI_COMM_WORLD, 1, &t, &w, &err) == TS_OK, "%s", err.msg);
    ck_assert(h5_writer_collective(w, 0));
    write_all(w, 0, &t);
    ck_assert_msg(h5_writer_finish(w, TS_OK, &err) == TS_OK, "%s", err.msg);
    check_all(&t, H5_MARK_COMPLETE);
    char *text = h5_info(t.path, &err);
    ck_assert_msg(text && strstr(text, "/z: float32 (31, 23), chunks (5, 6), filters: shuffle, gzip(3)\n"
                                       "    tessera: complete\n"),
                  "%s", text ? text : err.msg);
    ck_assert_msg(strstr(text, "/dim_0: float32 (31,), chunks (31,), filters: gzip(1) (dimension scale)\n"),
                  "%s", text);
    free(text);
    python_check("import xarray as xr, numpy as np\n"
                 "z = xr.open_dataset('gz.h5', engine='h5netcdf')['z']\n"
                 "assert z.dims == ('dim_0', 'dim_1') and z.dtype == np.float32\n"
                 "assert (z.values == np.arange(31 * 23, dtype='f4').reshape(31, 23) * 0.25).all()\n");
}
END_TEST

START_TEST(existing_datasets_need_overwrite_and_dims_must_agree)
{
    h5_target t = target("ow.h5", "grp/v", TS_INT64, 1, (int64_t[]){12}, (int64_t[]){5});
    h5_writer *w;
    ts_err err;
    err_clear(&err);
    ck_assert_msg(h5_writer_create(MPI_COMM_WORLD, 1, &t, &w, &err) == TS_OK, "%s", err.msg);
    ck_assert(h5_writer_finish(w, TS_OK, &err) == TS_OK);

    char msg[1024];
    snprintf(msg, sizeof msg, "dataset /grp/v already exists in %s; pass overwrite = true to replace it",
             t.path);
    ck_assert_int_eq(h5_writer_create(MPI_COMM_WORLD, 1, &t, &w, &err), TS_ERR_IO);
    ck_assert_str_eq(err.msg, msg);

    /* Replacing works and reuses the dimension of the same length. */
    err_clear(&err);
    t.overwrite = true;
    ck_assert_msg(h5_writer_create(MPI_COMM_WORLD, 1, &t, &w, &err) == TS_OK, "%s", err.msg);
    write_all(w, 0, &t);
    ck_assert_msg(h5_writer_finish(w, TS_OK, &err) == TS_OK, "%s", err.msg);
    check_all(&t, H5_MARK_COMPLETE);

    /* Unnamed axes of another length get their own dimension; a name
     * given explicitly must agree with the file. */
    h5_target u = target("ow.h5", "grp/u", TS_INT64, 1, (int64_t[]){13}, (int64_t[]){5});
    ck_assert_msg(h5_writer_create(MPI_COMM_WORLD, 1, &u, &w, &err) == TS_OK, "%s", err.msg);
    write_all(w, 0, &u);
    ck_assert_msg(h5_writer_finish(w, TS_OK, &err) == TS_OK, "%s", err.msg);
    static const char *const named[] = {"dim_0"};
    h5_target bad = target("ow.h5", "grp/bad", TS_INT64, 1, (int64_t[]){14}, (int64_t[]){5});
    bad.dims = named;
    snprintf(msg, sizeof msg,
             "dimension dim_0 (axis 0 of /grp/bad in %s) has length 14, but the file already has dim_0 with "
             "length 12 in the same group; name the dimensions differently",
             bad.path);
    ck_assert_int_eq(h5_writer_create(MPI_COMM_WORLD, 1, &bad, &w, &err), TS_ERR_SHAPE);
    ck_assert_str_eq(err.msg, msg);
    python_check("import xarray as xr, numpy as np\n"
                 "g = xr.open_dataset('ow.h5', engine='h5netcdf', group='grp')\n"
                 "assert sorted(g.data_vars) == ['u', 'v'], list(g.data_vars)\n"
                 "assert g['v'].dims == ('dim_0',) and g['u'].dims == ('dim_0_13',)\n"
                 "assert (g['v'].values == np.arange(12) * 10000000007).all()\n"
                 "assert (g['u'].values == np.arange(13) * 10000000007).all()\n");

    /* Replacing v with another length frees dim_0, which only v used. */
    h5_target v2 = target("ow.h5", "grp/v", TS_FLOAT32, 2, (int64_t[]){15, 3}, (int64_t[]){5, 3});
    v2.overwrite = true;
    err_clear(&err);
    ck_assert_msg(h5_writer_create(MPI_COMM_WORLD, 1, &v2, &w, &err) == TS_OK, "%s", err.msg);
    write_all(w, 0, &v2);
    ck_assert_msg(h5_writer_finish(w, TS_OK, &err) == TS_OK, "%s", err.msg);
    check_all(&v2, H5_MARK_COMPLETE);
    python_check("import xarray as xr, numpy as np\n"
                 "g = xr.open_dataset('ow.h5', engine='h5netcdf', group='grp')\n"
                 "assert g['v'].dims == ('dim_0', 'dim_1') and g.sizes['dim_0'] == 15\n"
                 "assert g['u'].dims == ('dim_0_13',)\n"
                 "assert (g['v'].values == np.arange(45, dtype='f4').reshape(15, 3) * 0.25).all()\n");
}
END_TEST

START_TEST(a_failed_rank_leaves_the_mark_incomplete)
{
    h5_target t = target("fail.h5", "d", TS_FLOAT64, 2, (int64_t[]){10, 10}, (int64_t[]){5, 5});
    h5_writer *w;
    ts_err err;
    err_clear(&err);
    ck_assert_msg(h5_writer_create(MPI_COMM_WORLD, 1, &t, &w, &err) == TS_OK, "%s", err.msg);
    write_all(w, 0, &t);
    ck_assert_int_eq(h5_writer_finish(w, rank != 1 ? TS_OK : TS_ERR_RUNTIME, &err), TS_ERR_RUNTIME);
    char msg[1024];
    snprintf(msg, sizeof msg, "rank 1 did not finish writing %s; its datasets stay incomplete", t.path);
    ck_assert_str_eq(err.msg, msg);
    h5_meta m;
    err_clear(&err);
    ck_assert(h5_describe(t.path, "d", &m, &err) == TS_OK);
    ck_assert_int_eq(m.mark, H5_MARK_INCOMPLETE);
    char *text = h5_info(t.path, &err);
    ck_assert_msg(text && strstr(text, "    tessera: INCOMPLETE: tessera did not finish writing it\n"), "%s",
                  text ? text : err.msg);
    free(text);
}
END_TEST

START_TEST(permission_denied_is_the_same_on_every_rank)
{
    if (geteuid() != 0) {
        if (rank == 0)
            printf("test_mpi_h5: not root; permission test uses chmod only\n");
    }
    char locked[512];
    snprintf(locked, sizeof locked, "%s", at("locked"));
    if (rank == 0)
        ck_assert_int_eq(mkdir(locked, 0555), 0);
    MPI_Barrier(MPI_COMM_WORLD);
    h5_target t = target("locked/out.h5", "d", TS_FLOAT64, 1, (int64_t[]){4}, (int64_t[]){4});
    /* Root may write anywhere: act as nobody for the call. */
    bool dropped = geteuid() == 0 && seteuid(65534) == 0;
    h5_writer *w;
    ts_err err;
    err_clear(&err);
    ts_status st = h5_writer_create(MPI_COMM_WORLD, 1, &t, &w, &err);
    if (dropped)
        ck_assert_int_eq(seteuid(0), 0);
    char msg[1024];
    snprintf(msg, sizeof msg, "cannot write %s: Permission denied", t.path);
    ck_assert_int_eq(st, TS_ERR_IO);
    ck_assert_str_eq(err.msg, msg);

    /* A path under a regular file, and a directory in place of the file. */
    if (rank == 0)
        fclose(fopen(at("plain"), "w"));
    MPI_Barrier(MPI_COMM_WORLD);
    t = target("plain/out.h5", "d", TS_FLOAT64, 1, (int64_t[]){4}, (int64_t[]){4});
    err_clear(&err);
    snprintf(msg, sizeof msg, "cannot write %s: Not a directory", t.path);
    ck_assert_int_eq(h5_writer_create(MPI_COMM_WORLD, 1, &t, &w, &err), TS_ERR_IO);
    ck_assert_str_eq(err.msg, msg);
    t = target("locked", "d", TS_FLOAT64, 1, (int64_t[]){4}, (int64_t[]){4});
    err_clear(&err);
    snprintf(msg, sizeof msg, "cannot write %s: Is a directory", t.path);
    ck_assert_int_eq(h5_writer_create(MPI_COMM_WORLD, 1, &t, &w, &err), TS_ERR_IO);
    ck_assert_str_eq(err.msg, msg);
}
END_TEST

START_TEST(disk_full_is_reported)
{
    /* A 1 MiB tmpfs (needs root); an 8 MB dataset cannot fit. */
    char small[512];
    snprintf(small, sizeof small, "%s", at("small"));
    int mounted = 0;
    if (rank == 0)
        mounted = mkdir(small, 0755) == 0 && mount("tmpfs", small, "tmpfs", 0, "size=1m") == 0;
    MPI_Bcast(&mounted, 1, MPI_INT, 0, MPI_COMM_WORLD);
    if (!mounted) {
        if (rank == 0)
            printf("test_mpi_h5: cannot mount a small tmpfs; disk-full test skipped\n");
        return;
    }
    h5_target t =
        target("small/full.h5", "/d", TS_FLOAT64, 2, (int64_t[]){1000, 1000}, (int64_t[]){100, 100});
    h5_writer *w;
    ts_err err;
    err_clear(&err);
    ts_status st = h5_writer_create(MPI_COMM_WORLD, 1, &t, &w, &err);
    if (st == TS_OK) {
        ts_err werr;
        err_clear(&werr);
        int64_t total = nchunks(&t), start[2], count[2];
        double *buf = malloc(100 * 100 * sizeof *buf);
        for (int64_t c = rank; c < total && werr.status == TS_OK; c += nranks) {
            chunk_box(&t, c, start, count);
            fill_box(&t, start, count, buf);
            h5_writer_write(w, 0, start, count, buf, &werr);
        }
        free(buf);
        st = h5_writer_finish(w, werr.status, &err);
    }
    char msg[1024];
    snprintf(msg, sizeof msg, "disk full while writing %s", t.path);
    MPI_Barrier(MPI_COMM_WORLD);
    if (rank == 0)
        umount(small);
    ck_assert_int_eq(st, TS_ERR_IO);
    ck_assert_msg(strncmp(err.msg, msg, strlen(msg)) == 0, "%s", err.msg);
}
END_TEST

/* Writes (and records) chunks [from, upto) of t, c % nranks == rank on
 * this rank; skips chunks the writer says are stored. */
static void write_range(h5_writer *w, int ti, const h5_target *t, int64_t from, int64_t upto)
{
    int64_t mine = 0, rounds;
    for (int64_t c = from; c < upto; c++)
        mine += c % nranks == rank;
    MPI_Allreduce(&mine, &rounds, 1, MPI_INT64_T, MPI_MAX, MPI_COMM_WORLD);
    if (!h5_writer_collective(w, ti))
        rounds = mine;
    double buf[64];
    int64_t c = from;
    for (int64_t r = 0; r < rounds; r++) {
        while (c < upto && c % nranks != rank)
            c++;
        int64_t start[TS_MAXDIM], count[TS_MAXDIM];
        bool have = c < upto && !h5_writer_stored(w, ti, c);
        if (have) {
            chunk_box(t, c, start, count);
            fill_box(t, start, count, buf);
        }
        ts_err err;
        err_clear(&err);
        ck_assert_msg(h5_writer_write(w, ti, start, have ? count : NULL, buf, &err) == TS_OK, "%s", err.msg);
        if (have)
            ck_assert_msg(h5_writer_record(w, ti, c, &err) == TS_OK, "%s", err.msg);
        c++;
    }
}

static int64_t stored_count(const h5_target *t)
{
    h5_stored old;
    bool exists = false;
    ts_err err;
    err_clear(&err);
    ck_assert_msg(h5_stored_describe(t->path, t->dataset, &old, &exists, &err) == TS_OK, "%s", err.msg);
    ck_assert(exists);
    return old.nrecord < 0 ? -1 : old.nstored;
}

START_TEST(the_record_holds_what_was_written_and_a_resume_continues_it)
{
    /* 8 plain chunks, written independently; 12 gzip ones, collectively. */
    h5_target t[2] = {target("rec.h5", "grp/plain", TS_FLOAT64, 2, (int64_t[]){12, 10}, (int64_t[]){3, 5}),
                      target("rec.h5", "gz", TS_INT32, 1, (int64_t[]){36}, (int64_t[]){3})};
    t[1].gzip_level = 2;
    for (int i = 0; i < 2; i++)
        t[i].nrecord = nchunks(&t[i]);
    h5_writer *w;
    ts_err err;
    err_clear(&err);
    ck_assert_msg(h5_writer_create(MPI_COMM_WORLD, 2, t, &w, &err) == TS_OK, "%s", err.msg);
    write_range(w, 0, &t[0], 0, 5);
    write_range(w, 1, &t[1], 0, 7);
    MPI_Barrier(MPI_COMM_WORLD);
    /* Independent writes are recorded at once, collective ones at a flush. */
    ck_assert_int_eq(stored_count(&t[0]), 5);
    ck_assert_int_eq(stored_count(&t[1]), 0);
    MPI_Barrier(MPI_COMM_WORLD);
    ck_assert_msg(h5_writer_sync(w, &err) == TS_OK, "%s", err.msg);
    ck_assert_int_eq(stored_count(&t[1]), 7);
    MPI_Barrier(MPI_COMM_WORLD);
    write_range(w, 1, &t[1], 7, 9);
    /* One rank stopped: every rank hears TS_ERR_STOPPED; what was written
     * is recorded, nothing is marked complete. */
    ck_assert_int_eq(h5_writer_finish(w, rank == 1 ? TS_ERR_STOPPED : TS_OK, &err), TS_ERR_STOPPED);
    ck_assert_int_eq(stored_count(&t[0]), 5);
    ck_assert_int_eq(stored_count(&t[1]), 9);
    char *text = h5_info(t[0].path, &err);
    ck_assert_msg(text &&
                      strstr(text, "INCOMPLETE: tessera did not finish writing it; 5 of 8 chunks stored") &&
                      !strstr(text, H5_RECORD_SUFFIX),
                  "%s", text ? text : err.msg);
    free(text);
    MPI_Barrier(MPI_COMM_WORLD);

    /* The resumed store sees what is stored, writes the rest, completes,
     * and the record is gone. */
    t[0].resume = t[1].resume = true;
    err_clear(&err);
    ck_assert_msg(h5_writer_create(MPI_COMM_WORLD, 2, t, &w, &err) == TS_OK, "%s", err.msg);
    for (int64_t c = 0; c < 12; c++) {
        ck_assert(h5_writer_stored(w, 0, c) == (c < 5));
        ck_assert(h5_writer_stored(w, 1, c) == (c < 9));
    }
    write_range(w, 0, &t[0], 0, 8);
    write_range(w, 1, &t[1], 0, 12);
    ck_assert_msg(h5_writer_finish(w, TS_OK, &err) == TS_OK, "%s", err.msg);
    for (int i = 0; i < 2; i++) {
        check_all(&t[i], H5_MARK_COMPLETE);
        ck_assert_int_eq(stored_count(&t[i]), -1);
    }
    MPI_Barrier(MPI_COMM_WORLD);

    /* A new store (not a resume) over an incomplete dataset starts a new
     * record: the old one never speaks for the new data. */
    t[0].resume = false;
    t[0].overwrite = true;
    err_clear(&err);
    ck_assert_msg(h5_writer_create(MPI_COMM_WORLD, 1, t, &w, &err) == TS_OK, "%s", err.msg);
    write_range(w, 0, &t[0], 0, 3);
    err_clear(&err);
    ck_assert_int_eq(h5_writer_finish(w, TS_ERR_STOPPED, &err), TS_ERR_STOPPED);
    t[0].overwrite = false;
    err_clear(&err);
    ck_assert_msg(h5_writer_create(MPI_COMM_WORLD, 1, t, &w, &err) == TS_ERR_IO, "an existing dataset");
    t[0].overwrite = true;
    err_clear(&err);
    ck_assert_msg(h5_writer_create(MPI_COMM_WORLD, 1, t, &w, &err) == TS_OK, "%s", err.msg);
    ck_assert(!h5_writer_stored(w, 0, 0));
    err_clear(&err);
    ck_assert_int_eq(h5_writer_finish(w, TS_ERR_STOPPED, &err), TS_ERR_STOPPED);
    ck_assert_int_eq(stored_count(&t[0]), 0);
}
END_TEST

int main(int argc, char **argv)
{
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &nranks);
    if (rank == 0) {
        snprintf(dir, sizeof dir, "/tmp/tessera_test_mpi_h5_XXXXXX");
        if (!mkdtemp(dir))
            dir[0] = '\0';
    }
    MPI_Bcast(dir, sizeof dir, MPI_CHAR, 0, MPI_COMM_WORLD);
    int failed = 1;
    if (dir[0]) {
        Suite *s = suite_create("mpi_h5");
        TCase *tc = tcase_create("write");
        tcase_set_timeout(tc, 240);
        tcase_add_test(tc, independent_writes_round_trip_and_other_readers_agree);
        tcase_add_test(tc, gzip_writes_are_collective_with_uneven_rounds);
        tcase_add_test(tc, existing_datasets_need_overwrite_and_dims_must_agree);
        tcase_add_test(tc, a_failed_rank_leaves_the_mark_incomplete);
        tcase_add_test(tc, permission_denied_is_the_same_on_every_rank);
        tcase_add_test(tc, disk_full_is_reported);
        tcase_add_test(tc, the_record_holds_what_was_written_and_a_resume_continues_it);
        suite_add_tcase(s, tc);
        SRunner *sr = srunner_create(s);
        srunner_set_fork_status(sr, CK_NOFORK);
        srunner_run_all(sr, rank == 0 ? CK_NORMAL : CK_SILENT);
        failed = srunner_ntests_failed(sr);
        srunner_free(sr);
    }
    int total = 0;
    MPI_Allreduce(&failed, &total, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD);
    if (rank == 0 && dir[0]) {
        char cmd[600];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
        if (system(cmd) != 0)
            fprintf(stderr, "test_mpi_h5: could not remove %s\n", dir);
    }
    MPI_Finalize();
    return total ? 1 : 0;
}
