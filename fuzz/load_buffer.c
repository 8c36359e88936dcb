/* SPDX-License-Identifier: BSD-2-Clause */
/* load_buffer.c -- libFuzzer harness: the model files of model_file.c's
 * generator (as load_struct's) loaded both ways, by sc_model_load from a
 * memfd and by sc_model_load_buffer from memory.  The one decoder must
 * give both the same answer: both load or both refuse (SC_ERR_FORMAT or
 * SC_ERR_VERSION, *out untouched), and when the file loads,
 * models whose bytes (sc_model_save_buffer, full) are the same; a clone
 * of the loaded model has those bytes too, and is then used
 * (load_exercise.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "load_exercise.h"
#include "model_file.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fail(const char *what)
{
    fprintf(stderr, "load_buffer: %s (%s)\n", what, sc_last_message());
    abort();
}

/* m's full bytes, malloc'd. */
static unsigned char *bytes_of(const sc_model *m, size_t *size)
{
    if (sc_model_save_buffer(m, SC_MODEL_CONTENTS_FULL, NULL, 0, size) !=
        SC_OK)
        fail("sc_model_save_buffer: size");
    unsigned char *bytes = malloc(*size);
    if (bytes == NULL)
        abort();
    size_t written = 0;
    if (sc_model_save_buffer(m, SC_MODEL_CONTENTS_FULL, bytes, *size,
                             &written) != SC_OK || written != *size)
        fail("sc_model_save_buffer");
    return bytes;
}

static void assert_same_bytes(const sc_model *a, const sc_model *b,
                              const char *what)
{
    size_t sa, sb;
    unsigned char *ba = bytes_of(a, &sa), *bb = bytes_of(b, &sb);
    if (sa != sb || memcmp(ba, bb, sa) != 0)
        fail(what);
    free(ba);
    free(bb);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_bytes b = {data, size, 0};
    fz_model_file file;
    fz_make_model_file(&b, &file);
    sc_model *from_file = fz_load_checked(file.data, file.size);
    sc_model *from_buffer = (sc_model *)&file;   /* must stay on failure */
    sc_status status = sc_model_load_buffer(&from_buffer, file.data,
                                            file.size);
    if ((status == SC_OK) != (from_file != NULL))
        fail("sc_model_load and sc_model_load_buffer disagree");
    if (status != SC_OK && from_buffer != (sc_model *)&file)
        fail("sc_model_load_buffer: failed but wrote *out");
    if (status != SC_OK && status != SC_ERR_FORMAT && status != SC_ERR_VERSION)
        fail("sc_model_load_buffer: a status a load does not return");
    if (status == SC_OK) {
        assert_same_bytes(from_file, from_buffer,
                          "a file and a buffer load to different models");
        sc_model *clone = NULL;
        if (sc_model_clone(&clone, from_buffer) != SC_OK)
            fail("sc_model_clone");
        assert_same_bytes(clone, from_buffer, "a clone has other bytes");
        fz_use_model(clone, &b);
        sc_model_free(clone);
        sc_model_free(from_buffer);
        sc_model_free(from_file);
    }
    free(file.data);
    return 0;
}
