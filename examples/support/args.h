/* SPDX-License-Identifier: BSD-2-Clause */
/* args.h -- parsing the examples' numeric options. */
#ifndef EXAMPLE_ARGS_H
#define EXAMPLE_ARGS_H

/* A whole non-negative decimal number (all of text) in *v: 0, or -1. */
int args_long(const char *text, long *v);

/* A finite non-negative number (all of text) in *v: 0, or -1. */
int args_double(const char *text, double *v);

/* A seed: a whole non-negative decimal number (all of text, at most
 * LONG_MAX) in *seed: 0, or -1. */
int args_seed(const char *text, unsigned long long *seed);

#endif
