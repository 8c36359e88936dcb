# SPDX-License-Identifier: BSD-2-Clause
"""Round trips against numbers the C library computed on its own: the
model files of tests/fixtures/ and the codes their writer computed
(tests/fixtures/README.md: make_fixture.c, OpenBLAS, 2026-11-30)."""
import os
import struct

import numpy as np
import pytest

import sparsecode as sc

from conftest import C_FIXTURES

NAMES = ["dense-v1", "dense-v2", "dense-v3", "local-v2", "local-v3"]
pytestmark = pytest.mark.skipif(not os.path.isdir(C_FIXTURES),
                                reason="not run from a checkout")


def read_codes(name):
    """NAME.codes: u32 batch, n, k, then batch x n inputs, batch x k codes,
    all little-endian."""
    with open(os.path.join(C_FIXTURES, name + ".codes"), "rb") as f:
        raw = f.read()
    batch, n, k = struct.unpack_from("<3I", raw, 0)
    floats = np.frombuffer(raw, dtype="<f4", offset=12)
    assert floats.size == batch * (n + k)
    return floats[:batch * n].reshape(batch, n), floats[batch * n:].reshape(batch, k)


@pytest.mark.parametrize("name", NAMES)
def test_fixture_encodes_as_the_c_program_that_wrote_it(name):
    x, expected = read_codes(name)
    with sc.Model.load(os.path.join(C_FIXTURES, name + ".model")) as m:
        assert (m.n_inputs, m.n_units) == (x.shape[1], expected.shape[1])
        z = m.encode(x)
    # The C test's tolerance (tests/check_fixtures.c): 1e-5 of max(1, |z|),
    # for any BLAS build; with OpenBLAS the codes are identical.
    assert np.all(np.abs(z - expected) <= 1e-5 * np.maximum(1, np.abs(expected)))


def test_dense_fixture_has_the_parameters_its_writer_set():
    # make_fixture.c's dense model (README): soft shrink, 3 iterations,
    # 2 classes, contiguous groups of 2, Adam at 0.01, L1 0.07, group 0.01,
    # class weight 0.5.
    with sc.Model.load(os.path.join(C_FIXTURES, "dense-v3.model")) as m:
        assert m.get("shrink") == "soft"
        assert m.get("iterations") == 3
        assert m.get("classes") == 2
        assert m.get("group_layout") == "contiguous"
        assert m.get("group_size") == 2
        assert m.get("optimizer") == "adam"
        assert m.get("learning_rate") == pytest.approx(0.01)
        assert m.get("l1_weight") == pytest.approx(0.07)
        assert m.get("group_weight") == pytest.approx(0.01)
        assert m.get("class_weight") == pytest.approx(0.5)
        assert m.steps_taken == 3


def test_local_fixture_geometry():
    # 1 x 5 x 5 images, 3 x 3 windows at stride 2: 2 x 2 positions, 2 maps.
    with sc.Model.load(os.path.join(C_FIXTURES, "local-v3.model")) as m:
        assert m.local_shape() == (2, 2, 2)
        assert m.weights("encoder").shape == (8, 9)
        assert m.weights("decoder").shape == (8, 9)
        assert m.weights("lateral").shape == (8, 8)
