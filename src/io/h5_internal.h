/* h5_internal.h — helpers shared by the HDF5 seam's files (h5_err.c,
 * h5_read.c, h5_write.c, h5_dims.c, h5_info.c): dtype mapping, the error
 * translation and the names HDF5 objects are printed with. Nothing here is
 * visible outside src/io. */
#ifndef TS_IO_H5_INTERNAL_H
#define TS_IO_H5_INTERNAL_H

#include <hdf5.h>
#include <mpi.h>

#include "io/h5.h"

/* The attribute holding tessera's completion mark (int: 0, then 1). */
#define H5_MARK_ATTR "tessera_complete"

/* Silences HDF5's automatic error printing; every entry point calls it. */
void h5_quiet(void);

/* Checks that path can be opened for reading before HDF5 tries, so a
 * missing file, a directory or a permission problem gets its own message. */
ts_status h5_check_readable(const char *path, ts_err *err);

/* Opens path read-only (sec2 driver). Failures name the file. */
ts_status h5_open_read(const char *path, hid_t *out, ts_err *err);

/* The innermost description on HDF5's error stack ("" if none), to append
 * to messages where HDF5 knows more than we do. */
void h5_stack_detail(char *buf, size_t len);

/* Whether a write of nbytes to path failed for lack of space: errno, the
 * error stack, or else the file system's free space says so. Call it
 * right after the failing HDF5 call (any HDF5 call clears the stack). */
bool h5_disk_full(const char *path, int64_t nbytes);

/* tessera's dtype of an HDF5 type: false for other types. */
bool h5_dtype_of(hid_t type, ts_dtype *out);

/* A new HDF5 type for dtype (native byte order; bool is h5py's enum of
 * int8 FALSE/TRUE). The caller closes it with H5Tclose. */
hid_t h5_type_create(ts_dtype dtype);

/* A short name of an HDF5 type in NumPy's words: "uint16", "float16",
 * "bool", "compound", "string", ... */
void h5_type_name(hid_t type, char *buf, size_t len);

/* Dataset path as printed: always with a leading '/'. */
void h5_display_name(const char *dataset, char *buf, size_t len);

/* Whether the object at name (relative to loc) exists, walking the path
 * one link at a time so a missing group is "no", not an error. */
bool h5_path_exists(hid_t loc, const char *name);

/* Lists up to max datasets of the file as "/a, /b, ..." (with "and N
 * more" past max), for "not found" messages. */
void h5_list_datasets(hid_t file, int max, char *buf, size_t len);

/* The mark of an open dataset. */
h5_mark h5_read_mark(hid_t dset);

/* Fills meta from an open dataset; TS_ERR_DTYPE for foreign types. */
ts_status h5_describe_open(hid_t dset, const char *path, const char *name, h5_meta *out, ts_err *err);

/* Whether target t's dimension names can be used in the file: each is a
 * plain name, and an existing one is 1-d of the axis's length. Changes
 * nothing, so it runs before anything is deleted or created. */
ts_status h5_dims_check(hid_t file, const h5_target *t, ts_err *err);

/* Dimension scales of target t, already created: makes or reuses one
 * scale per axis and attaches it. Collective (metadata). */
ts_status h5_dims_attach(hid_t file, hid_t dset, const h5_target *t, ts_err *err);

/* Detaches every scale from dset before it is deleted, so no scale keeps a
 * reference to a dataset that is gone, and deletes bare dimensions (no
 * coordinate values) that no other dataset uses. */
void h5_dims_release(hid_t dset);

/* The record of stored chunks (h5_record.c). Its name: dataset's with
 * H5_RECORD_SUFFIX; whether a dataset name is a record's. */
void h5_record_name(const char *dataset, char *buf, size_t len);
bool h5_record_is_name(const char *name);

/* Collective (metadata): deletes dataset's record if it has one. */
void h5_record_delete(hid_t file, const char *dataset);

/* Collective (metadata): creates dataset's record of n zero bytes, with a
 * note saying what it is. Returns its id, or -1. */
hid_t h5_record_create(hid_t file, const char *dataset, int64_t n);

/* Opens dataset's record and reads its n bytes into stored; -1 (stored
 * untouched) when there is none or it does not have n bytes. */
hid_t h5_record_open(hid_t file, const char *dataset, int64_t n, unsigned char *stored);

/* Writes 1 for chunk c (independent with an independent dxpl). */
herr_t h5_record_set(hid_t rec, int64_t c, hid_t dxpl);

/* Local: the record's length and how many chunks it holds; false (n = -1)
 * when dataset has no readable record. */
bool h5_record_count(hid_t file, const char *dataset, int64_t *n, int64_t *nstored);

/* Collective. Every rank returns the status of the lowest failing rank,
 * with that rank's message; TS_OK when none failed. */
ts_status h5_agree(MPI_Comm comm, ts_status st, ts_err *err);

#endif
