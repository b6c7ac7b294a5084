"""Properties of the epoch that must hold for any input (hypothesis), and agreement with a slow reference that
restates spec/yuma.md line by line on the full n x n matrices."""

import dataclasses

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from taosandbox.yuma import YumaParams, epoch, top_k_permits, weighted_median, weighted_median_col

SETTINGS = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
BOND_TOL = 1.01 / 65535  # a float64 rounding difference may move a stored bond by one u16 step

params_st = st.builds(
    YumaParams,
    kappa=st.sampled_from([32767 / 65535, 0.3, 0.7]),
    bonds_penalty=st.sampled_from([0.0, 0.5, 1.0]),
    bonds_moving_avg=st.sampled_from([0.9, 0.975, 0.5]),
    yuma_version=st.sampled_from([1, 2, 3]),
    liquid_alpha_enabled=st.booleans(),
    alpha_low=st.sampled_from([45875 / 65535, 6553 / 65535]),
    alpha_high=st.just(58982 / 65535),
    max_validators=st.sampled_from([2, 64]),
)


@st.composite
def subnets(draw, min_n=2, max_n=8, masks=True):
    """Inputs of one epoch: u16-like integer weights (many zeros and ties), integer stakes, optional bonds on
    the u16 grid and optional masks."""
    n = draw(st.integers(min_n, max_n))
    values = st.sampled_from([0, 0, 1, 7, 300, 65535])
    weights = np.array(draw(st.lists(values, min_size=n * n, max_size=n * n)), dtype=float).reshape(n, n)
    stake = np.array(draw(st.lists(st.integers(0, 50), min_size=n, max_size=n)), dtype=float)
    inputs = {"weights": weights, "stake": stake, "bonds": None}
    if draw(st.booleans()):
        grid = draw(st.lists(st.integers(0, 65535), min_size=n * n, max_size=n * n))
        inputs["bonds"] = np.array(grid, dtype=float).reshape(n, n) / 65535
    if masks:
        bools = lambda shape: np.array(draw(st.lists(st.booleans(), min_size=int(np.prod(shape)),  # noqa: E731
                                                     max_size=int(np.prod(shape))))).reshape(shape)
        shapes = {"active": (n,), "permits": (n,), "new_registrations": (n,), "outdated": (n, n)}
        for name, shape in shapes.items():
            inputs[name] = bools(shape) if draw(st.booleans()) else None
        inputs["owner_uid"] = draw(st.one_of(st.none(), st.integers(0, n - 1)))
    return inputs


def run(inputs, params):
    kwargs = dict(inputs)
    return epoch(kwargs.pop("weights"), kwargs.pop("stake"), kwargs.pop("bonds"), params=params, **kwargs)


# --- a slow, literal reference ------------------------------------------------------------------------------


def _norm(x):
    return x / x.sum() if x.sum() > 0 else x


def _colnorm(m):
    return np.array([_norm(col) for col in m.T]).T


def reference_epoch(weights, stake, bonds, params, active=None, permits=None, outdated=None,
                    new_registrations=None, owner_uid=None):
    p, n = params, len(stake)
    active = np.ones(n, bool) if active is None else active
    permits = np.ones(n, bool) if permits is None else permits
    outdated = np.zeros((n, n), bool) if outdated is None else outdated
    new_reg = np.zeros(n, bool) if new_registrations is None else new_registrations
    s = _norm(stake.astype(float))
    by_stake = sorted((i for i in range(n) if s[i] > 0), key=lambda i: (s[i], i), reverse=True)
    next_permits = np.isin(np.arange(n), by_stake[: p.max_validators]) | (np.arange(n) == owner_uid)
    a = _norm(s * active * permits)
    w = weights.astype(float).copy()
    w[~permits] = 0
    for i in range(n):
        if i != owner_uid:
            w[i, i] = 0
    w[outdated] = 0
    w = np.array([_norm(row) for row in w])
    voters = a > 0
    if p.yuma_version == 1:
        c = 1 / (1 + np.exp(-p.rho * (a @ (w > 0) - p.kappa)))
        clipped = w
    else:
        c = np.array([weighted_median(_norm(a[voters]), w[voters, j], p.kappa) if voters.any() else 0.0
                      for j in range(n)])
        clipped = np.minimum(w, c)
    rank = a @ clipped
    incentive = _norm(rank * c if p.yuma_version == 1 else rank)
    wb = (1 - p.bonds_penalty) * w + p.bonds_penalty * clipped
    b0 = np.zeros((n, n)) if bonds is None else bonds.copy()
    b0[:, new_reg] = 0
    if p.yuma_version == 3:
        alpha = np.full((n, n), 1 - p.bonds_moving_avg)
        if p.liquid_alpha_enabled and c.any():
            for i in range(n):
                for j in range(n):
                    d = wb[i, j] - c[j] if wb[i, j] >= b0[i, j] else b0[i, j] - wb[i, j]
                    x = np.clip(-(p.alpha_sigmoid_steepness / 100) * (np.clip(d, 0, 1) - 0.5), -20, 20)
                    sig = 1 / (1 + np.exp(x))
                    value = p.alpha_low + sig * (p.alpha_high - p.alpha_low)
                    alpha[i, j] = np.clip(value, p.alpha_low, p.alpha_high)
        b = np.minimum(1, (1 - alpha) * b0 + alpha * wb)
        dividends = _norm(a * (_colnorm(b) @ incentive))
        stored = np.floor(65535 * b) / 65535
    else:
        alpha = 1 - p.bonds_moving_avg
        b = _colnorm(alpha * _colnorm(a[:, None] * wb) + (1 - alpha) * _colnorm(b0))
        dividends = _norm(b @ incentive)
        top = b.max(axis=0)
        stored = np.floor(65535 * b / np.where(top > 0, top, 1)) / 65535
    stored[~next_permits] = 0
    total = incentive.sum() + dividends.sum()
    if total > 0:
        miner, validator = incentive / total, dividends / total
    else:
        miner, validator = np.zeros(n), (a if a.any() else s)
    return {"consensus": c, "incentive": incentive, "dividends": dividends, "validator_trust": clipped.sum(1),
            "rank": rank, "bonds": stored, "miner_emission": miner, "validator_emission": validator,
            "next_permits": next_permits}


@SETTINGS
@given(subnets(), params_st)
def test_epoch_matches_the_literal_reference(inputs, params):
    got = run(inputs, params)
    want = reference_epoch(params=params, **inputs)
    for name, value in want.items():
        tol = BOND_TOL if name == "bonds" else 1e-9
        np.testing.assert_allclose(getattr(got, name), value, rtol=0, atol=tol, err_msg=name)


@SETTINGS
@given(subnets(masks=False), params_st, st.integers(1, 4))
def test_chained_epochs_match_the_reference(inputs, params, epochs):
    """Feeding each epoch's stored bonds and permits to the next, as a running subnet does."""
    bonds = inputs["bonds"]
    permits = None
    for _ in range(epochs):
        got = epoch(inputs["weights"], inputs["stake"], bonds, params=params, permits=permits)
        want = reference_epoch(inputs["weights"], inputs["stake"], bonds, params, permits=permits)
        np.testing.assert_allclose(got.dividends, want["dividends"], atol=1e-9)
        np.testing.assert_allclose(got.bonds, want["bonds"], atol=BOND_TOL)
        bonds, permits = got.bonds, got.next_permits


# --- properties ---------------------------------------------------------------------------------------------


@SETTINGS
@given(subnets(), params_st)
def test_outputs_are_well_formed(inputs, params):
    r = run(inputs, params)
    for name in ("incentive", "dividends"):
        total = getattr(r, name).sum()
        assert np.isclose(total, 1.0) or not getattr(r, name).any(), name
        assert getattr(r, name).min() >= 0, name
    if inputs["stake"].any():
        assert np.isclose(r.emission.sum(), 1.0)
    assert np.all((r.bonds >= 0) & (r.bonds <= 1))
    grid = 65535 * r.bonds
    np.testing.assert_allclose(grid, np.round(grid), atol=1e-6)  # stored on the u16 grid
    assert np.all((r.validator_trust >= 0) & (r.validator_trust <= 1 + 1e-12))


@SETTINGS
@given(subnets(), params_st)
def test_consensus_never_exceeds_the_largest_weight_on_a_column(inputs, params):
    if params.yuma_version == 1:
        params = YumaParams(yuma_version=2)  # Yuma 1's consensus is a sigmoid, not a weight
    r = run(inputs, params)
    assert np.all(r.consensus <= r.steps["weights"].max(axis=0))
    assert np.all(r.consensus >= 0)


@SETTINGS
@given(subnets(), params_st, st.randoms(use_true_random=False))
def test_permuting_uids_permutes_the_outputs(inputs, params, rnd):
    n = len(inputs["stake"])
    perm = np.array(rnd.sample(range(n), n))
    permuted = {}
    for name, value in inputs.items():
        if name == "owner_uid":
            permuted[name] = None if value is None else int(np.flatnonzero(perm == value)[0])
        elif value is not None and np.ndim(value) == 2:
            permuted[name] = value[np.ix_(perm, perm)]
        elif value is not None:
            permuted[name] = value[perm]
        else:
            permuted[name] = None
    params = dataclasses.replace(params, max_validators=64)  # no permit cut-off, hence no UID ties
    a, b = run(inputs, params), run(permuted, params)
    for name in ("consensus", "incentive", "dividends", "validator_trust", "miner_emission",
                 "validator_emission", "next_permits"):
        np.testing.assert_allclose(getattr(a, name)[perm], getattr(b, name), atol=1e-9, err_msg=name)
    np.testing.assert_allclose(a.bonds[np.ix_(perm, perm)], b.bonds, atol=BOND_TOL)


@SETTINGS
@given(subnets(), params_st, st.data())
def test_scaling_a_validators_row_changes_nothing(inputs, params, data):
    n = len(inputs["stake"])
    row = data.draw(st.integers(0, n - 1))
    factor = data.draw(st.sampled_from([1e-3, 0.5, 3.0, 65535.0]))
    scaled = dict(inputs)
    scaled["weights"] = inputs["weights"].copy()
    scaled["weights"][row] *= factor
    a, b = run(inputs, params), run(scaled, params)
    for name in ("consensus", "incentive", "dividends", "validator_trust", "validator_emission"):
        np.testing.assert_allclose(getattr(a, name), getattr(b, name), atol=1e-9, err_msg=name)
    np.testing.assert_allclose(a.bonds, b.bonds, atol=BOND_TOL)


@SETTINGS
@given(
    honest=st.lists(st.lists(st.integers(0, 100), min_size=3, max_size=3), min_size=2, max_size=5),
    honest_stake=st.lists(st.integers(1, 100), min_size=5, max_size=5),
    cabal_share=st.floats(0.0, 0.49),
    cabal_size=st.integers(1, 3),
    version=st.sampled_from([2, 3]),
)
def test_a_cabal_below_kappa_cannot_lift_its_miner(honest, honest_stake, cabal_share, cabal_size, version):
    """Honest validators weight miners 0-2; a cabal holding < kappa of the stake puts everything on miner 2.
    Consensus on miner 2 stays at or below the largest weight any honest validator gave it."""
    h, nm = len(honest), 3
    n = h + cabal_size + nm
    miners = slice(h + cabal_size, n)
    w = np.zeros((n, n))
    w[:h, miners] = honest
    w[h:h + cabal_size, h + cabal_size + 2] = 1.0
    stake = np.zeros(n)
    stake[:h] = np.array(honest_stake[:h]) / sum(honest_stake[:h]) * (1 - cabal_share)
    stake[h:h + cabal_size] = cabal_share / cabal_size
    r = epoch(w, stake, params=YumaParams(yuma_version=version))
    honest_w = r.steps["weights"][:h, miners]
    assert r.consensus[n - 1] <= honest_w[:, 2].max()
    assert np.all(r.consensus[miners] <= honest_w.max(axis=0))
    # The cabal's excess weight is clipped away: its trust is at most what consensus allows.
    assert np.all(r.validator_trust[h:h + cabal_size] <= r.consensus[n - 1] + 1e-12)


@SETTINGS
@given(
    stake=st.lists(st.integers(0, 20), min_size=1, max_size=8),
    cols=st.integers(1, 5),
    kappa=st.sampled_from([0.0, 0.24, 32767 / 65535, 0.76, 1.0]),
    data=st.data(),
)
def test_weighted_median_col_is_the_median_of_each_column(stake, cols, kappa, data):
    k = len(stake)
    values = data.draw(st.lists(st.sampled_from([0.0, 0.1, 0.25, 0.5, 1.0]), min_size=k * cols,
                                max_size=k * cols))
    w = np.array(values).reshape(k, cols)
    s = np.array(stake, dtype=float)
    got = weighted_median_col(s, w, kappa)
    use = s > 0
    want = [weighted_median(s[use] / s[use].sum(), w[use, j], kappa) if use.any() else 0.0
            for j in range(cols)]
    np.testing.assert_array_equal(got, want)


@SETTINGS
@given(stake=st.lists(st.integers(0, 5), min_size=0, max_size=10), k=st.integers(0, 12))
def test_top_k_permits_properties(stake, k):
    s = np.array(stake, dtype=float)
    p = top_k_permits(s, k)
    assert p.sum() == min(k, np.count_nonzero(s))
    assert not p[s == 0].any()
    if p.any() and (~p & (s > 0)).any():
        assert s[p].min() >= s[~p & (s > 0)].max()
