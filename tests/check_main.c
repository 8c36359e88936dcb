/* SPDX-License-Identifier: BSD-2-Clause */
/* check_main.c -- the unit-test runner: every suite of suites.h in one
 * SRunner, run with CK_ENV so that CK_RUN_SUITE, CK_RUN_CASE, CK_FORK=no,
 * CK_VERBOSITY and CK_TIMEOUT_MULTIPLIER apply (and SC_TEST_SHARD,
 * below).  Fork mode is Check's default: a crash fails one test, not the
 * run.  Exits with EXIT_FAILURE when any test failed. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>

#include "suites.h"

int main(void)
{
    Suite *(*const suites[])(void) = {
#define SC_SUITE_ENTRY(name) name##_suite,
        SC_TEST_SUITES(SC_SUITE_ENTRY)
#undef SC_SUITE_ENTRY
    };
    size_t count = sizeof suites / sizeof suites[0];

    /* SC_TEST_SHARD=i/n runs every n-th suite from the i-th, so that n
     * runners (make valgrind's, one per core) share the suites. */
    size_t shard = 0, shards = 1;
    const char *spec = getenv("SC_TEST_SHARD");
    if (spec != NULL) {
        char *end;
        unsigned long i = strtoul(spec, &end, 10);
        unsigned long n = *end == '/' ? strtoul(end + 1, &end, 10) : 0;
        if (*end != '\0' || n == 0 || i >= n) {
            fprintf(stderr, "SC_TEST_SHARD=%s: expected i/n with i < n\n",
                    spec);
            return EXIT_FAILURE;
        }
        shard = i;
        shards = n;
    }

    SRunner *runner = NULL;
    for (size_t i = shard; i < count; i += shards) {
        if (runner == NULL)
            runner = srunner_create(suites[i]());
        else
            srunner_add_suite(runner, suites[i]());
    }
    if (runner == NULL) {
        fprintf(stderr, "SC_TEST_SHARD=%s: no suite in this shard\n", spec);
        return EXIT_FAILURE;
    }
    srunner_run_all(runner, CK_ENV);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
