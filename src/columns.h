/* columns.h -- the norm of one column of a row-major matrix: dictionaries
 * and decoders keep their columns (atoms) at a bounded norm. */
#ifndef SC_COLUMNS_H
#define SC_COLUMNS_H

#include <stddef.h>

/* Scales column j of the rows x cols matrix m to L2 norm `norm`, or, with
 * clip_only, only if its norm exceeds `norm`.  Returns 0 for a zero column
 * (left as it is), 1 otherwise: any non-zero finite column, subnormal
 * entries included, is scaled (the scale is applied in double when it is
 * beyond float's normal range). */
int sc_column_set_norm(float *m, size_t rows, size_t cols, size_t j,
                       double norm, int clip_only);

#endif
