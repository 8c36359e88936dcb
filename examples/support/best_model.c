/* SPDX-License-Identifier: BSD-2-Clause */
/* best_model.c -- see best_model.h. */
#define _POSIX_C_SOURCE 200809L
#include "best_model.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "report.h"

int best_model_open(best_model *b, const char *program, const char *tag)
{
    const char *dir = getenv("TMPDIR");
    snprintf(b->path, sizeof b->path, "%s/%s-%s-XXXXXX", dir ? dir : "/tmp",
             program, tag);
    b->error = INFINITY;
    b->epoch = b->last_epoch = -1;
    int fd = mkstemp(b->path);
    if (fd < 0) {
        fprintf(stderr, "%s: cannot create %s for the best model\n", program,
                b->path);
        b->path[0] = 0;
        return 1;
    }
    close(fd);
    return 0;
}

int best_model_offer(best_model *b, const char *program, const sc_model *m,
                     double error, long epoch)
{
    b->last_epoch = epoch;
    if (!(error < b->error))
        return 0;
    b->error = error;
    b->epoch = epoch;
    sc_status s = sc_model_save(m, b->path, SC_MODEL_CONTENTS_FULL);
    return s == SC_OK ? 0 : report_failure(program, "sc_model_save", s);
}

int best_model_take(best_model *b, const char *program, sc_model **m)
{
    if (!isfinite(b->error) || b->epoch == b->last_epoch)
        return 0;
    sc_model *loaded = NULL;
    sc_status s = sc_model_load(&loaded, b->path);
    if (s != SC_OK)
        return report_failure(program, "sc_model_load", s);
    sc_model_free(*m);
    *m = loaded;
    return 0;
}

void best_model_close(best_model *b)
{
    if (b->path[0])
        unlink(b->path);
    b->path[0] = 0;
}
