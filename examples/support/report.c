/* report.c -- a failed call's status and the library's message. */
#include <stdio.h>

#include "report.h"

int report_failure(const char *program, const char *what, sc_status status)
{
    fprintf(stderr, "%s: %s: %s (%s)\n", program, what,
            sc_status_str(status), sc_last_message());
    return 1;
}
