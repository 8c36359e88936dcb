/* SPDX-License-Identifier: BSD-2-Clause */
/* suites.h -- every Check suite of the unit-test runner, as one X-macro
 * list.  Adding a suite is one line here plus its tests/check_<name>.c,
 * which exports `Suite *<name>_suite(void)`.  check_main.c runs them in
 * this order. */
#ifndef SC_TEST_SUITES_H
#define SC_TEST_SUITES_H

#include <check.h>

/* The order is also make valgrind's split (SC_TEST_SHARD=i/2 takes every
 * other suite): the heavy suites alternate, so that the two halves take
 * about the same time under memcheck. */
#define SC_TEST_SUITES(X) \
    X(status)             \
    X(params)             \
    X(names)              \
    X(model)              \
    X(infer)              \
    X(step)               \
    X(evaluate)           \
    X(gradient_api)       \
    X(update_check)       \
    X(threads)            \
    X(optimizer)          \
    X(file)               \
    X(buffer)             \
    X(gradient)           \
    X(fixtures)           \
    X(ista)               \
    X(solver)             \
    X(dictionary)         \
    X(lars)               \
    X(dictionary_file)    \
    X(solver_replace)     \
    X(alloc)              \
    X(local_operator)     \
    X(local_model)        \
    X(lcod)

#define SC_DECLARE_SUITE(name) Suite *name##_suite(void);
SC_TEST_SUITES(SC_DECLARE_SUITE)
#undef SC_DECLARE_SUITE

#endif
