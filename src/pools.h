/* pools.h -- the pools of the group sparsity term (L3 in docs/math.md):
 * contiguous blocks, or overlapping windows on a 2-D torus. */
#ifndef SC_POOLS_H
#define SC_POOLS_H

#include <stddef.h>
#include <stdint.h>

#include "sparsecode.h"

/* Pool p holds the units units[start[p] .. start[p+1]) with weights
 * weights[same range]. */
typedef struct {
    size_t count;
    size_t *start;     /* count + 1 offsets */
    uint32_t *units;
    float *weights;
} sc_pools;

/* Builds the pools for k units from the model's parameter values (the
 * SC_PARAM_GROUP_* / TORUS_* / POOL_* entries of `values`).  An empty set
 * (count 0) for SC_GROUPS_NONE.  Returns SC_OK, SC_ERR_SIZE (sizes that do
 * not fit together, with the message naming them) or SC_ERR_NOMEM.  On
 * failure *pools is left zeroed. */
sc_status sc_pools_build(sc_pools *pools, size_t k, const double *values,
                         char *message, const char *caller);

void sc_pools_release(sc_pools *pools);

#endif
