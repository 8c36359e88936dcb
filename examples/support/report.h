/* report.h -- how the examples report a failed library call. */
#ifndef EXAMPLE_REPORT_H
#define EXAMPLE_REPORT_H

#include <sparsecode.h>

/* Prints "<program>: <what>: <status name> (<library message>)" on
 * stderr; returns 1, the exit status for main. */
int report_failure(const char *program, const char *what, sc_status status);

/* Returns report_failure(program, "<call>", status) from the enclosing
 * function when call does not return SC_OK. */
#define REPORT_CHECK(program, call)                          \
    do {                                                     \
        sc_status status_ = (call);                          \
        if (status_ != SC_OK)                                \
            return report_failure(program, #call, status_);  \
    } while (0)

#endif
