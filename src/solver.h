/* SPDX-License-Identifier: BSD-2-Clause */
/* solver.h -- the sparse coding solver's layout and its algorithms,
 * private to the library. */
#ifndef SC_SOLVER_H
#define SC_SOLVER_H

#include <stddef.h>
#include <stdint.h>

#include "pools.h"
#include "status.h"

#define SC_SOLVER_PARAM_COUNT 18

/* The per-sample methods (CoD, CD_ACTIVE, OMP, LARS) run a batch in fixed
 * blocks of this many samples (the last one shorter), each with its own
 * sgemms; the threads share out the blocks, so the results do not depend
 * on the thread count (solver.c, run_per_sample).  Chosen by measurement:
 * docs/solvers.md, "Two threads". */
#ifndef SC_SOLVER_BLOCK
#define SC_SOLVER_BLOCK 128
#endif

/* The highest sc_solver_method: the upper bound of every parameter that
 * holds one (SC_SOLVER_PARAM_METHOD, SC_DICTIONARY_PARAM_SOLVER_METHOD). */
#define SC_SOLVER_METHOD_HIGHEST SC_SOLVER_METHOD_LARS

/* L = LIPSCHITZ_MARGIN * (an estimate of lambda_max(G)). */
#define SC_LIPSCHITZ_MARGIN 1.01

struct sc_solver_s {
    size_t n, k;
    float *dictionary;        /* D, n x k */
    float *gram;              /* G = D^T D, k x k */
    double lipschitz;         /* L >= lambda_max(G): SC_LIPSCHITZ_MARGIN
                                 * times rayleigh */
    /* The power iteration behind L (sc_solver_replace_dictionary): */
    double rayleigh;          /* its estimate of lambda_max(G)         */
    int power_iterations;     /* the iterations that estimate took      */
    double *top;              /* k: its last iterate, ~ top eigenvector */
    double *top_next;         /* k: replace's candidate for top         */
    double *power_scratch;    /* k: the power iteration's scratch       */
    int lipschitz_stale;      /* D was replaced under a method that does
                                 not use L: L, rayleigh, top are those of
                                 an earlier D                           */
    float *gram_next;         /* k x k: replace's new G until accepted
                                 (NULL until the first replace)         */
    double values[SC_SOLVER_PARAM_COUNT];
    sc_pools pools;           /* the group term's pools (may be empty) */
    int exact_group_prox;     /* disjoint pools of unit weights */
    double pool_overlap;      /* max over units of sum of its pool weights */
    char message[SC_MESSAGE_SIZE];
};

/* The problem one run solves, read from the solver's parameters. */
typedef struct {
    double lambda, group_weight, group_epsilon, tolerance;
    double l2;                      /* lambda_2 of the elastic net */
    int nonnegative, momentum;      /* momentum: FISTA, else ISTA */
    uint64_t max_iterations;
    /* FISTA/ISTA: a row of y with fewer non-zeros than this gets its
     * gradient (S1) by a sparse sum of rows of G, the others by sgemm
     * (0: always sgemm; k + 1: never). */
    size_t sparse_below;
    /* OMP: at most this many atoms per code (0: min(n, k)); stop once
     * |x - D z|^2 <= max_residual.  LARS: at most this many (0: no
     * limit). */
    size_t max_nonzeros;
    double max_residual;
} sc_problem;

sc_problem sc_solver_problem(const sc_solver *s);

/* Whether method (an sc_solver_method) takes its step size from L: ISTA
 * and FISTA. */
int sc_solver_method_uses_lipschitz(int method);

/* Replaces the solver's dictionary by d (n x k, finite) without planning
 * the solver anew: the buffers are reused, D copied and G = D^T D
 * recomputed; L only when the method uses it (ISTA, FISTA), otherwise it
 * is marked stale and recomputed (cold) if the method is later set to
 * one that uses it.
 *
 * L by a warm power iteration: from the previous top vector with a share
 * of the cold start mixed in (sc_power_warm_start), at least
 * SC_POWER_WARM_MIN_ITERATIONS + 1 iterations, then the cold estimate's
 * rule (the Rayleigh quotient settled to 1e-7 relative), and L =
 * SC_LIPSCHITZ_MARGIN * the highest Rayleigh quotient met, as a new
 * solver's.  Why L stays an upper bound as the cold one does: the
 * Rayleigh quotient is a lower bound on lambda_max that the iteration
 * only raises; the stopping rule is the cold one, and the cold start's
 * share keeps the new top eigenvector within reach when it has turned
 * away from the previous one (eigenvalues crossing), where the previous
 * vector alone would settle on the lower eigenvalue.  (A bound by
 * Weyl's inequality, lambda_max(G_new) <= lambda_max(G_old) +
 * |G_new - G_old|_2, was tried: in dictionary learning on Fashion-MNIST
 * 2 |G_new - G_old|_F exceeds half of the 1 % margin at every step, so
 * it certified no warm estimate.)  tests/check_solver_replace.c checks
 * L against lambda_max from a Jacobi eigensolver along learning runs and
 * through a crossing.
 *
 * Errors: SC_ERR_NONFINITE (NaN/Inf in d), SC_ERR_RANGE (G overflows
 * float, or d is zero or too small: the messages of sc_solver_create),
 * SC_ERR_NOMEM; the solver is then unchanged.  Exclusive. */
sc_status sc_solver_replace_dictionary(sc_solver *s, const float *d);

/* Restores the state of L's power iteration that a saved learner holds
 * (s->top, k doubles, and s->rayleigh), so that learning resumes bit for
 * bit: L = SC_LIPSCHITZ_MARGIN * rayleigh, not stale. */
void sc_solver_restore_lipschitz(sc_solver *s, const double *top,
                                 double rayleigh);

/* ISTA / FISTA on a batch (S1-S4 in docs/math.md).  c = X D (batch x k) is
 * given; z (batch x k) holds the start (zeros, or a warm start) and
 * receives the codes.  Returns the number of iterations run and sets
 * *converged; -1 if out of memory. */
int64_t sc_fista(const sc_solver *s, const sc_problem *p, size_t batch,
                 const float *c, float *z, int *converged);

/* The default sparse_below for k atoms. */
size_t sc_fista_sparse_cutoff(size_t k);

/* One sample of a per-sample method: the code z (k; it holds the start)
 * for c = D^T x (k) and xx = |x|^2, with the method's scratch work;
 * returns the method's effort for it and sets *done, or returns -1 if out
 * of memory. */
typedef int64_t (*sc_sample_solver)(const sc_solver *s, const sc_problem *p,
                                    const float *c, double xx, float *z,
                                    void *work, int *done);

/* The per-sample methods (CoD, CD_ACTIVE, OMP, LARS) as sc_solver_run's
 * blocks of samples call them: make() builds the method's scratch for
 * the run's problem once per thread (NULL if out of memory), solve()
 * solves one sample with it (sc_each_sample runs it over a block),
 * release() frees it (NULL too).  The scratch carries nothing from one
 * sample to the next that changes a result. */
typedef struct {
    void *(*make)(const sc_solver *s, const sc_problem *p);
    sc_sample_solver solve;
    void (*release)(void *work);
} sc_sample_method;

/* Runs solve on each sample b of the batch (c + b k, xx[b], z + b k)
 * with the scratch work; returns the most effort of any sample and sets
 * *converged when every sample set its done flag; -1 as soon as a sample
 * is out of memory. */
int64_t sc_each_sample(const sc_solver *s, const sc_problem *p, size_t batch,
                       const float *c, const double *xx, float *z,
                       sc_sample_solver solve, void *work, int *converged);

/* Coordinate descent (S5), L1 and L2 terms only, from the start in z (xx
 * is not read).  The effort is in iterations of k coordinate updates (the
 * cost of one ISTA iteration), rounded up. */
extern const sc_sample_method sc_cod_method;

/* Active-set coordinate descent (S6), L1 and L2 terms only, from the
 * start in z, with xx for the duality gap (S7).  The effort is in sweeps
 * (over the active set, or over all k codes). */
extern const sc_sample_method sc_cd_active_method;

/* Orthogonal matching pursuit (Batch-OMP, omp.c): writes the code (a
 * start in z is ignored), with xx for the residual.  The effort is the
 * atoms selected; done is 0 if the sample stopped at an atom dependent
 * on its support. */
extern const sc_sample_method sc_omp_method;

/* LARS-lasso homotopy (lars.c, (S9)): writes the code (a start in z is
 * ignored).  The effort is the events (knots passed); done is 0 if the
 * sample stopped before the solver's lambda or left out a dependent atom
 * that then violates the optimality conditions. */
extern const sc_sample_method sc_lars_method;

/* (S7) for one sample: the objective F(z) and the duality gap at z, in
 * double, from c = D^T x, xx = |x|^2 and the exact correlations
 * corr = c - G z (which sc_lasso_correlations computes). */
typedef struct {
    double objective, gap;
} sc_gap;
sc_gap sc_lasso_gap(const sc_problem *p, size_t k, const float *c,
                    double xx, const float *z, const double *corr);

/* corr = c - G z in double, summing over the non-zeros of z only. */
void sc_lasso_correlations(const sc_solver *s, const float *c,
                           const float *z, double *corr);

/* acc -= sum_q weights[q] G_{rows[q]} (rows of the float G; G is
 * symmetric, so these are its columns too), in double: the loop of
 * sc_lasso_correlations, and LARS's slope (S9). */
void sc_gram_subtract_rows(const sc_solver *s, const size_t *rows,
                           const double *weights, size_t count, double *acc);

/* acc -= sum_q weights[q] vectors[q] over k entries, vectors of doubles,
 * in the arithmetic of sc_gram_subtract_rows (four per pass over acc,
 * the products subtracted in order). */
void sc_subtract_vectors(size_t k, const double *const *vectors,
                         const double *weights, size_t count, double *acc);

/* The objective (S0) of each of `rows` samples at codes z, summed, with
 * one sgemm for the residuals; +Inf when z violates the non-negativity it
 * is asked for.  residual: rows x n scratch. */
double sc_solver_objective_sum(const sc_solver *s, const sc_problem *p,
                               const float *x, const float *z, size_t rows,
                               float *residual);

/* The same summed over a batch in blocks of SC_SOLVER_BLOCK samples (the
 * last one shorter), block after block: the sum that the per-sample
 * methods' blocks add up, so a run's report and sc_solver_objective agree
 * to the bit.  residual: min(batch, SC_SOLVER_BLOCK) x n scratch. */
double sc_solver_total_objective(const sc_solver *s, const sc_problem *p,
                                 const float *x, const float *z, size_t batch,
                                 float *residual);

/* The group term (or its smooth surrogate) of one code. */
double sc_group_penalty(const sc_solver *s, const sc_problem *p,
                        const float *z);

#endif
