/* SPDX-License-Identifier: BSD-2-Clause */
/* shape.c -- the structure a model's parameters fix: dense, or local
 * unshared filters over an image (SC_MODEL_PARAM_LOCAL_FIELD > 0), and the
 * length of every trainable array.  Init, load and the file format all
 * ask here, so a geometry is checked in one place. */
#include <stdint.h>

#include "model.h"

/* *out = a * b, or 0 if that overflows size_t. */
static int product(size_t a, size_t b, size_t *out)
{
    if (a != 0 && b > SIZE_MAX / a)
        return 0;
    *out = a * b;
    return 1;
}

/* The image's pixel count and the grid of window positions. */
typedef struct {
    size_t pixels;               /* C * H * W */
    size_t rows, cols, positions; /* Hout, Wout, Hout * Wout */
} local_extent;

/* The extent of a local geometry, checked.
 * SC_ERR_RANGE for a zero size or stride or a field larger than the
 * image, SC_ERR_SIZE for an overflow; message as sc_fail. */
static sc_status local_grid(size_t channels, size_t height, size_t width,
                            size_t field, size_t stride, local_extent *e,
                            char *message, const char *caller)
{
    if (channels == 0 || height == 0 || width == 0 || field == 0 ||
        stride == 0)
        return sc_fail(message, SC_ERR_RANGE,
                       "%s: local geometry needs non-zero sizes (channels "
                       "%zu, height %zu, width %zu, field %zu, stride %zu)",
                       caller, channels, height, width, field, stride);
    if (field > height || field > width)
        return sc_fail(message, SC_ERR_RANGE,
                       "%s: the %zu x %zu field is larger than the %zu x %zu "
                       "image", caller, field, field, height, width);
    size_t area;
    e->rows = (height - field) / stride + 1;
    e->cols = (width - field) / stride + 1;
    if (!product(height, width, &area) ||
        !product(channels, area, &e->pixels) ||
        !product(e->rows, e->cols, &e->positions))
        return sc_fail(message, SC_ERR_SIZE,
                       "%s: a %zu x %zu x %zu image is too large", caller,
                       channels, height, width);
    return SC_OK;
}

sc_status sc_model_local_units(size_t channels, size_t height, size_t width,
                         size_t field, size_t stride, size_t maps,
                         size_t *units)
{
    static const char caller[] = "sc_model_local_units";
    if (units == NULL)
        return sc_fail(NULL, SC_ERR_NULL, "%s: units is NULL", caller);
    if (maps == 0)
        return sc_fail(NULL, SC_ERR_RANGE, "%s: maps is 0", caller);
    local_extent e = {0};
    sc_status status = local_grid(channels, height, width, field, stride,
                                  &e, NULL, caller);
    if (status != SC_OK)
        return status;
    size_t count;
    if (!product(e.positions, maps, &count) || count > SC_MAX_DIMENSION)
        return sc_fail(NULL, SC_ERR_SIZE,
                       "%s: %zu positions x %zu maps is more than 2^24 units",
                       caller, e.positions, maps);
    *units = count;
    return SC_OK;
}

sc_status sc_model_shape(sc_model *m, sc_shape *shape, const char *caller)
{
    size_t n = m->n, k = m->k;
    size_t classes = (size_t)sc_model_value(m, SC_MODEL_PARAM_CLASSES);
    *shape = (sc_shape){0};
    if (classes * k > SC_MAX_ELEMENTS)
        return sc_fail(m->message, SC_ERR_SIZE,
                       "%s: %zu classes x %zu units is too large", caller,
                       classes, k);
    shape->field = (size_t)sc_model_value(m, SC_MODEL_PARAM_LOCAL_FIELD);
    /* LCoD is implemented for dense models only (E5). */
    if (shape->field > 0 &&
        sc_model_value(m, SC_MODEL_PARAM_ENCODER) == SC_ENCODER_LCOD)
        return sc_fail(m->message, SC_ERR_RANGE,
                       "%s: SC_MODEL_PARAM_ENCODER is SC_ENCODER_LCOD, which needs "
                       "a dense model, but SC_MODEL_PARAM_LOCAL_FIELD is %zu (set "
                       "it to 0, or use SC_ENCODER_LISTA)", caller,
                       shape->field);
    size_t encoder = n * k; /* create bounded n*k and k*k */
    if (shape->field > 0) {
        shape->channels = (size_t)sc_model_value(m, SC_MODEL_PARAM_IMAGE_CHANNELS);
        shape->height = (size_t)sc_model_value(m, SC_MODEL_PARAM_IMAGE_HEIGHT);
        shape->width = (size_t)sc_model_value(m, SC_MODEL_PARAM_IMAGE_WIDTH);
        shape->stride = (size_t)sc_model_value(m, SC_MODEL_PARAM_LOCAL_STRIDE);
        if (shape->height == 0 || shape->width == 0)
            return sc_fail(m->message, SC_ERR_RANGE,
                           "%s: SC_MODEL_PARAM_LOCAL_FIELD is %zu but the image is "
                           "%zu x %zu: set SC_MODEL_PARAM_IMAGE_HEIGHT and "
                           "SC_MODEL_PARAM_IMAGE_WIDTH", caller, shape->field,
                           shape->height, shape->width);
        local_extent e = {0};
        sc_status status = local_grid(shape->channels, shape->height,
                                      shape->width, shape->field,
                                      shape->stride, &e, m->message, caller);
        if (status != SC_OK)
            return status;
        if (e.pixels != n)
            return sc_fail(m->message, SC_ERR_SIZE,
                           "%s: the %zu x %zu x %zu image has %zu pixels, "
                           "but the model has %zu inputs", caller,
                           shape->channels, shape->height, shape->width,
                           e.pixels, n);
        if (k % e.positions != 0)
            return sc_fail(m->message, SC_ERR_SIZE,
                           "%s: %zu units are not a whole number of maps "
                           "over %zu positions (sc_model_local_units gives k)",
                           caller, k, e.positions);
        shape->grid_rows = e.rows;
        shape->grid_cols = e.cols;
        shape->positions = e.positions;
        shape->maps = k / e.positions;
        shape->threads = sc_model_threads(m);
        /* Each unit's filter covers its window: k * C*r*r weights, no
         * more than the dense k*n that create already bounded. */
        encoder = k * shape->channels * shape->field * shape->field;
    }
    shape->counts[SC_TENSOR_ENCODER] = encoder;
    shape->counts[SC_TENSOR_LATERAL] = k * k;
    shape->counts[SC_TENSOR_THRESHOLD] = k;
    shape->counts[SC_TENSOR_DECODER] = encoder;
    shape->counts[SC_TENSOR_CLASSIFIER] = classes * k;
    shape->counts[SC_TENSOR_CLASS_BIAS] = classes;
    return SC_OK;
}

sc_status sc_model_local_shape(const sc_model *model, size_t *grid_height,
                               size_t *grid_width, size_t *maps)
{
    static const char caller[] = "sc_model_local_shape";
    if (model == NULL)
        return sc_fail(NULL, SC_ERR_NULL, "%s: model is NULL", caller);
    if (!model->initialized)
        return sc_fail(NULL, SC_ERR_STATE, "%s: model is not initialised",
                       caller);
    const sc_shape *shape = &model->state.shape;
    if (shape->field == 0)
        return sc_fail(NULL, SC_ERR_STATE, "%s: the model is dense "
                       "(SC_MODEL_PARAM_LOCAL_FIELD is 0)", caller);
    if (grid_height != NULL)
        *grid_height = shape->grid_rows;
    if (grid_width != NULL)
        *grid_width = shape->grid_cols;
    if (maps != NULL)
        *maps = shape->maps;
    return SC_OK;
}
