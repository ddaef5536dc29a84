"""Hogwild! on the sparse regression: the surface (its data, supports and κ), the core
against a plain loop of the stated interleaving, one worker as serial SGD, the measured
sparse-against-dense claim, and the section of the Workers page (AppTest)."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import optim_core
import surfaces
from optim_core.batches import batch_indices
from optim_core.hogwild import (
    compare,
    example_stream,
    floor,
    gradients_to,
    run_hogwild,
    serial_sgd,
)
from surfaces.data import condition_number

SPARSE = surfaces.get("sparse_regression")
DENSE = surfaces.get("sparse_regression", density=1.0)


# ---------------------------------------------------------------- the surface


@pytest.mark.parametrize(("density", "n", "dense"), [(0.0, 40, 0), (1.0, 40, 40), (0.5, 40, 20),
                                                     (0.25, 7, 2), (0.0, 2, 0), (1.0, 2, 2)])
def test_the_density_is_the_share_of_examples_touching_both_weights(density, n, dense):
    data = surfaces.get("sparse_regression", n=n, density=density, seed=3).data
    touches = data.support.sum(axis=1)
    assert np.all(touches >= 1) and int(np.sum(touches == 2)) == dense
    # each weight is touched, the sparse examples split between them alternately
    assert np.all(data.support.any(axis=0))
    assert abs(int(np.sum(touches == 1) & 1) - 0) <= 1
    one = touches == 1
    assert abs(int(np.sum(data.support[one, 0])) - int(np.sum(data.support[one, 1]))) <= 1
    # the support is where the inputs are not zero: x = (a, 0), (0, a) or (a, b)
    np.testing.assert_array_equal(data.support, data.inputs != 0)
    assert np.all(np.abs(data.inputs[data.support]) >= 0.5)


def test_the_loss_is_the_mean_of_the_examples_squared_errors():
    for surface in (SPARSE, DENSE, surfaces.get("sparse_regression", n=9, seed=5, density=0.4)):
        data = surface.data
        for w in np.random.default_rng(0).uniform(-3, 3, (5, 2)).tolist():
            plain = sum((w[0] * x[0] + w[1] * x[1] - y) ** 2
                        for x, y in zip(data.inputs.tolist(), data.targets.tolist(),
                                        strict=True)) / data.n  # fmt: skip
            assert float(surface.f(w)) == pytest.approx(plain, rel=1e-12)
            np.testing.assert_allclose(data.example_loss(np.array(w)),
                                       (data.inputs @ w - data.targets) ** 2, rtol=1e-12)
            assert float(data.batch_loss(np.array(w), np.arange(data.n))) == pytest.approx(
                plain, rel=1e-12)


@settings(max_examples=30, deadline=None)
@given(u=st.floats(-4, 4), v=st.floats(-4, 4), i=st.integers(0, 39), density=st.sampled_from(
    [0.0, 0.5, 1.0]))
def test_each_examples_gradient_matches_differences_and_is_zero_off_its_support(u, v, i,
                                                                               density):
    data = surfaces.get("sparse_regression", density=density).data
    w = np.array([[u, v]])
    g = data.example_grads(w, np.array([i]))[0]
    h = 1e-6
    for k in range(2):
        e = np.zeros(2)
        e[k] = h
        numeric = (data.example_loss(w[0] + e)[i] - data.example_loss(w[0] - e)[i]) / (2 * h)
        assert g[k] == pytest.approx(numeric, rel=1e-5, abs=1e-6)
    assert np.all(g[~data.support[i]] == 0)
    # the same arithmetic as a batch of one, bit for bit
    np.testing.assert_array_equal(g, data.batch_grad(w, np.array([i]))[0])


def test_example_gradients_take_k_examples_at_k_points_in_one_call():
    data = SPARSE.data
    rng = np.random.default_rng(1)
    w, index = rng.uniform(-3, 3, (16, 2)), rng.integers(0, 40, 16)
    got = data.example_grads(w, index)
    for k in range(16):
        np.testing.assert_array_equal(got[k], data.batch_grad(w[k:k + 1], index[k:k + 1])[0])
    full = data.batch_grad(w, np.arange(40))
    np.testing.assert_allclose(full, SPARSE.grad(w), rtol=1e-12, atol=1e-12)


def test_kappa_as_stated_and_gauss_newton_runs_on_the_residuals():
    assert condition_number(SPARSE) == pytest.approx(4.64, abs=0.01)
    assert condition_number(DENSE) == pytest.approx(4.28, abs=0.01)
    assert "κ = 4.6" in SPARSE.description
    # at density 0 the Hessian is diagonal: each weight curves by its own examples alone
    assert SPARSE.hessian(np.zeros(2))[0, 1] == 0
    run = optim_core.run("gauss_newton", SPARSE, SPARSE.default_start, 3)
    np.testing.assert_allclose(run.final_point, SPARSE.minimizers[0], atol=1e-12)


@pytest.mark.parametrize("bad", [{"density": -0.1}, {"density": 1.5}, {"n": 1}, {"seed": 0.5}])
def test_a_bad_surface_parameter_is_named(bad):
    key = next(iter(bad))
    with pytest.raises(ValueError, match=f"sparse_regression parameter {key} must be"):
        surfaces.get("sparse_regression", **bad)


# ---------------------------------------------------------------- the interleaving, plainly


def plain_hogwild(surface, start, rounds, workers, lr, seed, lag=0):
    """The module's interleaving, event by event in Python floats: the writes of a round
    in the order of their keys, each worker's read right after its own last write."""
    data = surface.data
    stream = [int(b[0]) for b in itertools.islice(batch_indices(data.n, 1, seed),
                                                  workers * rounds)]  # fmt: skip
    keys = np.random.default_rng([seed, 4]).random((rounds, workers, 2)).tolist()
    x, version = [float(c) for c in start], [0, 0]
    made = {0: [(list(x), [0, 0]) for _ in range(workers)]}
    path, reads, conflicts = [list(x)], [], []
    for r in range(1, rounds + 1):
        read = made[max(0, r - 1 - lag)]
        grads, events, last = [], [], {}
        for k in range(workers):
            e = stream[(r - 1) * workers + k]
            a, y = data.inputs[e].tolist(), float(data.targets[e])
            sup = [v for v in range(2) if data.support[e, v]]
            xhat = read[k][0]
            residual = sum(xhat[v] * a[v] for v in sup) - y
            grads.append([2 * (residual * a[v]) for v in range(2)])
            for v in sup:
                events.append((keys[r - 1][k][v], k, v))
            last[k] = max(keys[r - 1][k][v] for v in sup)
        made[r] = [None] * workers
        hits = [0] * workers
        for key, k, v in sorted(events):
            hits[k] += version[v] != read[k][1][v]
            x[v] = x[v] - lr * grads[k][v]
            version[v] += 1
            if key == last[k]:
                made[r][k] = (list(x), list(version))
        path.append(list(x))
        reads.append([read[k][0] for k in range(workers)])
        conflicts.append(hits)
    return np.array(path), np.array(reads), np.array(conflicts), np.array(
        [m[0] for m in made[rounds]])


@pytest.mark.parametrize(("density", "workers", "lag", "seed"),
                         [(0.0, 4, 0, 0), (1.0, 4, 0, 1), (0.5, 7, 0, 2), (0.0, 16, 0, 3),
                          (1.0, 3, 2, 4), (0.3, 1, 0, 5), (0.6, 5, 1, 6)])  # fmt: skip
def test_the_run_is_the_plain_loop_of_its_interleaving(density, workers, lag, seed):
    surface = surfaces.get("sparse_regression", density=density, n=23, seed=seed)
    start = surface.default_start
    got = run_hogwild(surface, start, 60, workers=workers, lr=0.02, seed=seed, lag=lag)
    path, reads, conflicts, last = plain_hogwild(surface, start, 60, workers, 0.02, seed, lag)
    np.testing.assert_array_equal(got.path, path)
    np.testing.assert_array_equal(got.reads, reads)
    np.testing.assert_array_equal(got.conflicts, conflicts)
    np.testing.assert_array_equal(got.last_read, last)
    assert got.gradients == 60 * workers and not got.diverged
    np.testing.assert_array_equal(got.writes, surface.data.support[got.examples].sum(axis=2))


@pytest.mark.parametrize("density", [0.0, 0.5, 1.0])
@pytest.mark.parametrize("seed", [0, 7])
def test_one_worker_is_serial_sgd_with_batch_size_1_bit_for_bit(density, seed):
    surface = surfaces.get("sparse_regression", density=density)
    got = run_hogwild(surface, surface.starts[1], 500, workers=1, lr=0.03, seed=seed)
    sgd = optim_core.run("sgd", surface, surface.starts[1], 500, lr=0.03, batch_size=1,
                         seed=seed)  # fmt: skip
    np.testing.assert_array_equal(got.path, sgd.path)
    assert got.conflict_count == 0
    np.testing.assert_array_equal(got.examples[:, 0], [b[0] for b in sgd.taken])
    # and serial_sgd is that run, for any K: the same examples in the same order
    many = run_hogwild(surface, surface.starts[1], 50, workers=6, lr=0.03, seed=seed)
    serial = serial_sgd(many)
    np.testing.assert_array_equal(many.examples.ravel(), [b[0] for b in serial.taken])


@pytest.mark.parametrize("lag", [1, 3])
def test_one_worker_with_a_lag_is_delayed_sgd(lag):
    got = run_hogwild(DENSE, DENSE.default_start, 300, workers=1, lr=0.02, seed=2, lag=lag)
    delayed = optim_core.run("sgd", DENSE, DENSE.default_start, 300, lr=0.02, batch_size=1,
                             seed=2, delay=lag)  # fmt: skip
    np.testing.assert_array_equal(got.path, delayed.path)
    assert got.conflict_count > 0  # its own writes in flight changed what it read


def test_the_example_stream_is_batch_size_ones():
    for n, count, seed in ((40, 130, 0), (7, 7, 3), (5, 1, 9)):
        plain = [int(b[0]) for b in itertools.islice(batch_indices(n, 1, seed), count)]
        np.testing.assert_array_equal(example_stream(n, count, seed), plain)


def test_the_same_seed_gives_the_same_run_and_another_seed_another():
    a = run_hogwild(SPARSE, SPARSE.default_start, 80, workers=8, lr=0.02, seed=5)
    b = run_hogwild(SPARSE, SPARSE.default_start, 80, workers=8, lr=0.02, seed=5)
    c = run_hogwild(SPARSE, SPARSE.default_start, 80, workers=8, lr=0.02, seed=6)
    np.testing.assert_array_equal(a.path, b.path)
    np.testing.assert_array_equal(a.conflicts, b.conflicts)
    assert not np.array_equal(a.path, c.path)
    assert not a.path.flags.writeable


def test_a_diverging_run_is_recorded_and_frozen():
    got = run_hogwild(DENSE, DENSE.default_start, 200, workers=16, lr=0.05, seed=0)
    assert got.diverged and 0 < got.diverged_step < 200
    frozen = got.path[got.diverged_step:]
    assert np.all(frozen == frozen[0])
    assert got.gradients == 16 * got.diverged_step
    assert got.conflict_count <= got.write_count == int(got.writes[:got.diverged_step].sum())


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"steps": 0}, r"steps must be an integer in \[1, 20000\]; got 0"),
    ({"workers": 17}, r"workers must be an integer in \[1, 16\]; got 17"),
    ({"workers": 2.0}, r"workers must be an integer"),
    ({"lr": -0.1}, r"lr must be a finite number in \[0, inf\]; got -0.1"),
    ({"lr": float("nan")}, r"lr must be a finite number"),
    ({"seed": -1}, r"seed must be an integer"),
    ({"lag": 101}, r"lag must be an integer in \[0, 100\]; got 101"),
    ({"start": (1.0, 2.0, 3.0)}, r"start must be one finite point \(2,\)"),
    ({"start": (np.inf, 0.0)}, r"start must be one finite point"),
    ({"surface": "linear_regression"}, r"surface: Hogwild! needs examples that declare their "
                                       r"support \(sparse_regression\); linear_regression"),
    ({"surface": "rosenbrock"}, r"rosenbrock does not"),
])  # fmt: skip
def test_bad_arguments_are_named_before_any_work(kwargs, message):
    args = {"surface": SPARSE, "start": (0.0, 0.0), "steps": 10, **kwargs}
    with pytest.raises(ValueError, match=message):
        run_hogwild(args.pop("surface"), args.pop("start"), args.pop("steps"), **args)


def test_the_measures():
    excess = np.array([5.0, 1.0, 0.3, 0.2, 0.4, 0.1, 0.3, 0.1])
    assert gradients_to(excess, np.arange(8) * 4, 0.3) == 8
    assert gradients_to(excess, np.arange(8) * 4, 0.01) == -1
    assert floor(excess) == pytest.approx(0.2)  # the last quarter: 0.3 and 0.1
    with pytest.raises(ValueError, match=r"gradients must be an integer in \[4, 80000\]"):
        compare(SPARSE, (0.0, 0.0), 3, workers=4)


# ---------------------------------------------------------------- the claim, measured

FLOORS = {}  # (density, K) -> Comparison, at α 0.01 over 4,000 gradients (the page's default)


def _comparison(density, K):
    if (density, K) not in FLOORS:
        surface = SPARSE if density == 0 else DENSE
        FLOORS[density, K] = compare(surface, surface.default_start, 4000, workers=K, lr=0.01)
    return FLOORS[density, K]


@pytest.mark.parametrize("K", [2, 4, 8, 16])
def test_sparse_examples_lose_less_to_the_races_than_dense_ones(K):
    sparse, dense = _comparison(0.0, K), _comparison(1.0, K)
    # the races: a sparse write collides with about half the others, a dense one with all
    assert sparse.run.conflict_count / sparse.run.write_count < (
        dense.run.conflict_count / dense.run.write_count)
    assert 1.0 < sparse.floor_ratio < dense.floor_ratio
    # both reach twice serial SGD's floor about as soon (within 10 % and a round): at
    # this α the races cost a higher floor, not a slower descent
    for c in (sparse, dense):
        assert 0 < c.to_tol <= 1.1 * c.serial_to_tol + K


def test_the_measured_figures_of_the_report():
    """Density 0: within 12 % of serial SGD's floor for K ≤ 4, 1.66× at K = 16; density 1:
    1.22× at K = 4 and 2.49× at K = 16 (α 0.01, 4,000 gradients, seed 0)."""
    ratios = {(d, K): round(_comparison(d, K).floor_ratio, 2) for d in (0.0, 1.0)
              for K in (2, 4, 8, 16)}  # fmt: skip
    assert ratios == {(0.0, 2): 1.05, (0.0, 4): 1.11, (0.0, 8): 1.36, (0.0, 16): 1.66,
                      (1.0, 2): 1.06, (1.0, 4): 1.22, (1.0, 8): 1.64, (1.0, 16): 2.49}


# ---------------------------------------------------------------- the figure and the section


def test_the_running_mean_is_a_plain_windowed_mean():
    from viz.hogwild import running_mean

    values = np.arange(1.0, 51.0)  # 50 values: a window of 2
    got = running_mean(values)
    plain = [values[max(0, i - 1):i + 1].mean() for i in range(50)]
    np.testing.assert_allclose(got, plain, rtol=1e-14)
    np.testing.assert_array_equal(running_mean(np.array([3.0, 4.0])), [3.0, 4.0])


def _section(query=None):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file("hogwild_page_script.py", default_timeout=120)
    for key, value in (query or {}).items():
        at.query_params[key] = value
    return at.run()


def test_the_section_shows_the_measured_comparison():
    at = _section()
    assert not at.exception
    assert at.slider(key="workers.hogwild.k").value == 4
    sparse, dense = _comparison(0.0, 4), _comparison(1.0, 4)
    words = at.markdown[0].value
    assert words.startswith("With K = 4 workers at α = 0.01, over 4,000 gradients:")
    assert (f"on the sparse (density 0) data Hogwild! ends on a floor "
            f"{sparse.floor_ratio:.2f}× serial SGD's") in words
    assert f"dense (density 1) data Hogwild! ends on a floor {dense.floor_ratio:.2f}×" in words
    assert "the sparse examples lose 1.11× where the dense ones lose 1.22×." in words
    rows = at.dataframe[0].value
    assert list(rows["method"]) == ["Hogwild!, K = 4", "serial SGD, batch 1"] * 2
    share = sparse.run.conflict_count / sparse.run.write_count
    assert rows["conflicts"][0] == (f"{sparse.run.conflict_count:,} of "
                                    f"{sparse.run.write_count:,} writes ({share:.0%})")
    assert rows["gradients to tol"][1] == f"{sparse.serial_to_tol:,}"
    assert any("Simulated workers: K workers in one process on a seeded schedule" in c.value
               for c in at.caption)  # fmt: skip
    assert at.query_params["hw_k"] == "4"


def test_the_link_sets_the_section_and_bad_values_are_named():
    at = _section({"hw_k": "1", "hw_density": "0.5", "hw_lr": "0.04", "hw_steps": "300",
                   "hw_seed": "x"})  # fmt: skip
    assert not at.exception
    assert at.slider(key="workers.hogwild.k").value == 1
    assert at.slider(key="workers.hogwild.density").value == 0.5
    warnings = " ".join(w.value for w in at.warning)
    assert "hw_lr = ` 0.04 ` in the link is not one of the slider's values; using the " \
           "nearest, 0.05." in warnings
    assert "hw_seed = ` x ` in the link is not an integer in [0, 99]; using 0." in warnings
    # one worker: no race at all, the floor exactly serial SGD's
    words = at.markdown[0].value
    assert "ends on a floor 1.00× serial SGD's" in words and "0% of its writes" in words
    rows = at.dataframe[0].value
    assert rows["conflicts"][0].startswith("0 of ") and rows["conflicts"][0].endswith("(0%)")
    assert rows["floor f − f*"][0] == rows["floor f − f*"][1]


def test_a_diverging_dense_run_is_said_to():
    at = _section({"hw_k": "16", "hw_lr": "0.05", "hw_steps": "4000"})
    assert not at.exception
    words = at.markdown[0].value
    assert "on the dense (density 1) data Hogwild! diverged after" in words
    assert "(diverged)" in at.dataframe[0].value["gradients to tol"][2]
