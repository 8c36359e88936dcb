/* SPDX-License-Identifier: BSD-2-Clause */
/* alloc_hook.h -- the test runner's view of the library's allocations.
 *
 * The runner is linked with -Wl,--wrap=malloc,--wrap=calloc,
 * --wrap=realloc, so every call the library's objects (and the tests')
 * make to those functions passes through alloc_hook.c, which counts them,
 * records the largest request and can make one of them fail.  libc's and
 * BLAS's own allocations are not seen. */
#ifndef SC_TEST_ALLOC_HOOK_H
#define SC_TEST_ALLOC_HOOK_H

#include <stddef.h>

/* Allocations (malloc, calloc, realloc) made so far. */
size_t tu_allocations(void);

/* The largest single request since the last tu_alloc_largest_reset. */
size_t tu_alloc_largest(void);
void tu_alloc_largest_reset(void);

/* Makes the allocation `nth` from now (0: the next one) return NULL, once;
 * a negative nth disarms.  tu_alloc_failed says whether it has happened
 * since the arming.  No Check call between arming and disarming: Check
 * allocates for itself. */
void tu_alloc_fail_nth(long nth);
int tu_alloc_failed(void);

#endif
