/* SPDX-License-Identifier: BSD-2-Clause */
/* cholesky.c -- see cholesky.h. */
#include <math.h>
#include <string.h>

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

void sc_cholesky_remove(double *l, size_t ld, size_t m, size_t p)
{
    /* B: rows p+1..m-1, columns p..m-1 of L; row i holds columns p..i.
     * Rotation r (columns p+r, p+r+1) zeroes B's entry (p+1+r, p+r+1). */
    for (size_t r = p; r + 1 < m; r++) {
        double *pivot_row = l + (r + 1) * ld;
        double a = pivot_row[r], b = pivot_row[r + 1];
        double h = hypot(a, b);
        double cs = h > 0.0 ? a / h : 1.0, sn = h > 0.0 ? b / h : 0.0;
        pivot_row[r] = h;
        pivot_row[r + 1] = 0.0;
        for (size_t i = r + 2; i < m; i++) {
            double *row = l + i * ld;
            double u = row[r], v = row[r + 1];
            row[r] = cs * u + sn * v;
            row[r + 1] = cs * v - sn * u;
        }
    }
    for (size_t i = p + 1; i < m; i++)      /* rows up by one */
        memmove(l + (i - 1) * ld, l + i * ld, i * sizeof *l);
}

void sc_cholesky_forward(const double *l, size_t ld, size_t from, size_t m,
                         double *b)
{
    for (size_t i = from; i < m; i++) {
        double v = b[i];
        for (size_t q = 0; q < i; q++)
            v -= l[i * ld + q] * b[q];
        b[i] = v / l[i * ld + i];
    }
}

void sc_cholesky_backward(const double *l, size_t ld, size_t m, double *v)
{
    for (size_t i = m; i-- > 0;) {
        double w = v[i];
        for (size_t q = i + 1; q < m; q++)
            w -= l[q * ld + i] * v[q];
        v[i] = w / l[i * ld + i];
    }
}

void sc_cholesky_solve(const double *l, size_t ld, size_t m, double *b)
{
    sc_cholesky_forward(l, ld, 0, m, b);    /* L v = b */
    sc_cholesky_backward(l, ld, m, b);      /* L^T w = v */
}
