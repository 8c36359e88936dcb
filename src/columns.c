/* columns.c -- column norms. */
#include <float.h>
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
    double scale = norm / sqrt(s);
    if (scale >= FLT_MIN && scale <= FLT_MAX) {
        float f = (float)scale;
        for (size_t i = 0; i < rows; i++)
            m[i * cols + j] *= f;
    } else {
        /* A tiny (e.g. subnormal) column needs a scale beyond float, a
         * huge one a subnormal scale: multiply in double. */
        for (size_t i = 0; i < rows; i++)
            m[i * cols + j] = (float)(m[i * cols + j] * scale);
    }
    return 1;
}
