/* SPDX-License-Identifier: BSD-2-Clause */
/* report.h -- how the examples report a failed library call. */
#ifndef EXAMPLE_REPORT_H
#define EXAMPLE_REPORT_H

#include <sparsecode.h>

/* Prints "<program>: <what>: <status name> (<library message>)" on
 * stderr; returns 1, the exit status for main. */
int report_failure(const char *program, const char *what, sc_status status);

/* The start of every example's main: results on stdout line-buffered, so
 * that they keep their order with the progress on stderr in a log, and a
 * warning on stderr if the library found at run time is not the version
 * the program was built against. */
void report_start(const char *program);

/* Returns report_failure(program, "<call>", status) from the enclosing
 * function when call does not return SC_OK. */
#define REPORT_CHECK(program, call)                          \
    do {                                                     \
        sc_status status_ = (call);                          \
        if (status_ != SC_OK)                                \
            return report_failure(program, #call, status_);  \
    } while (0)

#endif
