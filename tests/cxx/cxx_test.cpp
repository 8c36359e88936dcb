/* SPDX-License-Identifier: BSD-2-Clause */
// cxx_test.cpp -- the public header used from C++ (C++11), linked to the
// shared library: create a model, set a parameter, initialise, encode a
// batch, decode it, and check that the runtime library is the version the
// header describes.  Built and run by `make check`.
#include "sparsecode.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <vector>

namespace {

int failures = 0;

void expect(bool ok, const char *what)
{
    if (!ok) {
        std::fprintf(stderr, "cxx_test: FAILED: %s (last message: %s)\n",
                     what, sc_last_message());
        ++failures;
    }
}

void expect_status(sc_status got, sc_status want, const char *what)
{
    if (got != want) {
        std::fprintf(stderr, "cxx_test: FAILED: %s returned %s, expected %s "
                     "(last message: %s)\n", what, sc_status_string(got),
                     sc_status_string(want), sc_last_message());
        ++failures;
    }
}

} // namespace

int main()
{
    // The header and the library agree on the version.
    expect(sc_version() == SC_VERSION_NUMBER,
           "sc_version() == SC_VERSION_NUMBER");
    expect(sc_version_string() != nullptr, "sc_version_string() != NULL");
    expect(sc_status_string(SC_OK) != nullptr,
           "sc_status_string(SC_OK) != NULL");

    const size_t n = 16, k = 8, batch = 5;

    sc_model *model = nullptr;
    expect_status(sc_model_create(&model, n, k), SC_OK, "sc_model_create");
    if (model == nullptr) {
        std::fprintf(stderr, "cxx_test: no model, stopping\n");
        return EXIT_FAILURE;
    }
    expect(sc_model_inputs(model) == n, "sc_model_inputs");
    expect(sc_model_units(model) == k, "sc_model_units");

    // A parameter through the enum, read back; a bad one is refused.
    expect_status(sc_model_set(model, SC_MODEL_PARAM_ITERATIONS, 5), SC_OK,
                  "sc_model_set(SC_MODEL_PARAM_ITERATIONS, 5)");
    double value = 0;
    expect_status(sc_model_get(model, SC_MODEL_PARAM_ITERATIONS, &value), SC_OK,
                  "sc_model_get(SC_MODEL_PARAM_ITERATIONS)");
    expect(value == 5, "SC_MODEL_PARAM_ITERATIONS reads back 5");
    expect_status(sc_model_set(model, SC_MODEL_PARAM_ITERATIONS, 0),
                  SC_ERR_RANGE,
                  "sc_model_set(SC_MODEL_PARAM_ITERATIONS, 0)");

    expect_status(sc_model_init_random(model, 42), SC_OK,
                  "sc_model_init_random");
    expect(sc_model_is_initialized(model) == 1, "sc_model_is_initialized");

    // Encode and decode a batch of non-negative inputs.
    std::vector<float> x(batch * n), codes(batch * k, -1.0f), xhat(batch * n);
    for (size_t i = 0; i < x.size(); ++i)
        x[i] = static_cast<float>((i * 7919u) % 97u) / 97.0f;
    const sc_model *cmodel = model;
    expect_status(sc_model_encode(cmodel, x.data(), batch, codes.data()), SC_OK,
                  "sc_model_encode");
    bool finite = true;
    for (float z : codes)
        finite = finite && std::isfinite(z) && z >= 0.0f;  // relu codes
    expect(finite, "codes are finite and non-negative");
    expect_status(sc_model_decode(cmodel, codes.data(), batch, xhat.data()),
                  SC_OK, "sc_model_decode");

    // Errors come back as statuses.
    expect_status(sc_model_encode(cmodel, nullptr, batch, codes.data()),
                  SC_ERR_NULL, "sc_model_encode(x = NULL)");

    sc_model_free(model);

    if (failures != 0) {
        std::fprintf(stderr, "cxx_test: %d failure(s)\n", failures);
        return EXIT_FAILURE;
    }
    std::printf("cxx_test: libsparsecode %s from C++ passed\n",
                sc_version_string());
    return EXIT_SUCCESS;
}
