/* SPDX-License-Identifier: BSD-2-Clause */
/* tutorial.c -- step 1 of docs/tutorial.md: train a small sparse
 * auto-encoder on an MNIST-format data set and save it; then, in another
 * run of the program (another process), load it and check that it
 * encodes exactly as the trained model did.
 *
 *     tutorial train  DATA_DIR MODEL_FILE CODES_FILE [FILTERS_PNG]
 *     tutorial reload DATA_DIR MODEL_FILE CODES_FILE
 *
 * `train` writes the model, the codes of the first test images and, if
 * asked, a picture of the decoder's columns (the learned dictionary);
 * `reload` loads the model, encodes the same images and compares. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sparsecode.h>
#include "support/idx.h"
#include "support/image_grid.h"
#include "support/report.h"

enum {
    UNITS = 128,    /* k, the code's size */
    ITERATIONS = 3, /* T, the steps of the unrolled encoder */
    BATCH = 100,    /* images per training step */
    EPOCHS = 2,     /* passes over the training images */
    ENCODED = 1000  /* test images encoded and compared */
};

/* On failure: print the call, the status and the library's message (as
 * every example does, support/report.c), then go and clean up. */
#define CHECK(call)                                                 \
    do {                                                            \
        sc_status status_ = (call);                                 \
        if (status_ != SC_OK) {                                     \
            report_failure("tutorial", #call, status_);             \
            goto done;                                              \
        }                                                           \
    } while (0)

/* Draws the decoder W_d (n x k): column j, unit j's filter, is tile j. */
static int draw_filters(const sc_model *model, size_t rows, size_t cols,
                        const char *png)
{
    const float *wd;
    size_t n, k;
    char err[256];
    CHECK(sc_model_weights(model, SC_WEIGHT_DECODER, &wd, &n, &k));
    if (image_grid_write_png(png, wd, k, rows, cols, 1, k, 16, err,
                             sizeof err) == 0) {
        printf("filters: %s\n", png);
        return 0;
    }
    fprintf(stderr, "tutorial: %s\n", err);
done:
    return 1;
}

/* Trains a model on the training images, saves it, encodes the first
 * `count` test images into `codes` and, if png is not NULL, draws it. */
static int train(const idx_dataset *data, const char *model_path,
                 const char *png, size_t count, float *codes)
{
    const float *x = data->train_images.images;
    size_t n = data->train_images.rows * data->train_images.cols;
    size_t images = data->train_images.count;
    sc_model *model = NULL;
    int rc = 1;

    if (images < BATCH) {
        fprintf(stderr,
                "tutorial: %zu training images, fewer than a batch (%d)\n",
                images, BATCH);
        return 1;
    }
    CHECK(sc_model_create(&model, n, UNITS));
    CHECK(sc_model_set(model, SC_MODEL_PARAM_ITERATIONS, ITERATIONS));
    CHECK(sc_model_set(model, SC_MODEL_PARAM_L1_WEIGHT, 0.02));
    CHECK(sc_model_set(model, SC_MODEL_PARAM_OPTIMIZER, SC_OPTIMIZER_ADAM));
    CHECK(sc_model_set(model, SC_MODEL_PARAM_LEARNING_RATE, 1e-3));
    CHECK(sc_model_init_data(model, x, images, 1)); /* seed 1 */

    for (int epoch = 1; epoch <= EPOCHS; epoch++) {
        sc_model_stats stats = {.size = sizeof stats};
        double recon = 0, active = 0;
        size_t steps = 0;
        for (size_t i = 0; i + BATCH <= images; i += BATCH, steps++) {
            CHECK(sc_model_step(model, x + i * n, NULL, NULL, BATCH, &stats));
            recon += stats.recon;
            active += stats.active_fraction;
        }
        /* The images have norm 1, so 2 * recon is the relative error. */
        printf("epoch %d: reconstruction error %.4f, active units %.1f %%\n",
               epoch, 2 * recon / steps, 100 * active / steps);
    }
    CHECK(sc_model_save(model, model_path, SC_MODEL_CONTENTS_FULL));
    CHECK(sc_model_encode(model, data->test_images.images, count, codes));
    printf("saved %s\n", model_path);
    rc = png ? draw_filters(model, data->train_images.rows,
                            data->train_images.cols, png)
             : 0;
done:
    sc_model_free(model);
    return rc;
}

/* Loads the model and encodes the first `count` test images into codes. */
static int reload(const idx_dataset *data, const char *model_path,
                  size_t count, float *codes)
{
    size_t n = data->test_images.rows * data->test_images.cols;
    sc_model *model = NULL;
    int rc = 1;

    CHECK(sc_model_load(&model, model_path));
    if (sc_model_inputs(model) != n || sc_model_units(model) != UNITS) {
        fprintf(stderr, "%s: a %zu-%zu model, not %zu-%d\n", model_path,
                sc_model_inputs(model), sc_model_units(model), n, UNITS);
        goto done;
    }
    CHECK(sc_model_encode(model, data->test_images.images, count, codes));
    printf("loaded %s\n", model_path);
    rc = 0;
done:
    sc_model_free(model);
    return rc;
}

/* Writes (train) or reads (reload) the codes as raw floats: the check is
 * on the same machine, so the byte order is the same. */
static int codes_file(const char *path, const char *mode, float *codes,
                      size_t floats)
{
    FILE *f = fopen(path, mode);
    size_t done = 0;
    if (f) {
        done = mode[0] == 'w' ? fwrite(codes, sizeof *codes, floats, f)
                              : fread(codes, sizeof *codes, floats, f);
        if (fclose(f) != 0)
            done = 0;
    }
    if (done != floats)
        fprintf(stderr, "tutorial: cannot %s %s\n",
                mode[0] == 'w' ? "write" : "read", path);
    return done == floats ? 0 : 1;
}

/* Compares the reloaded model's codes with the saved ones, bit for bit:
 * the same program, data, BLAS and thread count give the same bits
 * (docs/api-conventions.md, Determinism). */
static int compare(const float *codes, const float *saved, size_t count,
                   const char *codes_path)
{
    size_t floats = count * UNITS, differ = 0;
    double largest = 0;
    for (size_t i = 0; i < floats; i++) {
        if (memcmp(&codes[i], &saved[i], sizeof *codes) != 0) {
            double d = fabs((double)codes[i] - saved[i]);
            largest = d > largest ? d : largest;
            differ++;
        }
    }
    if (differ == 0)
        printf("codes of %zu test images: identical to %s\n", count,
               codes_path);
    else
        printf("codes of %zu test images: %zu of %zu values differ from %s, "
               "by up to %.3g\n", count, differ, floats, codes_path, largest);
    return differ != 0;
}

int main(int argc, char **argv)
{
    int train_mode = argc >= 2 && strcmp(argv[1], "train") == 0;
    if (!(train_mode ? argc == 5 || argc == 6
                     : argc == 5 && strcmp(argv[1], "reload") == 0)) {
        fprintf(stderr,
                "usage: tutorial train DATA_DIR MODEL_FILE CODES_FILE [FILTERS_PNG]\n"
                        "       tutorial reload DATA_DIR MODEL_FILE CODES_FILE\n");
        return 2;
    }
    const char *model_path = argv[3], *codes_path = argv[4];
    idx_dataset data;
    char err[512];
    if (idx_read_dataset(argv[2], &data, err, sizeof err) != 0) {
        fprintf(stderr, "tutorial: %s\n", err);
        return 1;
    }
    size_t n = data.train_images.rows * data.train_images.cols;
    idx_normalize_rows(data.train_images.images, data.train_images.count, n);
    idx_normalize_rows(data.test_images.images, data.test_images.count, n);
    size_t count = data.test_images.count < ENCODED ? data.test_images.count
                                                    : ENCODED;
    size_t floats = count * UNITS;
    float *codes = malloc(floats * sizeof *codes);
    float *saved = malloc(floats * sizeof *saved);
    int rc = 1;
    if (!codes || !saved) {
        fprintf(stderr, "tutorial: out of memory\n");
    } else if (train_mode) {
        rc = train(&data, model_path, argc == 6 ? argv[5] : NULL, count,
                   codes) ||
             codes_file(codes_path, "wb", codes, floats);
        if (rc == 0)
            printf("codes of %zu test images written to %s\n", count,
                   codes_path);
    } else {
        rc = reload(&data, model_path, count, codes) ||
             codes_file(codes_path, "rb", saved, floats) ||
             compare(codes, saved, count, codes_path);
    }
    free(codes);
    free(saved);
    idx_free_dataset(&data);
    return rc;
}
