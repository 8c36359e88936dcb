/* SPDX-License-Identifier: BSD-2-Clause */
/* shift_change.h -- how much a model's codes and pooled responses change
 * when its input images move by a pixel or two (the property of complex
 * cells in Gregor & LeCun, arXiv:1006.0448; examples/local --complex).
 *
 * For images x, the shifts d of 1 .. max_shift pixels up, down, left and
 * right (S_d x: the image moved by d, the uncovered pixels 0, the pixels
 * moved out lost), and responses r (the codes z, or the pooled responses
 * s of local_pools.h):
 *
 *   change = sum_x sum_d |r(S_d x) - r(x)|^2 / sum_x sum_d |r(x)|^2
 *
 * 0 when r does not move at all, 1 when r(S_d x) is 0, and 2 when
 * r(S_d x) is as large as r(x) but on other units. */
#ifndef EXAMPLE_SHIFT_CHANGE_H
#define EXAMPLE_SHIFT_CHANGE_H

#include <stddef.h>

#include <sparsecode.h>

#include "local_pools.h"

/* Measures the change of the codes (*units) and of the pooled responses
 * (*pools) of model m over count images of x (height x width, row-major,
 * as the model reads them).  Returns 0, or 1 after reporting a failure as
 * `program`. */
int shift_change(const char *program, const sc_model *m,
                 const local_pools *pools, const float *x, size_t count,
                 size_t height, size_t width, size_t max_shift,
                 double *units, double *pooled);

#endif
