/* eval_internal.h — the compiled program shared by the strip interpreter
 * (eval.c) and the box evaluation around it (eval_box.c). Nothing here is
 * seen outside those two files. */
#ifndef TS_RUN_EVAL_INTERNAL_H
#define TS_RUN_EVAL_INTERNAL_H

#include "io/h5.h"
#include "run/eval.h"

typedef struct eval_slot {
    node *x;
    int in[NODE_MAXIN]; /* slot of each input */
    bool leaf;
    int axis_off;              /* root ndim - x ndim */
    bool scalar;               /* the strip is always one repeated value */
    int64_t stride[TS_MAXDIM]; /* C-order element strides of x (random) */
    unsigned char value[8];    /* constant of FULL / SCALAR in x's dtype */
    void *buf;                 /* EVAL_STRIP elements of x's dtype */
    bool buf_borrowed;         /* buf is an input's, computed over in place */
    void *cast[NODE_MAXIN];    /* inputs converted to the compute dtype */
    const void *cur;           /* this strip's values */
    int step;
    /* NODE_HDF5: the open dataset and the region of the current box. */
    h5_reader *reader;
    void *boxbuf; /* staging of the current box (from the program's pool), or NULL */
    int64_t box_start[TS_MAXDIM], box_size[TS_MAXDIM];
    /* NODE_VIEW: the program of its input, evaluated over the image of
     * each task's box into boxbuf (box_* then in the input's coordinates). */
    eval_prog *child;
    /* NODE_CONCAT: each input's program, and its values over its part of
     * the box (pstart/psize in that input's coordinates; pbuf staging). */
    eval_prog *part[2];
    void *pbuf[2];
    bool phave[2];
    int64_t pstart[2][TS_MAXDIM], psize[2][TS_MAXDIM];
} eval_slot;

struct eval_prog {
    int64_t bytes_read;
    const ptrmap *leaves; /* borrowed, for the programs of views' inputs */
    int nslots, cap;
    eval_slot *slots;
    int root_ndim;
    eval_chunk_fn get;
    void *ud;
    mem_pool *mem; /* where staging comes from (NULL: malloc, no budget); borrowed */
};

/* Whether a view keeps its input's element order: every input axis it
 * reads follows one of its axes at step 1, in the same order (rechunk,
 * expand_dims, squeeze, integer index, slice of step 1). With its other
 * axes of length 1 in a box, the box's values are its image's, in order. */
bool eval_view_in_order(const node *x);

/* Whether the view's own axes that no input axis follows (new axes,
 * broadcast ones) have length at most 1 in a box of size: then the box
 * and its image match one to one. */
bool eval_view_unread_single(const node *x, const int64_t *size);

/* Gives the staging buffers of p's current box back (eval_box.c). */
void eval_release_staging(eval_prog *p);

#endif
