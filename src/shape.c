/* SPDX-License-Identifier: BSD-2-Clause */
/* shape.c -- the structure a model's parameters fix (shape.h), and
 * sc_model_local_units, which computes a local model's unit count from
 * the same geometry. */
#include <stdint.h>

#include "shape.h"

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

sc_status sc_shape_compute(const sc_shape_spec *spec, sc_shape *shape,
                           char *message, const char *caller)
{
    size_t n = spec->n, k = spec->k, classes = spec->classes;
    *shape = (sc_shape){0};
    if (classes * k > SC_MAX_ELEMENTS)
        return sc_fail(message, SC_ERR_SIZE,
                       "%s: %zu classes x %zu units is too large", caller,
                       classes, k);
    size_t field = spec->field;
    /* LCoD is implemented for dense models only (E5). */
    if (field > 0 && spec->lcod)
        return sc_fail(message, SC_ERR_RANGE,
                       "%s: SC_MODEL_PARAM_ENCODER is SC_ENCODER_LCOD, which needs "
                       "a dense model, but SC_MODEL_PARAM_LOCAL_FIELD is %zu (set "
                       "it to 0, or use SC_ENCODER_LISTA)", caller, field);
    size_t encoder = n * k; /* create bounded n*k and k*k */
    if (field > 0) {
        if (spec->height == 0 || spec->width == 0)
            return sc_fail(message, SC_ERR_RANGE,
                           "%s: SC_MODEL_PARAM_LOCAL_FIELD is %zu but the image is "
                           "%zu x %zu: set SC_MODEL_PARAM_IMAGE_HEIGHT and "
                           "SC_MODEL_PARAM_IMAGE_WIDTH", caller, field,
                           spec->height, spec->width);
        local_extent e = {0};
        sc_status status = local_grid(spec->channels, spec->height,
                                      spec->width, field, spec->stride, &e,
                                      message, caller);
        if (status != SC_OK)
            return status;
        if (e.pixels != n)
            return sc_fail(message, SC_ERR_SIZE,
                           "%s: the %zu x %zu x %zu image has %zu pixels, "
                           "but the model has %zu inputs", caller,
                           spec->channels, spec->height, spec->width,
                           e.pixels, n);
        if (k % e.positions != 0)
            return sc_fail(message, SC_ERR_SIZE,
                           "%s: %zu units are not a whole number of maps "
                           "over %zu positions (sc_model_local_units gives k)",
                           caller, k, e.positions);
        shape->field = field;
        shape->channels = spec->channels;
        shape->height = spec->height;
        shape->width = spec->width;
        shape->stride = spec->stride;
        shape->grid_rows = e.rows;
        shape->grid_cols = e.cols;
        shape->positions = e.positions;
        shape->maps = k / e.positions;
        shape->threads = spec->threads;
        /* Each unit's filter covers its window: k * C*r*r weights, no
         * more than the dense k*n that create already bounded. */
        encoder = k * spec->channels * field * field;
    }
    shape->counts[SC_TENSOR_ENCODER] = encoder;
    shape->counts[SC_TENSOR_LATERAL] = k * k;
    shape->counts[SC_TENSOR_THRESHOLD] = k;
    shape->counts[SC_TENSOR_DECODER] = encoder;
    shape->counts[SC_TENSOR_CLASSIFIER] = classes * k;
    shape->counts[SC_TENSOR_CLASS_BIAS] = classes;
    return SC_OK;
}

