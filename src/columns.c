/* SPDX-License-Identifier: BSD-2-Clause */
/* columns.c -- column norms. */
#include <math.h>

#include "columns.h"

int sc_column_set_norm(float *m, size_t rows, size_t cols, size_t j,
                       double norm, int clip_only)
{
    double s = 0.0;
    for (size_t i = 0; i < rows; i++)
        s += (double)m[i * cols + j] * m[i * cols + j];
    if (s == 0.0)
        return 0;
    if (clip_only && s <= norm * norm)
        return 1;
    float scale = (float)(norm / sqrt(s));
    for (size_t i = 0; i < rows; i++)
        m[i * cols + j] *= scale;
    return 1;
}
