"""Tasks and their oracles: objective tasks see true quality, subjective ones a proxy that gaming inflates."""

import numpy as np
import pytest

from taosandbox.tasks import TASKS, get_task

QUALITY = np.array([0.3, 0.5, 0.7])


def mean_scores(task, gaming, rounds=2000, seed=0):
    rng = np.random.default_rng(seed)
    return np.mean([task.observe(QUALITY, gaming, rng) for _ in range(rounds)], axis=0)


def test_catalogue_has_objective_and_subjective_tasks():
    assert {t.objective for t in TASKS.values()} == {True, False}
    for task in TASKS.values():
        assert task.description and task.noise_sd > 0
        assert (task.proxy_gain == 0) == task.objective


@pytest.mark.parametrize("name", ["storage-retrieval", "forecast"])
def test_objective_task_sees_true_quality_and_ignores_gaming(name):
    task = get_task(name)
    honest = mean_scores(task, 0.0)
    gamed = mean_scores(task, np.array([0.5, 0.5, 0.5]))
    assert honest == pytest.approx(QUALITY, abs=0.01)
    assert gamed == pytest.approx(QUALITY, abs=0.01)
    assert task.noise_sd <= 0.05  # small noise: one evaluation already ranks these miners correctly
    assert list(np.argsort(task.observe(QUALITY, 0.0, np.random.default_rng(1)))) == [0, 1, 2]


def test_subjective_task_sees_a_proxy_that_gaming_inflates():
    task = get_task("text-quality")
    gamed = mean_scores(task, np.array([0.5, 0.0, 0.0]))
    assert gamed[0] == pytest.approx(QUALITY[0] + 0.5 * task.proxy_gain, abs=0.02)
    assert gamed[0] > gamed[2]  # the worst miner now looks best
    assert task.noise_sd > 2 * get_task("forecast").noise_sd  # large noise on the proxy


def test_observation_is_deterministic_for_a_seeded_generator():
    task = get_task("text-quality")
    a = task.observe(QUALITY, 0.1, np.random.default_rng(5))
    b = task.observe(QUALITY, 0.1, np.random.default_rng(5))
    assert np.array_equal(a, b)


def test_unknown_task_names_the_known_ones():
    with pytest.raises(KeyError, match="forecast"):
        get_task("poetry")
