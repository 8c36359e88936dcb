# SPDX-License-Identifier: BSD-2-Clause
"""Every shape and dtype mistake raises ValueError naming the argument and
the expected shape, before any C call (the library function is replaced by
one that fails the test if called), and leaves the model unchanged."""
import numpy as np
import pytest

import sparsecode as sc
from sparsecode import _lib


@pytest.fixture
def forbid(monkeypatch):
    """forbid(name, ...): calling those library functions fails the test."""
    def install(*names):
        for name in names:
            def called(*args, _name=name):
                raise AssertionError("%s was called" % _name)
            monkeypatch.setattr(_lib, name, called)
    return install


def refused(call, *words):
    """Runs call(), which must raise a ValueError (not a library error)
    whose message holds every word."""
    with pytest.raises(ValueError) as e:
        call()
    assert not isinstance(e.value, sc.SparseCodeError)
    for w in words:
        assert w in str(e.value), (w, str(e.value))


# (description, call on a model with n=16, k=8, 3 classes, C functions
#  that must not run, words the message must hold)
def model_mistakes(data, labels):
    x = data
    return [
        ("encode: n mismatch (the issue's example)",
         lambda m: m.encode(np.zeros((128, 32), np.float32)),
         ["sc_model_encode"], ["x", "(batch, 16)", "(128, 32)"]),
        ("encode: 1-D", lambda m: m.encode(x[0]), ["sc_model_encode"],
         ["x", "2-D", "(batch, 16)"]),
        ("encode: 3-D", lambda m: m.encode(x.reshape(40, 4, 4)),
         ["sc_model_encode"], ["x", "(batch, 16)"]),
        ("encode: batch 0", lambda m: m.encode(np.zeros((0, 16), np.float32)),
         ["sc_model_encode"], ["x", "(batch, 16)", "(0, 16)"]),
        ("encode: int", lambda m: m.encode(x.astype(np.int32)),
         ["sc_model_encode"], ["x", "int32", "float32"]),
        ("encode: float16", lambda m: m.encode(x.astype(np.float16)),
         ["sc_model_encode"], ["x", "float16"]),
        ("encode: complex", lambda m: m.encode(x.astype(np.complex64)),
         ["sc_model_encode"], ["x", "complex64"]),
        ("encode: list of ints", lambda m: m.encode([[1] * 16]),
         ["sc_model_encode"], ["x", "int"]),
        ("decode: k mismatch", lambda m: m.decode(np.zeros((2, 16), np.float32)),
         ["sc_model_decode"], ["codes", "(batch, 8)", "(2, 16)"]),
        ("predict: n mismatch", lambda m: m.predict(x[:, :8]),
         ["sc_model_predict"], ["x", "(batch, 16)"]),
        ("predict_proba: n mismatch", lambda m: m.predict_proba(x.T),
         ["sc_model_predict"], ["x", "(batch, 16)"]),
        ("step: n mismatch", lambda m: m.step(x[:, :15], labels=labels),
         ["sc_model_step"], ["x", "(batch, 16)"]),
        ("step: labels too short", lambda m: m.step(x, labels=labels[:39]),
         ["sc_model_step"], ["labels", "(40,)", "(39,)"]),
        ("step: labels 2-D", lambda m: m.step(x, labels=labels.reshape(40, 1)),
         ["sc_model_step"], ["labels", "(40,)"]),
        ("step: float labels", lambda m: m.step(x, labels=labels.astype(float)),
         ["sc_model_step"], ["labels", "float64", "integer"]),
        ("step: labels beyond int32",
         lambda m: m.step(x, labels=labels.astype(np.int64) + 2 ** 40),
         ["sc_model_step"], ["labels", "int32"]),
        ("step: labels missing with class_weight > 0", lambda m: m.step(x),
         ["sc_model_step"], ["labels", "class_weight", "(40,)"]),
        ("gradient: labels missing", lambda m: m.gradient(x),
         ["sc_model_gradient_compute"], ["labels", "class_weight"]),
        ("step: targets shape", lambda m: m.step(x, labels, np.zeros((40, 9))),
         ["sc_model_step"], ["targets", "(40, 8)", "(40, 9)"]),
        ("evaluate: labels length", lambda m: m.evaluate(x, labels=labels[:3]),
         ["sc_model_evaluate"], ["labels", "(40,)"]),
        ("init_dictionary: transposed", lambda m: m.init_dictionary(np.ones((8, 16))),
         ["sc_model_init_dictionary"], ["dictionary", "(16, 8)", "(8, 16)"]),
        ("init_data: n mismatch", lambda m: m.init_data(np.ones((5, 17))),
         ["sc_model_init_data"], ["x", "(batch, 16)"]),
        ("gradient: n mismatch", lambda m: m.gradient(x[:, 1:], labels),
         ["sc_model_gradient_compute"], ["x", "(batch, 16)"]),
        ("apply_gradient: length",
         lambda m: m.apply_gradient(np.zeros(m.gradient_size + 1, np.float32)),
         ["sc_model_gradient_apply"], ["gradient"]),
        ("apply_gradient: count 0",
         lambda m: m.apply_gradient(np.zeros(m.gradient_size, np.float32), 0),
         ["sc_model_gradient_apply"], ["count"]),
        ("weights: unknown name", lambda m: m.weights("bias"),
         ["sc_model_weights"], ["bias", "encoder"]),
        ("set: unknown shrink", lambda m: m.set(shrink="tanh"),
         ["sc_model_set"], ["shrink", "tanh", "relu", "soft"]),
        ("set: text for a number", lambda m: m.set(l1_weight="high"),
         ["sc_model_set"], ["l1_weight", "high"]),
    ]


def test_model_mistakes_are_refused_before_any_c_call(model, data, labels,
                                                      forbid, monkeypatch):
    for what, mistake, functions, words in model_mistakes(data, labels):
        before, steps = model.to_bytes(), model.steps_taken
        with monkeypatch.context() as mp:
            for name in functions:
                mp.setattr(_lib, name, lambda *a, _n=name: pytest.fail(
                    "%s: %s was called" % (what, _n)))
            refused(lambda: mistake(model), *words)
        assert model.to_bytes() == before, what
        assert model.steps_taken == steps, what


def test_solver_mistakes_are_refused_before_any_c_call(rng, forbid):
    d = rng.standard_normal((16, 24))
    refused(lambda: sc.Solver(d[0]), "dictionary", "2-D")
    refused(lambda: sc.Solver(d.astype(np.int64)), "dictionary", "int64")
    refused(lambda: sc.Solver(np.zeros((0, 4))), "dictionary")
    with sc.Solver(d) as s:
        forbid("sc_solver_run", "sc_solver_run_from", "sc_solver_path",
               "sc_solver_objective", "sc_solver_set")
        x = rng.standard_normal((3, 16))
        refused(lambda: s.encode(x[:, :12]), "x", "(batch, 16)", "(3, 12)")
        refused(lambda: s.encode_from(x, np.zeros((3, 23))), "start", "(3, 24)")
        refused(lambda: s.objective(x, np.zeros((2, 24))), "codes", "(3, 24)")
        refused(lambda: s.path(x), "x", "(16,)", "(3, 16)")
        refused(lambda: s.path(x[0], max_knots=0), "max_knots")
        refused(lambda: s.set(method="newton"), "method", "newton", "cd_active")


def test_dictionary_mistakes_are_refused_before_any_c_call(rng, forbid):
    with sc.DictionaryLearner(16, 8) as d:
        forbid("sc_dictionary_init_data", "sc_dictionary_init_atoms",
               "sc_dictionary_step", "sc_dictionary_objective")
        refused(lambda: d.init_data(np.ones((4, 15))), "x", "(batch, 16)")
        refused(lambda: d.init_atoms(np.ones((8, 16))), "atoms", "(16, 8)")
        refused(lambda: d.step(np.ones((4, 16), np.int8)), "x", "int8")
        refused(lambda: d.objective(np.ones(16)), "x", "2-D")


def test_float64_is_converted_and_strided_views_are_copied(model, data):
    # float64 gives what its float32 rounding gives; a transposed or
    # strided view gives what the contiguous array gives.
    expected = model.encode(data)
    assert np.array_equal(model.encode(data.astype(np.float64)), expected)
    fortran = np.asfortranarray(data)
    assert not fortran.flags.c_contiguous
    assert np.array_equal(model.encode(fortran), expected)
    wide = np.zeros((40, 32), np.float32)
    wide[:, ::2] = data
    assert np.array_equal(model.encode(wide[:, ::2]), expected)
    # the caller's arrays are not touched
    assert fortran.flags.f_contiguous and not fortran.flags.c_contiguous


def test_integer_labels_of_any_width_are_converted(data, labels):
    a = sc.Model(16, 8, classes=3, class_weight=1)
    a.init_random(5)
    b = a.clone()
    sa = a.step(data, labels=labels.astype(np.uint8))
    sb = b.step(data, labels=labels.astype(np.int64))
    assert sa == sb
    assert a.to_bytes() == b.to_bytes()


def test_missing_targets_with_regression_weight_are_refused(data, forbid):
    m = sc.Model(16, 8, regression_weight=1)
    m.init_random(1)
    forbid("sc_model_step")
    refused(lambda: m.step(data), "targets", "regression_weight", "(40, 8)")


def test_messages_name_free_sizes(rng, forbid):
    # a solver's dictionary may have any size: the message names them
    refused(lambda: sc.Solver(np.ones((3, 4, 5))), "dictionary", "(n, k)")
