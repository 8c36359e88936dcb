/* SPDX-License-Identifier: BSD-2-Clause */
/* alloc_hook.c -- the --wrap'ed malloc, calloc and realloc of the test
 * runner (see alloc_hook.h). */
#include <stddef.h>
#include <stdlib.h>

#include "alloc_hook.h"

void *__real_malloc(size_t size);
void *__real_calloc(size_t count, size_t size);
void *__real_realloc(void *p, size_t size);
void *__wrap_malloc(size_t size);
void *__wrap_calloc(size_t count, size_t size);
void *__wrap_realloc(void *p, size_t size);

static size_t allocations, largest;
static long fail_at = -1; /* the value of `allocations` to fail, or -1 */
static int failed;

size_t tu_allocations(void)
{
    return allocations;
}

size_t tu_alloc_largest(void)
{
    return largest;
}

void tu_alloc_largest_reset(void)
{
    largest = 0;
}

void tu_alloc_fail_nth(long nth)
{
    fail_at = nth < 0 ? -1 : (long)allocations + nth;
    failed = 0;
}

int tu_alloc_failed(void)
{
    return failed;
}

/* Counts one request of `size` bytes; whether it is the one to fail. */
static int count_request(size_t size)
{
    if (size > largest)
        largest = size;
    int fail = fail_at >= 0 && (long)allocations == fail_at;
    allocations++;
    if (fail) {
        fail_at = -1;
        failed = 1;
    }
    return fail;
}

void *__wrap_malloc(size_t size)
{
    return count_request(size) ? NULL : __real_malloc(size);
}

void *__wrap_calloc(size_t count, size_t size)
{
    /* count * size may wrap: libc's calloc refuses that itself. */
    return count_request(count * size) ? NULL : __real_calloc(count, size);
}

void *__wrap_realloc(void *p, size_t size)
{
    return count_request(size) ? NULL : __real_realloc(p, size);
}
