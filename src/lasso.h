/* lasso.h -- the pieces of the sparse coding problem (S0-S2 in
 * docs/math.md) that ISTA, FISTA and CoD share: the proximal step of the
 * non-smooth terms and the gradient of the smooth group surrogate. */
#ifndef SC_LASSO_H
#define SC_LASSO_H

#include <stddef.h>

#include "solver.h"

/* (S2) z = prox(v) for one code, with step 1/L: the L1 soft threshold by
 * lambda/L (or its non-negative form), then, when the pools are disjoint
 * with unit weights, the block soft threshold by lambda_g/L. */
void sc_lasso_prox(const sc_solver *s, const sc_problem *p, double step,
                   const float *v, float *z);

/* (S1) adds the gradient of the smooth group surrogate
 * lambda_g sum_p sqrt(sum w z^2 + eps) at z to grad, when the group term
 * cannot use the exact prox (overlapping or weighted pools). */
void sc_lasso_surrogate_gradient(const sc_solver *s, const sc_problem *p,
                                 const float *z, float *grad);

/* 1 when the group term goes through sc_lasso_surrogate_gradient. */
int sc_lasso_group_is_smooth(const sc_solver *s, const sc_problem *p);

#endif
