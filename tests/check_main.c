/* SPDX-License-Identifier: BSD-2-Clause */
/* check_main.c -- the unit-test runner: every suite of suites.h in one
 * SRunner, run with CK_ENV so that CK_RUN_SUITE, CK_RUN_CASE, CK_FORK=no,
 * CK_VERBOSITY and CK_TIMEOUT_MULTIPLIER apply.  Fork mode is Check's
 * default: a crash fails one test, not the run.  Exits with
 * EXIT_FAILURE when any test failed. */
#include <check.h>
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

    SRunner *runner = srunner_create(suites[0]());
    for (size_t i = 1; i < count; i++)
        srunner_add_suite(runner, suites[i]());
    srunner_run_all(runner, CK_ENV);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
