/* SPDX-License-Identifier: BSD-2-Clause */
/* load_struct.c -- libFuzzer harness: the fuzzer's bytes drive a model
 * file generator (model_file.c) that writes length-consistent files with
 * a valid CRC, so that mutations reach the loader's checks of sizes,
 * parameters and weights rather than stopping at the checksum.  A file
 * that loads is used (load_exercise.c), and a current-version file that
 * loads and broke no rule on purpose must save back to the same bytes
 * (one of version 4 with the parameters a save writes, with its
 * contents). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "load_exercise.h"
#include "model_file.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Saves m beside the scratch directory's other files and compares the
 * bytes with the file it was loaded from. */
static void check_resave(const sc_model *m, const fz_model_file *file)
{
    char path[128];
    snprintf(path, sizeof path, "%s/resave.bin", fz_scratch_dir());
    sc_status status = sc_model_save(m, path,
                                     (sc_model_contents)file->contents);
    if (status != SC_OK) {
        fprintf(stderr, "sc_model_save: %s\n", sc_last_message());
        abort();
    }
    FILE *f = fopen(path, "rb");
    unsigned char *bytes = malloc(file->size + 1);
    if (f == NULL || bytes == NULL)
        abort();
    size_t got = fread(bytes, 1, file->size + 1, f);
    fclose(f);
    if (got != file->size || memcmp(bytes, file->data, got) != 0) {
        fprintf(stderr, "a loaded model saves to other bytes than its file "
                "(%zu against %zu)\n", got, file->size);
        abort();
    }
    free(bytes);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_bytes b = {data, size, 0};
    fz_model_file file;
    fz_make_model_file(&b, &file);
    sc_model *m = fz_load_checked(file.data, file.size);
    if (m != NULL) {
        if (file.canonical && !file.edited)
            check_resave(m, &file);
        fz_use_model(m, &b);
        sc_model_free(m);
    }
    free(file.data);
    return 0;
}
