/* SPDX-License-Identifier: BSD-2-Clause */
/* lasso.h -- the pieces of the sparse coding problem (S0-S2 in
 * docs/math.md) that ISTA, FISTA and CoD share: the group term's
 * proximal step and the gradient of its smooth surrogate.  (The L1 soft
 * threshold is fused into FISTA's pass over a row, in fista.c.) */
#ifndef SC_LASSO_H
#define SC_LASSO_H

#include <stddef.h>

#include "solver.h"

/* (S2)'s block soft threshold by lambda_g * step, in place, on a code
 * that the L1 soft threshold (by lambda * step) has already shrunk: the
 * two together are the exact prox when the pools are disjoint with unit
 * weights.  Does nothing otherwise (no group term, or the surrogate). */
void sc_lasso_group_prox(const sc_solver *s, const sc_problem *p,
                         float step, float *z);

/* (S1) adds the gradient of the smooth group surrogate
 * lambda_g sum_p sqrt(sum w z^2 + eps) at z to grad, when the group term
 * cannot use the exact prox (overlapping or weighted pools). */
void sc_lasso_surrogate_gradient(const sc_solver *s, const sc_problem *p,
                                 const float *z, float *grad);

/* 1 when the group term goes through sc_lasso_surrogate_gradient. */
int sc_lasso_group_is_smooth(const sc_solver *s, const sc_problem *p);

#endif
