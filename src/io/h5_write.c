/* h5_write.c — the collective writer. Every rank of comm opens each file
 * once through MPI-IO and creates every dataset together (metadata is
 * collective in parallel HDF5); raw data is then written independently, or
 * collectively for compressed datasets. Invariant: a dataset's mark is 0
 * ("incomplete") from its creation until finish has seen every rank
 * succeed and flushed the data; only then does it become 1. Meanwhile its
 * record (h5_record.c) holds only chunks whose bytes are in the file. */
#include "io/h5_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct wtarget {
    int file; /* index into h5_writer.files */
    hid_t dset;
    hid_t mtype; /* memory type of the target's dtype */
    int ndim;
    bool collective; /* filtered: parallel HDF5 needs collective writes */
    char shown[600]; /* "/grp/x", for messages */
    hid_t rec;       /* the record of stored chunks, or -1 */
    int64_t nrecord;
    unsigned char *stored; /* the record as opened (resume), or NULL; owned */
    int64_t *pending;      /* collective: chunks written since the last flush; owned */
    int64_t npending, cappending;
} wtarget;

typedef struct wfile {
    const char *path; /* borrowed from the first target naming it */
    hid_t id;
} wfile;

struct h5_writer {
    MPI_Comm comm;
    int rank;       /* in comm (the writers) */
    int world_rank; /* what messages call the rank, as the banner and summary do */
    int nfiles, ntargets;
    wfile *files;
    wtarget *t;
    hid_t dxpl_indep, dxpl_coll;
    ts_err werr; /* first failed write on this rank, reported by finish */
};

/* ------------------------------------------------------------ checks */

static ts_status check_target(const h5_target *t, ts_err *err)
{
    if (!t->path || !t->dataset || !t->dataset[0])
        return err_set(err, TS_ERR_ARG, "an HDF5 target needs a file path and a dataset name");
    if ((int)t->dtype < 0 || (int)t->dtype >= TS_NDTYPES)
        return err_set(err, TS_ERR_DTYPE, "dataset %s in %s: unknown dtype %d", t->dataset, t->path,
                       (int)t->dtype);
    if (t->ndim < 0 || t->ndim > TS_MAXDIM)
        return err_set(err, TS_ERR_SHAPE, "dataset %s in %s: %d dimensions (at most %d)", t->dataset, t->path,
                       t->ndim, TS_MAXDIM);
    if (t->gzip_level < 0 || t->gzip_level > 9)
        return err_set(err, TS_ERR_ARG, "dataset %s in %s: gzip level %d is not in 0..9", t->dataset, t->path,
                       t->gzip_level);
    for (int d = 0; d < t->ndim; d++)
        if (t->shape[d] < 0 || t->chunk[d] < 1 || (t->shape[d] > 0 && t->chunk[d] > t->shape[d]))
            return err_set(err, TS_ERR_CHUNKS,
                           "dataset %s in %s: chunk %lld does not fit axis %d of length %lld", t->dataset,
                           t->path, (long long)t->chunk[d], d, (long long)t->shape[d]);
    for (int a = 0; a < t->nattrs; a++)
        if (!t->attrs[a].name || strcmp(t->attrs[a].name, H5_MARK_ATTR) == 0)
            return err_set(err, TS_ERR_ARG, "dataset %s in %s: attribute name %s is reserved or missing",
                           t->dataset, t->path, t->attrs[a].name ? t->attrs[a].name : "(null)");
    return TS_OK;
}

/* Rank 0's look at the file system: does path exist, and may we write it
 * (or create it in its directory)? Checked with the effective ids. */
static ts_status check_writable(const char *path, int *exists, ts_err *err)
{
    struct stat st;
    *exists = stat(path, &st) == 0;
    /* ENOTDIR, ELOOP, ...: the path itself is unusable. */
    if (!*exists && errno != ENOENT)
        return err_set(err, TS_ERR_IO, "cannot write %s: %s", path, strerror(errno));
    if (*exists) {
        if (S_ISDIR(st.st_mode))
            return err_set(err, TS_ERR_IO, "cannot write %s: %s", path, strerror(EISDIR));
        if (faccessat(AT_FDCWD, path, R_OK | W_OK, AT_EACCESS) != 0)
            return err_set(err, TS_ERR_IO, "cannot write %s: %s", path, strerror(errno));
        return TS_OK;
    }
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", path);
    const char *parent = dirname(dir);
    if (faccessat(AT_FDCWD, parent, W_OK | X_OK, AT_EACCESS) != 0)
        return err_set(err, TS_ERR_IO, "cannot write %s: %s", path, strerror(errno));
    return TS_OK;
}

/* ------------------------------------------------------------- files */

static ts_status open_files(h5_writer *w, int ntargets, const h5_target *targets, ts_err *err)
{
    for (int i = 0; i < ntargets; i++) {
        int f = 0;
        while (f < w->nfiles && strcmp(w->files[f].path, targets[i].path) != 0)
            f++;
        if (f == w->nfiles)
            w->files[w->nfiles++] = (wfile){targets[i].path, -1};
        w->t[i].file = f;
    }
    for (int f = 0; f < w->nfiles; f++) {
        const char *path = w->files[f].path;
        int exists = 0;
        ts_status st = w->rank == 0 ? check_writable(path, &exists, err) : TS_OK;
        /* Rank 0 decides, so no rank sees a file another has just made. */
        MPI_Bcast(&exists, 1, MPI_INT, 0, w->comm);
        if (h5_agree(w->comm, st, err) != TS_OK)
            return err->status;
        hid_t fapl = H5Pcreate(H5P_FILE_ACCESS), fcpl = H5Pcreate(H5P_FILE_CREATE);
        /* MPI-IO's collective buffer is what it allocates per aggregator
         * (ROMIO's default is 16 MiB); bounded so h5_write_lib_nbytes holds. */
        MPI_Info info;
        MPI_Info_create(&info);
        char cb[32];
        snprintf(cb, sizeof cb, "%d", H5_MPIO_CB_NBYTES);
        MPI_Info_set(info, "cb_buffer_size", cb);
        H5Pset_fapl_mpio(fapl, w->comm, info); /* HDF5 keeps a copy */
        MPI_Info_free(&info);
        H5Pset_coll_metadata_write(fapl, true);
        /* netCDF-4 tracks link creation order; readers keep our order. */
        H5Pset_link_creation_order(fcpl, H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED);
        hid_t id = exists ? H5Fopen(path, H5F_ACC_RDWR, fapl) : H5Fcreate(path, H5F_ACC_EXCL, fcpl, fapl);
        char detail[256];
        h5_stack_detail(detail, sizeof detail);
        H5Pclose(fapl);
        H5Pclose(fcpl);
        st = TS_OK;
        if (id < 0) {
            st = exists ? err_set(err, TS_ERR_IO,
                                  "cannot open %s for writing: it is not an HDF5 or netCDF-4 file (or it is "
                                  "corrupt, or open elsewhere): %s",
                                  path, detail)
                        : err_set(err, TS_ERR_IO, "cannot create %s: %s", path, detail);
        }
        w->files[f].id = id;
        if (h5_agree(w->comm, st, err) != TS_OK)
            return err->status;
    }
    return TS_OK;
}

/* -------------------------------------------------------- attributes */

static ts_status write_attr(hid_t loc, const h5_attr *a, const char *shown, const char *path, ts_err *err)
{
    hid_t type = -1, space = H5Screate(H5S_SCALAR);
    const void *val = NULL;
    switch (a->kind) {
    case H5_ATTR_INT:
        type = H5Tcopy(H5T_NATIVE_INT64);
        val = &a->i;
        break;
    case H5_ATTR_FLOAT:
        type = H5Tcopy(H5T_NATIVE_DOUBLE);
        val = &a->f;
        break;
    case H5_ATTR_STRING:
        /* Variable-length UTF-8: h5py and xarray read it as str. */
        type = H5Tcopy(H5T_C_S1);
        H5Tset_size(type, H5T_VARIABLE);
        H5Tset_cset(type, H5T_CSET_UTF8);
        val = &a->s;
        break;
    }
    herr_t rc = -1;
    if (type >= 0 && space >= 0) {
        if (H5Aexists(loc, a->name) > 0)
            H5Adelete(loc, a->name);
        hid_t id = H5Acreate2(loc, a->name, type, space, H5P_DEFAULT, H5P_DEFAULT);
        rc = id < 0 ? -1 : H5Awrite(id, type, val);
        if (id >= 0)
            H5Aclose(id);
    }
    if (type >= 0)
        H5Tclose(type);
    if (space >= 0)
        H5Sclose(space);
    if (rc < 0)
        return err_set(err, TS_ERR_IO, "cannot write attribute %s of %s in %s", a->name, shown, path);
    return TS_OK;
}

static herr_t set_mark(hid_t dset, int value)
{
    hid_t a = H5Aexists(dset, H5_MARK_ATTR) > 0 ? H5Aopen(dset, H5_MARK_ATTR, H5P_DEFAULT) : -1;
    if (a < 0) {
        hid_t space = H5Screate(H5S_SCALAR);
        a = H5Acreate2(dset, H5_MARK_ATTR, H5T_NATIVE_INT, space, H5P_DEFAULT, H5P_DEFAULT);
        H5Sclose(space);
    }
    herr_t rc = a < 0 ? -1 : H5Awrite(a, H5T_NATIVE_INT, &value);
    if (a >= 0)
        H5Aclose(a);
    return rc;
}

/* ---------------------------------------------------------- datasets */

/* Removes an existing dataset at t->dataset when overwrite allows it. */
static ts_status clear_old(hid_t file, const h5_target *t, const char *shown, ts_err *err)
{
    if (!h5_path_exists(file, t->dataset))
        return TS_OK;
    if (!t->overwrite)
        return err_set(err, TS_ERR_IO, "dataset %s already exists in %s; pass overwrite = true to replace it",
                       shown, t->path);
    hid_t old = H5Dopen2(file, t->dataset, H5P_DEFAULT);
    if (old < 0)
        return err_set(err, TS_ERR_IO, "%s in %s exists and is not a dataset; tessera will not replace it",
                       shown, t->path);
    h5_dims_release(old);
    H5Dclose(old);
    /* HDF5 only unlinks: the old data's space in the file is not
     * reclaimed (h5repack does that). */
    if (H5Ldelete(file, t->dataset, H5P_DEFAULT) < 0)
        return err_set(err, TS_ERR_IO, "cannot delete the old dataset %s in %s", shown, t->path);
    return TS_OK;
}

static hid_t make_dcpl(const h5_target *t)
{
    hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
    hsize_t chunk[TS_MAXDIM];
    bool chunkable = t->ndim > 0;
    for (int d = 0; d < t->ndim; d++) {
        chunk[d] = (hsize_t)t->chunk[d];
        chunkable = chunkable && t->shape[d] > 0;
    }
    /* Data is always written before the mark says complete, so filling
     * with zeros first would only double the bytes written. */
    H5Pset_fill_time(dcpl, H5D_FILL_TIME_NEVER);
    if (chunkable) {
        H5Pset_chunk(dcpl, t->ndim, chunk);
        if (t->gzip_level > 0) {
            H5Pset_shuffle(dcpl);
            H5Pset_deflate(dcpl, (unsigned)t->gzip_level);
        }
    }
    /* Unfiltered: all chunks allocated at creation, so independent writes
     * never touch metadata. Filtered: parallel HDF5 allocates chunks
     * during the (collective) writes, as their compressed sizes vary. */
    H5Pset_alloc_time(dcpl, chunkable && t->gzip_level > 0 ? H5D_ALLOC_TIME_INCR : H5D_ALLOC_TIME_EARLY);
    return dcpl;
}

/* Continues target t's dataset, which the caller found to be this store's:
 * reads its record (every chunk counts as stored when it is complete, and
 * then nothing of it changes) and renews its attributes. */
static ts_status resume_target(h5_writer *w, int i, const h5_target *t, ts_err *err)
{
    wtarget *wt = &w->t[i];
    hid_t file = w->files[wt->file].id;
    wt->dset = H5Dopen2(file, t->dataset, H5P_DEFAULT);
    if (wt->dset < 0)
        return err_set(err, TS_ERR_IO, "cannot open dataset %s in %s to resume it", wt->shown, t->path);
    wt->stored = calloc((size_t)(t->nrecord > 0 ? t->nrecord : 1), 1);
    if (!wt->stored)
        return err_set(err, TS_ERR_MEMORY, "out of memory resuming %s in %s", wt->shown, t->path);
    if (h5_read_mark(wt->dset) == H5_MARK_COMPLETE) {
        memset(wt->stored, 1, (size_t)(t->nrecord > 0 ? t->nrecord : 1));
        return TS_OK;
    }
    ts_status st = TS_OK;
    for (int a = 0; a < t->nattrs && st == TS_OK; a++)
        st = write_attr(wt->dset, &t->attrs[a], wt->shown, t->path, err);
    if (st == TS_OK && t->nrecord > 0) {
        wt->rec = h5_record_open(file, t->dataset, t->nrecord, wt->stored);
        if (wt->rec < 0) { /* none yet (killed while creating): all to write */
            h5_record_delete(file, t->dataset);
            wt->rec = h5_record_create(file, t->dataset, t->nrecord);
        }
        if (wt->rec < 0)
            st = err_set(err, TS_ERR_IO, "cannot make the record of stored chunks of %s in %s", wt->shown,
                         t->path);
    }
    return st;
}

static ts_status create_target(h5_writer *w, int i, const h5_target *t, ts_err *err)
{
    wtarget *wt = &w->t[i];
    hid_t file = w->files[wt->file].id;
    h5_display_name(t->dataset, wt->shown, sizeof wt->shown);
    wt->ndim = t->ndim;
    wt->collective = t->gzip_level > 0 && t->ndim > 0;
    wt->mtype = h5_type_create(t->dtype);
    wt->nrecord = t->nrecord;
    if (t->resume && h5_path_exists(file, t->dataset))
        return resume_target(w, i, t, err);
    /* The old dataset goes first, so dimensions only it used can change
     * length; other dimension conflicts are found before anything new is
     * made. A record left by an earlier store never describes the new one. */
    if (clear_old(file, t, wt->shown, err) != TS_OK || h5_dims_check(file, t, err) != TS_OK)
        return err->status;
    h5_record_delete(file, t->dataset);
    hsize_t dims[TS_MAXDIM];
    for (int d = 0; d < t->ndim; d++)
        dims[d] = (hsize_t)t->shape[d];
    hid_t space = H5Screate_simple(t->ndim, dims, NULL);
    hid_t dcpl = make_dcpl(t), lcpl = H5Pcreate(H5P_LINK_CREATE);
    H5Pset_create_intermediate_group(lcpl, 1);
    wt->dset = H5Dcreate2(file, t->dataset, wt->mtype, space, lcpl, dcpl, H5P_DEFAULT);
    char detail[256];
    h5_stack_detail(detail, sizeof detail);
    bool full = wt->dset < 0 && h5_disk_full(t->path, 0);
    H5Pclose(lcpl);
    H5Pclose(dcpl);
    H5Sclose(space);
    if (wt->dset < 0)
        return full ? err_set(err, TS_ERR_IO, "disk full while writing %s (%s)", t->path, wt->shown)
                    : err_set(err, TS_ERR_IO, "cannot create dataset %s in %s: %s", wt->shown, t->path,
                              detail);
    ts_status st = TS_OK;
    if (set_mark(wt->dset, 0) < 0)
        st = err_set(err, TS_ERR_IO, "cannot mark dataset %s in %s as incomplete", wt->shown, t->path);
    for (int a = 0; a < t->nattrs && st == TS_OK; a++)
        st = write_attr(wt->dset, &t->attrs[a], wt->shown, t->path, err);
    if (st == TS_OK)
        st = h5_dims_attach(file, wt->dset, t, err);
    if (st == TS_OK && t->nrecord > 0 && (wt->rec = h5_record_create(file, t->dataset, t->nrecord)) < 0)
        st = err_set(err, TS_ERR_IO, "cannot make the record of stored chunks of %s in %s", wt->shown,
                     t->path);
    if (st != TS_OK) {
        /* Take the half-made dataset away: a variable without its scales
         * would stop netCDF readers from opening the whole group. */
        h5_dims_release(wt->dset);
        H5Dclose(wt->dset);
        wt->dset = -1;
        H5Ldelete(file, t->dataset, H5P_DEFAULT);
    }
    return st;
}

/* ------------------------------------------------------------ public */

static void writer_close(h5_writer *w)
{
    if (!w)
        return;
    for (int i = 0; i < w->ntargets; i++) {
        if (w->t[i].dset >= 0)
            H5Dclose(w->t[i].dset);
        if (w->t[i].mtype >= 0)
            H5Tclose(w->t[i].mtype);
        if (w->t[i].rec >= 0)
            H5Dclose(w->t[i].rec);
        free(w->t[i].stored);
        free(w->t[i].pending);
    }
    for (int f = 0; f < w->nfiles; f++)
        if (w->files[f].id >= 0)
            H5Fclose(w->files[f].id);
    if (w->dxpl_indep >= 0)
        H5Pclose(w->dxpl_indep);
    if (w->dxpl_coll >= 0)
        H5Pclose(w->dxpl_coll);
    free(w->files);
    free(w->t);
    free(w);
}

static ts_status flush_files(h5_writer *w, ts_err *err)
{
    ts_status st = TS_OK;
    for (int f = 0; f < w->nfiles; f++)
        if (H5Fflush(w->files[f].id, H5F_SCOPE_GLOBAL) < 0 && st == TS_OK)
            st = h5_disk_full(w->files[f].path, 0)
                     ? err_set(err, TS_ERR_IO, "disk full while writing %s", w->files[f].path)
                     : err_set(err, TS_ERR_IO, "cannot flush %s", w->files[f].path);
    return st;
}

ts_status h5_writer_create(MPI_Comm comm, int ntargets, const h5_target *targets, h5_writer **out,
                           ts_err *err)
{
    h5_quiet();
    *out = NULL;
    ts_status st = TS_OK;
    for (int i = 0; i < ntargets && st == TS_OK; i++)
        st = check_target(&targets[i], err);
    h5_writer *w = calloc(1, sizeof *w);
    if (w) {
        w->files = calloc((size_t)(ntargets > 0 ? ntargets : 1), sizeof *w->files);
        w->t = calloc((size_t)(ntargets > 0 ? ntargets : 1), sizeof *w->t);
    }
    if (st == TS_OK && (!w || !w->files || !w->t))
        st = err_set(err, TS_ERR_MEMORY, "out of memory creating an HDF5 writer");
    if (h5_agree(comm, st, err) != TS_OK) {
        if (w) {
            w->nfiles = w->ntargets = 0;
            w->dxpl_indep = w->dxpl_coll = -1;
        }
        writer_close(w);
        return err->status;
    }
    w->comm = comm;
    MPI_Comm_rank(comm, &w->rank);
    MPI_Comm_rank(MPI_COMM_WORLD, &w->world_rank);
    w->ntargets = ntargets;
    for (int i = 0; i < ntargets; i++)
        w->t[i] = (wtarget){.dset = -1, .mtype = -1, .rec = -1};
    w->dxpl_indep = H5Pcreate(H5P_DATASET_XFER);
    w->dxpl_coll = H5Pcreate(H5P_DATASET_XFER);
    H5Pset_dxpl_mpio(w->dxpl_indep, H5FD_MPIO_INDEPENDENT);
    H5Pset_dxpl_mpio(w->dxpl_coll, H5FD_MPIO_COLLECTIVE);
    H5Pset_buffer(w->dxpl_indep, H5_TCONV_NBYTES, NULL, NULL);
    H5Pset_buffer(w->dxpl_coll, H5_TCONV_NBYTES, NULL, NULL);
    st = open_files(w, ntargets, targets, err);
    for (int i = 0; i < ntargets && st == TS_OK; i++)
        st = h5_agree(comm, create_target(w, i, &targets[i], err), err);
    /* The incomplete marks reach the disk before any data does. */
    if (st == TS_OK)
        st = h5_agree(comm, flush_files(w, err), err);
    if (st != TS_OK) {
        writer_close(w);
        return st;
    }
    *out = w;
    return TS_OK;
}

bool h5_writer_collective(const h5_writer *w, int t) { return w->t[t].collective; }

ts_status h5_writer_write(h5_writer *w, int t, const int64_t *start, const int64_t *count, const void *buf,
                          ts_err *err)
{
    h5_quiet();
    if (t < 0 || t >= w->ntargets)
        return err_set(err, TS_ERR_ARG, "HDF5 writer has no target %d", t);
    wtarget *wt = &w->t[t];
    const char *path = w->files[wt->file].path;
    hsize_t hstart[TS_MAXDIM], hcount[TS_MAXDIM], one[TS_MAXDIM];
    for (int d = 0; d < wt->ndim; d++) {
        hstart[d] = count ? (hsize_t)start[d] : 0;
        hcount[d] = count ? (hsize_t)count[d] : 1;
        one[d] = 1;
    }
    hid_t fspace = H5Dget_space(wt->dset);
    hid_t mspace = wt->ndim ? H5Screate_simple(wt->ndim, count ? hcount : one, NULL) : H5Screate(H5S_SCALAR);
    herr_t rc = fspace < 0 || mspace < 0 ? -1 : 0;
    if (rc == 0 && !count) {
        /* A collective round this rank has nothing for. */
        H5Sselect_none(fspace);
        H5Sselect_none(mspace);
    } else if (rc == 0 && wt->ndim) {
        rc = H5Sselect_hyperslab(fspace, H5S_SELECT_SET, hstart, NULL, hcount, NULL);
    }
    static const char nothing = 0;
    if (rc >= 0)
        rc = H5Dwrite(wt->dset, wt->mtype, mspace, fspace, wt->collective ? w->dxpl_coll : w->dxpl_indep,
                      count ? buf : &nothing);
    char detail[256] = "";
    bool full = false;
    if (rc < 0) {
        h5_stack_detail(detail, sizeof detail);
        int64_t nbytes = count ? (int64_t)H5Sget_select_npoints(mspace) * (int64_t)H5Tget_size(wt->mtype) : 0;
        full = h5_disk_full(path, nbytes);
    }
    if (mspace >= 0)
        H5Sclose(mspace);
    if (fspace >= 0)
        H5Sclose(fspace);
    if (rc >= 0)
        return TS_OK;
    if (full)
        err_set(&w->werr, TS_ERR_IO, "disk full while writing %s (%s)", path, wt->shown);
    else
        err_set(&w->werr, TS_ERR_IO, "cannot write dataset %s in %s: %s", wt->shown, path, detail);
    return err_set(err, w->werr.status, "%s", w->werr.msg);
}

bool h5_writer_stored(const h5_writer *w, int t, int64_t c)
{
    const wtarget *wt = &w->t[t];
    return wt->stored && c >= 0 && c < (wt->nrecord > 0 ? wt->nrecord : 1) && wt->stored[c];
}

static ts_status record_now(h5_writer *w, int t, int64_t c, ts_err *err)
{
    wtarget *wt = &w->t[t];
    if (h5_record_set(wt->rec, c, w->dxpl_indep) >= 0)
        return TS_OK;
    err_set(&w->werr, TS_ERR_IO, "cannot record chunk %lld of %s in %s as stored", (long long)c, wt->shown,
            w->files[wt->file].path);
    return err_set(err, w->werr.status, "%s", w->werr.msg);
}

ts_status h5_writer_record(h5_writer *w, int t, int64_t c, ts_err *err)
{
    h5_quiet();
    wtarget *wt = &w->t[t];
    if (wt->rec < 0 || c < 0 || c >= wt->nrecord)
        return TS_OK;
    if (!wt->collective)
        return record_now(w, t, c, err);
    if (wt->npending == wt->cappending) {
        int64_t cap = wt->cappending ? 2 * wt->cappending : 64;
        int64_t *v = realloc(wt->pending, (size_t)cap * sizeof *v);
        if (!v)
            return err_set(err, TS_ERR_MEMORY, "out of memory recording stored chunks");
        wt->pending = v;
        wt->cappending = cap;
    }
    wt->pending[wt->npending++] = c;
    return TS_OK;
}

/* Records the collectively written chunks waiting for a flush (local;
 * call once a flush succeeded on every rank). */
static ts_status record_pending(h5_writer *w, ts_err *err)
{
    ts_status st = TS_OK;
    for (int t = 0; t < w->ntargets; t++) {
        for (int64_t k = 0; k < w->t[t].npending && st == TS_OK; k++)
            st = record_now(w, t, w->t[t].pending[k], err);
        w->t[t].npending = 0;
    }
    return st;
}

ts_status h5_writer_sync(h5_writer *w, ts_err *err)
{
    h5_quiet();
    ts_status st = h5_agree(w->comm, flush_files(w, err), err);
    if (st == TS_OK)
        st = h5_agree(w->comm, record_pending(w, err), err);
    return st;
}

ts_status h5_writer_finish(h5_writer *w, ts_status own, ts_err *err)
{
    h5_quiet();
    ts_status st = TS_OK;
    if (w->werr.status != TS_OK)
        st = err_set(err, w->werr.status, "%s", w->werr.msg);
    /* Flush on every rank even after a failure: the flush is collective.
     * Once every rank's writes are in the files, what waits is recorded. */
    ts_status fst = flush_files(w, err);
    st = h5_agree(w->comm, st != TS_OK ? st : fst, err);
    if (st == TS_OK)
        st = record_pending(w, err);
    if (st == TS_OK && own != TS_OK)
        st = err_set(err, own == TS_ERR_STOPPED ? TS_ERR_STOPPED : TS_ERR_RUNTIME,
                     "rank %d did not finish writing %s; its datasets stay incomplete", w->world_rank,
                     w->files[0].path);
    st = h5_agree(w->comm, st, err);
    if (st == TS_OK) {
        ts_status mst = TS_OK;
        for (int i = 0; i < w->ntargets && mst == TS_OK; i++) {
            if (set_mark(w->t[i].dset, 1) < 0)
                mst = err_set(err, TS_ERR_IO, "cannot mark dataset %s in %s as complete", w->t[i].shown,
                              w->files[w->t[i].file].path);
            if (w->t[i].rec >= 0) {
                H5Dclose(w->t[i].rec);
                w->t[i].rec = -1;
            }
        }
        /* The mark says it all now; the record goes (HDF5 keeps its few
         * bytes of file space, as for any deleted object). */
        for (int i = 0; i < w->ntargets && mst == TS_OK; i++)
            if (w->t[i].nrecord > 0)
                h5_record_delete(w->files[w->t[i].file].id, w->t[i].shown);
        if (mst == TS_OK)
            mst = flush_files(w, err);
        st = h5_agree(w->comm, mst, err);
    }
    writer_close(w);
    return st;
}
