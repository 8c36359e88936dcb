/* SPDX-License-Identifier: BSD-2-Clause */
/* report.c -- a failed call's status and the library's message. */
#include <stdio.h>

#include "report.h"

int report_failure(const char *program, const char *what, sc_status status)
{
    fprintf(stderr, "%s: %s: %s (%s)\n", program, what,
            sc_status_string(status), sc_last_message());
    return 1;
}

void report_start(const char *program)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (sc_version() != SC_VERSION_NUMBER)
        fprintf(stderr, "%s: warning: built against libsparsecode %s, "
                "running with %s\n", program, SC_VERSION_STRING,
                sc_version_string());
}
