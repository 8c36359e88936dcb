/* SPDX-License-Identifier: BSD-2-Clause */
/* load_raw.c -- libFuzzer harness: the fuzzer's bytes are a model file,
 * loaded by sc_model_load (from a memfd, so a load touches no disk); a
 * model that loads is then used (load_exercise.c).  The bytes after a
 * valid file do not exist for the loader, so inputs for the model come
 * from the file's own bytes. */
#include <stddef.h>
#include <stdint.h>

#include "load_exercise.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_bytes more = {data, size, 0};
    sc_model *m = fz_load_checked(data, size);
    if (m != NULL) {
        fz_use_model(m, &more);
        sc_model_free(m);
    }
    return 0;
}
