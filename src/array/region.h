/* region.h — which regions of earlier arrays a box of an expression reads:
 * the geometry that views, concatenations and broadcasting imply, apart
 * from any evaluation. The planner uses it to know what each task reads
 * from materialised chunks; the evaluator uses the same pieces to read
 * them, so what is fetched is exactly what is read. */
#ifndef TS_ARRAY_REGION_H
#define TS_ARRAY_REGION_H

#include "array/node.h"
#include "util/ptrmap.h"

/* Start and size of chunk `chunk` (flat C-order index) of x. */
void region_chunk_box(const node *x, int64_t chunk, int64_t *start, int64_t *size);

/* The box of a view's input that the view's box [vstart, vstart + vsize)
 * reads: per input axis the span of add + mul * c. Returns its elements. */
int64_t region_view_image(const node *view, const int64_t *vstart, const int64_t *vsize, int64_t *istart,
                          int64_t *isize);

/* The parts of a concatenation's box: part k's box in input k's
 * coordinates, and whether it is not empty. */
void region_concat_parts(const node *x, const int64_t *bstart, const int64_t *bsize,
                         int64_t pstart[2][TS_MAXDIM], int64_t psize[2][TS_MAXDIM], bool *have);

/* An expression compiled for region queries: its nodes (each once, in a
 * level per view or concatenation input) down to the materialised leaves. */
typedef struct region_prog region_prog;

/* Compiles root; nodes in leaves are where the walk stops (root may be
 * one). leaves is borrowed and must outlive the program. */
ts_status region_prog_create(const node *root, const ptrmap *leaves, region_prog **out, ts_err *err);
void region_prog_destroy(region_prog *p);

/* Calls fn for every leaf the root box [start, start + size) reads, with
 * the box of the leaf it reads (each leaf once per level; broadcast axes
 * read [0, 1)). */
typedef void (*region_fn)(void *ud, const node *leaf, const int64_t *start, const int64_t *size);
void region_leaf_boxes(const region_prog *p, const int64_t *start, const int64_t *size, region_fn fn,
                       void *ud);

#endif
