# SPDX-License-Identifier: BSD-2-Clause
"""Against a C example on tiny data: examples/tutorial trains a model on
the examples test's data set (tests/tools/make_idx: 300 training and 100
test images of 8 x 8), saves it and writes the codes of the test images;
the binding loads that model, reads the same images with sparsecode.idx
and must compute the same codes.  Needs the built example and generator,
whose paths make check passes (SC_TUTORIAL, SC_MAKE_IDX)."""
import os
import subprocess

import numpy as np
import pytest

import sparsecode as sc

TUTORIAL = os.environ.get("SC_TUTORIAL", "")
MAKE_IDX = os.environ.get("SC_MAKE_IDX", "")

pytestmark = pytest.mark.skipif(
    not (os.access(TUTORIAL, os.X_OK) and os.access(MAKE_IDX, os.X_OK)),
    reason="SC_TUTORIAL and SC_MAKE_IDX do not name the built examples/tutorial "
           "and make_idx (make check passes them)")


def test_tutorial_codes_are_what_the_binding_computes(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    subprocess.run([MAKE_IDX, str(data), "300", "100"], check=True,
                   capture_output=True)
    model, codes = tmp_path / "model.scm", tmp_path / "codes.bin"
    run = subprocess.run([TUTORIAL, "train", str(data), str(model), str(codes)],
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    x, _, shape = sc.idx.load_split(str(data), "t10k")
    assert shape == (8, 8) and x.shape == (100, 64)
    expected = np.fromfile(str(codes), dtype="<f4")
    with sc.Model.load(str(model)) as m:
        assert (m.n_inputs, m.n_units) == (64, 128)
        z = m.encode(x)
    assert expected.size == z.size
    expected = expected.reshape(z.shape)
    assert np.any(expected != 0)
    # Same library, same batch: the tolerance is the C fixtures' (any BLAS
    # build), 1e-5 of max(1, |z|); the images' norms are summed in another
    # order here, which may move the last bit of an input.
    assert np.all(np.abs(z - expected) <= 1e-5 * np.maximum(1, np.abs(expected)))
