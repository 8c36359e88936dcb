/* SPDX-License-Identifier: BSD-2-Clause */
/* model_file.h -- a structure-aware model file generator for the fuzzers:
 * the fuzzer's bytes choose a model's kind, sizes, parameters and
 * weights, and the generator writes the file sc_model_save would write
 * (docs/file-format.md): the right length for the sizes, valid CRCs, of
 * format version 4 (full or inference; sometimes without some parameters,
 * or with a record of an unknown id, ignorable or not) or 1 to 3.
 * Sometimes it then breaks one rule on purpose (a repeated or reordered
 * parameter record, raw record flags, a wrong weight record, a bad CRC, a
 * truncation), the CRCs resealed unless the file's CRC is the rule
 * broken. */
#ifndef FUZZ_MODEL_FILE_H
#define FUZZ_MODEL_FILE_H

#include <stddef.h>

#include "fuzz_util.h"

typedef struct {
    unsigned char *data;  /* malloc'd; free() it */
    size_t size;
    unsigned version;     /* the format version written (1 to 4) */
    int contents;         /* version 4: 0 full, 1 inference (else 0) */
    int canonical;        /* version 4 with every parameter a save writes
                             and no other: what sc_model_save would write */
    int edited;           /* a rule was broken on purpose */
} fz_model_file;

/* A model kind (dense, classifier, contiguous or topographic groups,
 * local, local with pools over positions; SGD or Adam, relu or soft,
 * LISTA or LCoD) with small sizes n x k and consistent structural
 * parameters written into values (which holds the defaults). */
void fz_choose_model(fz_bytes *b, double *values, size_t *n, size_t *k);

/* Writes a file from the bytes of b.  Aborts only if out of memory. */
void fz_make_model_file(fz_bytes *b, fz_model_file *out);

#endif
