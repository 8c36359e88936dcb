/* SPDX-License-Identifier: BSD-2-Clause */
/* dictionary_learning.h -- learning a dictionary for sparse coding with
 * sc_dictionary, shared by the examples that need one (lista,
 * sparse_encode). */
#ifndef EXAMPLE_DICTIONARY_LEARNING_H
#define EXAMPLE_DICTIONARY_LEARNING_H

#include <stddef.h>

#include <sparsecode.h>

typedef struct {
    double lambda;            /* the L1 weight of the codes */
    int nonnegative;          /* 1: codes z >= 0 */
    long epochs;              /* passes over the training set */
    size_t batch;             /* minibatch size (at most the set's size) */
    unsigned long long seed;  /* the initial atoms and the shuffles */
    sc_solver_method coder;   /* SC_DICTIONARY_PARAM_SOLVER_METHOD: the
                                 lasso method that codes the batches */
} dictionary_settings;

/* Learns k atoms for the count inputs of x (dim floats each) with the
 * online method of Mairal et al. (SC_DICTIONARY_METHOD_ONLINE): atoms
 * first k training inputs drawn by the seed, then `epochs` passes in
 * shuffled minibatches, a progress bar on stderr.  Prints the mean
 * objective of the held_count inputs of held_out (coded by s->coder)
 * before and after ("dictionary: ..." lines on stdout).  Writes the dim x k
 * atoms (unit-norm columns, row-major) to d.  Returns 0, or 1 after
 * reporting a failed call as `program`. */
int dictionary_learn(const char *program, const dictionary_settings *s,
                     const float *x, size_t count, size_t dim, size_t k,
                     const float *held_out, size_t held_count, float *d);

#endif
