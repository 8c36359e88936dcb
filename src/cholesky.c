/* SPDX-License-Identifier: BSD-2-Clause */
/* cholesky.c -- see cholesky.h. */
#include <math.h>

#include "cholesky.h"

int sc_cholesky_append(double *l, size_t ld, size_t m)
{
    double *row = l + m * ld;
    for (size_t j = 0; j < m; j++) {
        double v = row[j];
        for (size_t q = 0; q < j; q++)
            v -= row[q] * l[j * ld + q];
        row[j] = v * (1.0 / l[j * ld + j]);
    }
    double d = row[m];
    for (size_t q = 0; q < m; q++)
        d -= row[q] * row[q];
    if (!(d > 1e-10 * (1.0 + fabs(row[m]))))
        return 0;
    row[m] = sqrt(d);
    return 1;
}

void sc_cholesky_solve(const double *l, size_t ld, size_t m, double *b)
{
    for (size_t i = 0; i < m; i++) {       /* L v = b */
        double v = b[i];
        for (size_t q = 0; q < i; q++)
            v -= l[i * ld + q] * b[q];
        b[i] = v / l[i * ld + i];
    }
    for (size_t i = m; i-- > 0;) {         /* L^T w = v */
        double v = b[i];
        for (size_t q = i + 1; q < m; q++)
            v -= l[q * ld + i] * b[q];
        b[i] = v / l[i * ld + i];
    }
}
