# SPDX-License-Identifier: BSD-2-Clause
"""DictionaryLearner: init, steps that lower the objective, unit-norm
atoms, save/load."""
import numpy as np
import pytest

import sparsecode as sc

from conftest import needs


@pytest.fixture
def patches(rng):
    # sparse combinations of 6 hidden atoms: a dictionary can explain them
    atoms = rng.standard_normal((16, 6))
    codes = rng.standard_normal((400, 6)) * (rng.random((400, 6)) < 0.3)
    return (codes @ atoms.T).astype(np.float32) + \
        0.01 * rng.standard_normal((400, 16)).astype(np.float32)


def test_steps_lower_the_held_out_objective_and_keep_unit_atoms(patches):
    train, test = patches[:300], patches[300:]
    with sc.DictionaryLearner(16, 8, lam=0.1) as d:
        d.init_data(train, seed=1)
        assert np.allclose(np.linalg.norm(d.atoms, axis=0), 1, atol=1e-5)
        before = d.objective(test)
        for epoch in range(3):
            for i in range(0, 300, 50):
                stats = d.step(train[i:i + 50])
                assert 0 <= stats.active_fraction <= 1
        after = d.objective(test)
        assert after < before
        assert np.all(np.linalg.norm(d.atoms, axis=0) <= 1 + 1e-5)
        assert not d.atoms.flags.writeable


def test_parameters_by_name(patches):
    d = sc.DictionaryLearner(16, 8, method="sgd", lam=0.2, learning_rate=0.5)
    assert d.get("method") == "sgd"
    assert d.get("lambda") == pytest.approx(0.2)
    assert d.get("lam") == pytest.approx(0.2)
    with pytest.raises(sc.StateError):
        d.step(patches[:10])


@needs("sc_dictionary_init_atoms")
def test_init_atoms_normalises_the_columns(rng):
    a = rng.standard_normal((16, 8)) * 3
    with sc.DictionaryLearner(16, 8) as d:
        d.init_atoms(a)
        assert np.allclose(d.atoms, a / np.linalg.norm(a, axis=0), atol=1e-6)


@needs("sc_dictionary_save")
def test_save_and_load_resume_bit_for_bit(patches, tmp_path):
    path = str(tmp_path / "d.scd")
    with sc.DictionaryLearner(16, 8, lam=0.1) as d:
        d.init_data(patches, seed=2)
        d.step(patches[:50])
        d.save(path)
        with sc.DictionaryLearner.load(path) as e:
            assert (e.n_inputs, e.n_atoms) == (16, 8)
            assert np.array_equal(e.atoms, d.atoms)
            assert e.params() == d.params()
            assert e.step(patches[50:100]) == d.step(patches[50:100])
            assert np.array_equal(e.atoms, d.atoms)
