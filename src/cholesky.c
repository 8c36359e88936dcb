/* SPDX-License-Identifier: BSD-2-Clause */
/* cholesky.c -- see cholesky.h. */
#include <math.h>
#include <string.h>

#include "cholesky.h"

/* a . b over n entries.  Short products (up to SHORT_DOT) in one running
 * sum; longer ones in DOT_LANES independent partial sums (entry q goes to
 * sum q mod DOT_LANES), added in a fixed order at the end.  One running
 * sum is a chain of dependent additions, one per entry: the rows of an
 * 80-code factor spent most of their time waiting on it.  The lanes break
 * the chain and GCC vectorises them; the arithmetic is the same whichever
 * vector width runs it, so the results do not depend on the machine. */
enum { DOT_LANES = 8, SHORT_DOT = 16 };

static inline double dot(const double *restrict a, const double *restrict b,
                         size_t n)
{
    if (n <= SHORT_DOT) {
        double sum = 0.0;
        for (size_t q = 0; q < n; q++)
            sum += a[q] * b[q];
        return sum;
    }
    double lane[DOT_LANES] = {0};
    size_t q = 0;
    for (; q + DOT_LANES <= n; q += DOT_LANES)
        for (size_t l = 0; l < DOT_LANES; l++)
            lane[l] += a[q + l] * b[q + l];
    for (size_t l = 0; q + l < n; l++)
        lane[l] += a[q + l] * b[q + l];
    return ((lane[0] + lane[4]) + (lane[1] + lane[5])) +
           ((lane[2] + lane[6]) + (lane[3] + lane[7]));
}

int sc_cholesky_append(double *l, size_t ld, size_t m)
{
    double *row = l + m * ld;
    for (size_t j = 0; j < m; j++)
        row[j] = (row[j] - dot(row, l + j * ld, j)) * (1.0 / l[j * ld + j]);
    double d = row[m] - dot(row, row, m);
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
    for (size_t i = from; i < m; i++)
        b[i] = (b[i] - dot(l + i * ld, b, i)) / l[i * ld + i];
}

void sc_cholesky_backward(const double *l, size_t ld, size_t m, double *v)
{
    /* by rows of L (contiguous), not its columns: once w_i is known,
     * its term leaves every earlier equation */
    for (size_t i = m; i-- > 0;) {
        const double *row = l + i * ld;
        double wi = v[i] / row[i];
        v[i] = wi;
        for (size_t q = 0; q < i; q++)
            v[q] -= row[q] * wi;
    }
}

void sc_cholesky_solve(const double *l, size_t ld, size_t m, double *b)
{
    sc_cholesky_forward(l, ld, 0, m, b);    /* L v = b */
    sc_cholesky_backward(l, ld, m, b);      /* L^T w = v */
}
