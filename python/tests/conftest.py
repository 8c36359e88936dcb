# SPDX-License-Identifier: BSD-2-Clause
"""Shared fixtures of the binding's tests: the checkout's paths, random
data, and a small trained model."""
import os

import numpy as np
import pytest

import sparsecode as sc

HERE = os.path.dirname(os.path.abspath(__file__))
CHECKOUT = os.path.dirname(os.path.dirname(HERE))
HEADER = os.path.join(CHECKOUT, "include", "sparsecode.h")
C_FIXTURES = os.path.join(CHECKOUT, "tests", "fixtures")


def needs(function):
    """Skips a test whose library function the loaded library lacks (a
    branch not merged yet, an older library)."""
    return pytest.mark.skipif(function in sc._lib.MISSING,
                              reason="%s is not in %s" % (function,
                                                          sc.library_path()))


@pytest.fixture
def rng():
    return np.random.default_rng(20261130)


def make_data(rng, batch=40, n=16):
    return rng.standard_normal((batch, n)).astype(np.float32)


@pytest.fixture
def data(rng):
    return make_data(rng)


@pytest.fixture
def labels(rng):
    return rng.integers(0, 3, size=40).astype(np.int32)


@pytest.fixture
def model(data, labels):
    """16 inputs, 8 units, 3 classes, trained two steps."""
    with sc.Model(16, 8, iterations=3, l1_weight=0.05, classes=3,
                  class_weight=0.5, optimizer="adam",
                  learning_rate=0.01) as m:
        m.init_data(data, seed=3)
        m.step(data, labels=labels)
        m.step(data, labels=labels)
        yield m
