# SPDX-License-Identifier: BSD-2-Clause
"""Model: parameters by name, save/load and bytes identity, clones,
evaluate, weights, the gradient interface and local models."""
import numpy as np
import pytest

import sparsecode as sc

from conftest import make_data, needs


def test_parameters_by_name_and_enum_values_by_name():
    m = sc.Model(16, 8, iterations=4, shrink="soft", encoder="lcod",
                 group_layout="contiguous", group_size=2, optimizer="adam",
                 l1_weight=0.02, normalize_code=False)
    assert m.get("iterations") == 4
    assert m.get("shrink") == "soft"
    assert m.get("encoder") == "lcod"
    assert m.get("group_layout") == "contiguous"
    assert m.get("optimizer") == "adam"
    assert m.get("normalize_code") == 0
    assert m.get("l1_weight") == pytest.approx(0.02)
    params = m.params()
    assert set(params) == set(sc.Model.param_names())
    assert params["group_size"] == 2
    lo, hi = sc.Model.param_bounds("iterations")
    assert lo == 1 and hi >= 11


def test_save_and_load_encode_bit_for_bit(model, data, tmp_path):
    path = str(tmp_path / "m.scm")
    model.save(path)
    with sc.Model.load(path) as loaded:
        assert loaded.to_bytes() == model.to_bytes()
        assert np.array_equal(loaded.encode(data), model.encode(data))
        assert loaded.steps_taken == model.steps_taken
        assert loaded.params() == {**model.params(), "threads": loaded.get("threads")}


def test_inference_file_encodes_identically_and_is_smaller(model, data, tmp_path):
    path = tmp_path / "inference.scm"
    model.save(str(path), inference=True)
    assert path.read_bytes() == model.to_bytes(inference=True)
    assert len(model.to_bytes(inference=True)) < len(model.to_bytes())
    with sc.Model.load(str(path)) as loaded:
        assert np.array_equal(loaded.encode(data), model.encode(data))
        assert np.array_equal(loaded.predict_proba(data), model.predict_proba(data))


def test_bytes_round_trip_resumes_training_bit_for_bit(model, data, labels):
    copy = sc.Model.from_bytes(model.to_bytes())
    assert copy.to_bytes() == model.to_bytes()
    sa = model.step(data, labels=labels)
    sb = copy.step(data, labels=labels)
    assert sa == sb
    assert copy.to_bytes() == model.to_bytes()
    assert isinstance(sc.Model.from_bytes(bytearray(model.to_bytes())), sc.Model)


def test_clone_is_independent_and_trains_identically(model, data, labels):
    twin = model.clone()
    assert twin.to_bytes() == model.to_bytes()
    twin.step(data, labels=labels)
    assert twin.to_bytes() != model.to_bytes()
    model.step(data, labels=labels)
    assert twin.to_bytes() == model.to_bytes()
    fresh = sc.Model(4, 2).clone()
    assert not fresh.initialized


@needs("sc_model_evaluate")
def test_evaluate_reports_what_the_next_step_reports(model, data, labels):
    before = model.to_bytes()
    evaluated = model.evaluate(data, labels=labels)
    assert model.to_bytes() == before
    assert model.step(data, labels=labels) == evaluated
    assert 0 <= evaluated.active_fraction <= 1
    assert evaluated.classification > 0


def test_decode_is_the_decoder_times_the_codes(model, data):
    z = model.encode(data)
    wd = model.weights("decoder").astype(np.float64)
    assert model.decode(z) == pytest.approx(z.astype(np.float64) @ wd.T,
                                            abs=1e-5)


def test_predict_labels_are_the_argmax_of_the_probabilities(model, data):
    labels, probs = model.predict(data, probs=True)
    assert labels.dtype == np.int32 and probs.shape == (40, 3)
    assert np.array_equal(labels, np.argmax(probs, axis=1))
    assert np.array_equal(model.predict(data), labels)
    assert np.allclose(probs.sum(axis=1), 1, atol=1e-5)


def test_weights_are_read_only_copies_with_the_library_shapes(model):
    shapes = {"encoder": (8, 16), "lateral": (8, 8), "threshold": (8, 1),
              "decoder": (16, 8), "classifier": (3, 8), "class_bias": (3, 1)}
    for name, shape in shapes.items():
        w = model.weights(name)
        assert w.shape == shape and w.dtype == np.float32
        assert not w.flags.writeable
    # decoder columns within the bound
    norms = np.linalg.norm(model.weights("decoder"), axis=0)
    assert np.all(norms <= 1 + 1e-5)
    # a copy: it does not follow later steps
    before = model.weights("decoder")
    model.init_random(9)
    assert not np.array_equal(before, model.weights("decoder"))


def test_init_dictionary_uses_the_given_atoms(rng):
    d = rng.standard_normal((16, 8))
    d /= np.linalg.norm(d, axis=0)
    m = sc.Model(16, 8)
    m.init_dictionary(d)
    assert np.allclose(m.weights("decoder"), d, atol=1e-6)


@needs("sc_model_gradient_compute")
def test_gradient_then_apply_is_the_step_bit_for_bit(model, data, labels):
    twin = model.clone()
    g, stats = model.gradient(data, labels, stats=True)
    assert g.shape == (model.gradient_size,) and g.dtype == np.float32
    model.apply_gradient(g, 1)
    assert twin.step(data, labels=labels) == stats
    assert model.to_bytes() == twin.to_bytes()


@needs("sc_model_gradient_block")
def test_gradient_blocks_tile_the_buffer_in_the_documented_order(model):
    blocks = model.gradient_blocks()
    assert list(blocks) == ["encoder", "lateral", "threshold", "decoder",
                            "classifier", "class_bias"]
    offset = 0
    for name, (start, count) in blocks.items():
        assert start == offset
        assert count == model.weights(name).size
        offset += count
    assert offset == model.gradient_size


@needs("sc_model_gradient_compute")
def test_gradient_leaves_the_weights_and_matches_a_finite_difference(rng):
    # d loss / d theta_j through the public buffer: theta is the only array
    # whose change can be made from Python exactly (through l1_weight at
    # init: theta = alpha lambda), so check the directional derivative
    # along the threshold block of the loss the library reports.
    x = make_data(rng, 20, 16)
    d = rng.standard_normal((16, 8))

    def loss_at(l1):
        m = sc.Model(16, 8, iterations=3, l1_weight=l1, init_step=0.5,
                     shrink="soft")
        m.init_dictionary(d)
        m.set(l1_weight=0.1)      # the loss's lambda stays fixed
        return m

    base = loss_at(0.2)
    g = base.gradient(x).astype(np.float64)
    offset, count = base.gradient_blocks()["threshold"]
    # theta = 0.5 * l1 for every unit: moving l1 by h moves each theta_j
    # by 0.5 h; the batch's mean loss moves by sum_j g_theta_j * 0.5 h
    # (the buffer is the gradient of the mean loss, per docs/gradient.md).
    h = 1e-3
    up = loss_at(0.2 + h).evaluate(x).loss
    down = loss_at(0.2 - h).evaluate(x).loss
    numeric = (up - down) / (2 * h)
    analytic = 0.5 * g[offset:offset + count].sum()
    assert analytic == pytest.approx(numeric, rel=2e-2, abs=1e-4)


@needs("sc_model_local_shape")
def test_local_model_from_image_geometry_keywords(rng):
    m = sc.Model.local((1, 6, 6), field=3, stride=1, maps=2, iterations=2,
                       threads=1)
    assert m.n_inputs == 36
    assert m.n_units == sc.local_units(1, 6, 6, 3, 1, 2) == 4 * 4 * 2
    x = make_data(rng, 10, 36)
    m.init_data(x, seed=4)
    assert m.local_shape() == (4, 4, 2)
    assert m.weights("encoder").shape == (32, 9)
    stats = m.step(x)
    assert np.isfinite(stats.loss)
    z = m.encode(x)
    assert z.shape == (10, 32)
    dense = sc.Model(36, 8)
    dense.init_random(1)
    with pytest.raises(sc.StateError):
        dense.local_shape()


def test_with_block_releases_the_model(data):
    with sc.Model(16, 8) as m:
        m.init_random(1)
        m.encode(data)
    assert m.closed
    assert "closed" in repr(m)


def test_pickle_round_trip_is_the_bytes_round_trip(model, data):
    import pickle
    copy = pickle.loads(pickle.dumps(model))
    assert copy.to_bytes() == model.to_bytes()
    assert np.array_equal(copy.encode(data), model.encode(data))
    with pytest.raises(TypeError):
        pickle.dumps(sc.Model(4, 2))
