"""The landscape of a network (optim_core.landscape): the three planes, the projection
and its honesty (distance from the plane), the loss over the plane, the sharpness."""

import numpy as np
import pytest

import optim_core
import surfaces
from optim_core import landscape


@pytest.fixture(scope="module")
def trained():
    net = surfaces.network("moons", hidden=(8,), n=80)
    run = optim_core.run("adam", net, net.init_params(), 150, lr=0.05)
    return net, run


def test_the_pca_plane_contains_theta_star_and_explains_the_variance_it_says(trained):
    from sklearn.decomposition import PCA

    net, run = trained
    star = run.final_point
    plane = landscape.plane(net, "pca", star, run.path)
    assert np.allclose(plane.points([0.0, 0.0]), star)
    assert plane.distance(star) == pytest.approx(0.0, abs=1e-12)
    np.testing.assert_allclose(plane.directions @ plane.directions.T, np.eye(2), atol=1e-12)
    reference = PCA(n_components=2).fit(run.path - star)
    np.testing.assert_allclose(plane.explained, reference.explained_variance_ratio_, rtol=1e-9)
    np.testing.assert_allclose(np.abs(plane.directions @ reference.components_.T), np.eye(2),
                               atol=1e-8)  # the same directions, up to sign  # fmt: skip
    # the start lies on the negative side of both axes (the paths run up and right)
    assert np.all(plane.coordinates(run.path[0]) <= 0)


def test_projected_start_and_end_are_where_they_should_be(trained):
    net, run = trained
    star = run.final_point
    for kind in landscape.KINDS:
        plane = landscape.plane(net, kind, star, run.path, seed=2)
        ab = plane.coordinates(run.path)
        np.testing.assert_allclose(ab[-1], [0.0, 0.0], atol=1e-12)  # the end is θ*
        # the start: its projection plus what is left is the start again
        rest = run.path[0] - plane.points(ab[0])
        assert np.linalg.norm(rest) == pytest.approx(plane.distance(run.path[0]), rel=1e-12)
        assert np.abs(plane.directions @ rest).max() < 1e-9 * np.linalg.norm(run.path[0])
    pca = landscape.plane(net, "pca", star, run.path)
    ab, d = pca.coordinates(run.path[0]), pca.distance(run.path[0])
    # orthonormal directions: Pythagoras
    assert np.sum(ab**2) + d**2 == pytest.approx(np.sum((run.path[0] - star) ** 2), rel=1e-12)


def test_filter_normalization_gives_each_row_the_norm_of_theta_stars_row(trained):
    net, run = trained
    star = run.final_point
    plane = landscape.plane(net, "random", star, seed=7)
    for d in plane.directions:
        for (w_dir, b_dir), (w_star, _) in zip(net.unpack(d), net.unpack(star), strict=True):
            np.testing.assert_allclose(np.linalg.norm(w_dir, axis=1),
                                       np.linalg.norm(w_star, axis=1), rtol=1e-12)  # fmt: skip
            assert np.all(b_dir == 0.0)
    again = landscape.plane(net, "random", star, seed=7)
    np.testing.assert_array_equal(again.directions, plane.directions)  # seeded
    other = landscape.plane(net, "random", star, seed=8)
    assert not np.allclose(other.directions, plane.directions)


def test_the_hessian_plane_is_the_top_two_eigenvectors(trained):
    net, run = trained
    star = run.final_point
    values, vectors = np.linalg.eigh(net.hessian(star))
    plane = landscape.plane(net, "hessian", star)
    np.testing.assert_allclose(plane.eigenvalues, values[::-1][:2], rtol=1e-7)
    np.testing.assert_allclose(np.abs(plane.directions @ vectors[:, ::-1][:, :2]), np.eye(2),
                               atol=1e-5)  # fmt: skip


def test_sharpness_is_the_top_eigenvalue_and_an_honest_trace_estimate(trained):
    net, run = trained
    star = run.final_point
    h = net.hessian(star)
    s = landscape.sharpness(net, star, samples=400, seed=1)
    assert s.top == pytest.approx(np.linalg.eigvalsh(h)[-1], rel=1e-7)
    assert abs(s.trace - np.trace(h)) <= 4 * s.trace_error
    assert s.trace_error > 0 and s.samples == 400


def test_the_loss_over_the_plane_is_the_loss_at_its_points(trained):
    net, run = trained
    plane = landscape.plane(net, "pca", run.final_point, run.path)
    domain = landscape.extent_of(plane, [run.path])
    a, b, loss = landscape.plane_grid(net, plane, domain, resolution=51)
    assert loss.shape == (51, 51)
    for j, i in [(0, 0), (10, 40), (50, 50)]:
        assert loss[j, i] == pytest.approx(net.loss(plane.points([a[i], b[j]])), rel=1e-13)
    # the box holds the whole projected path
    ab = plane.coordinates(run.path)
    (a0, a1), (b0, b1) = domain
    assert a0 < ab[:, 0].min() and ab[:, 0].max() < a1 and b0 < ab[:, 1].min() < b1
    surface = landscape.plane_surface(net, plane, domain)
    point = np.array([0.3 * a0, 0.2 * b1])
    h = 1e-6
    numeric = [(surface.f(point + e) - surface.f(point - e)) / (2 * h) for e in np.eye(2) * h]
    np.testing.assert_allclose(surface.grad(point), numeric, rtol=1e-6)
    assert surface.f(np.zeros(2)) == pytest.approx(run.final_loss, rel=1e-13)


def test_bad_landscape_input_says_what_is_allowed(trained):
    net, run = trained
    star = run.final_point
    with pytest.raises(ValueError, match=r"kind must be one of \['pca', 'random', 'hessian'\]"):
        landscape.plane(net, "svd", star, run.path)
    with pytest.raises(ValueError, match=r"path must be a trajectory shaped \(steps \+ 1, "):
        landscape.plane(net, "pca", star)
    with pytest.raises(ValueError, match=r"origin must be \d+ finite weights"):
        landscape.plane(net, "random", star[:3])
    with pytest.raises(ValueError, match=r"resolution must be an integer in \[2, 51\]; got 52"):
        landscape.plane_grid(net, landscape.plane(net, "random", star), ((-1, 1), (-1, 1)), 52)
    with pytest.raises(ValueError, match=r"samples must be an integer in \[2, 1000\]"):
        landscape.sharpness(net, star, samples=1)


def test_a_projection_keeps_the_true_loss_and_says_where_it_left_the_grid(trained):
    net, run = trained
    plane = landscape.plane(net, "pca", run.final_point, run.path)
    domain = landscape.extent_of(plane, [run.path[-60:]])  # the box of the last 60 steps
    surface = landscape.plane_surface(net, plane, domain)
    p = landscape.project(run, plane, surface)
    np.testing.assert_array_equal(p.trajectory.loss, run.loss)  # the run's own loss
    np.testing.assert_allclose(p.trajectory.path, plane.coordinates(run.path), atol=1e-12)
    np.testing.assert_allclose(p.distance, plane.distance(run.path), atol=1e-12)
    assert p.plane_steps[0] == 0 and p.plane_steps[-1] == run.steps
    assert len(p.plane_steps) == min(run.steps + 1, landscape.PLANE_LOSS_POINTS)
    k = p.plane_steps[7]
    assert p.plane_loss[7] == pytest.approx(net.loss(plane.points(p.trajectory.path[k])),
                                            rel=1e-12)  # fmt: skip
    (a0, a1), (b0, b1) = domain
    ab = p.trajectory.path
    outside = (ab[:, 0] < a0) | (ab[:, 0] > a1) | (ab[:, 1] < b0) | (ab[:, 1] > b1)
    assert outside[0] and p.left_grid == np.flatnonzero(outside)[0] == 0
    inside = landscape.project(run, plane, landscape.plane_surface(
        net, plane, landscape.extent_of(plane, [run.path])))  # fmt: skip
    assert inside.left_grid == -1
    # where the path is off the plane, the plane's loss under it is not its loss
    far = np.argmax(p.distance[p.plane_steps])
    assert abs(p.plane_loss[far] - run.loss[p.plane_steps[far]]) > 1e-3
