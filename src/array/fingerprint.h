/* fingerprint.h — a digest of what an expression computes (fingerprint.c),
 * the same in every run, build and rank count that computes the same
 * values in the same chunks. */
#ifndef TS_ARRAY_FINGERPRINT_H
#define TS_ARRAY_FINGERPRINT_H

#include "array/node.h"

/* Sets *out to x's digest and *uses_run_seed to whether some random array
 * in it takes the run's seed (its value is left out of the digest, so a
 * resume can say that the seed, not the script, differs). Local; false
 * when out of memory (*out is still usable, computed without memo). */
bool dag_fingerprint(const node *x, uint64_t *out, bool *uses_run_seed);

#endif
