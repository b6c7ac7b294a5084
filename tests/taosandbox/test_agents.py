"""Agent behaviour: each strategy does what its name says, through the chain's own operations."""

import numpy as np
import pytest

from taosandbox.agents import (
    AlphaTrader,
    Delegator,
    HonestValidator,
    Miner,
    SubnetOwner,
    WinnerTakesAll,
    agent_from_dict,
    next_epoch_block,
)
from taosandbox.simulations import build
from taosandbox.yuma import weighted_median_col


def row(sim, hotkey, netuid=1):
    """A validator's weights as set on chain, normalised."""
    s = sim.chain.subnet(netuid)
    w = s.weights[s.uid_of[hotkey]].astype(float)
    return w / w.sum() if w.sum() else w


def spearman(a, b):
    ra, rb = np.argsort(np.argsort(a)), np.argsort(np.argsort(b))
    return np.corrcoef(ra, rb)[0, 1]


def test_next_epoch_block_matches_the_chain():
    sim = build("marketplace", seed=0)
    b = next_epoch_block(sim.chain, 1, sim.chain.block)
    assert b > sim.chain.block and sim.chain.subnet(1).is_epoch_block(b)
    assert not any(sim.chain.subnet(1).is_epoch_block(x) for x in range(sim.chain.block + 1, b))


def test_honest_validator_weights_correlate_with_true_quality():
    sim = build("marketplace", seed=3, miners=(0.1, 0.3, 0.5, 0.7, 0.9))
    sim.run(2)
    quality = [m.quality for m in sim.miners(1)]
    uids = [sim.chain.uid(1, m.hotkey) for m in sim.miners(1)]
    for a in sim.agents:
        if isinstance(a, HonestValidator):
            w = row(sim, a.hotkey)[uids]
            assert w.sum() == pytest.approx(1.0)
            assert spearman(w, quality) > 0.8
            assert np.corrcoef(w, quality)[0, 1] > 0.9


def test_winner_takes_all_puts_everything_on_its_best_miner():
    sim = build("marketplace", seed=0)
    v = next(a for a in sim.agents if a.name == "validator0")
    wta = WinnerTakesAll(**{k: val for k, val in v.to_dict().items() if k not in ("kind", "sharpness")})
    sim.agents[sim.agents.index(v)] = wta
    sim.run(2)
    w = row(sim, wta.hotkey)
    best = sim.chain.uid(1, max(sim.miners(1), key=lambda m: m.quality).hotkey)
    assert np.count_nonzero(w) == 1 and w[best] == 1.0  # forecast noise (0.05) is far below the quality gaps


def test_cabal_weights_favour_its_own_miners():
    sim = build("cabal", seed=0, cabal_stake=0.3)
    sim.run(3)
    s = sim.chain.subnet(1)
    cabal_uids = [s.uid_of[f"cabal-miner{i}/hk"] for i in range(2)]
    for a in sim.agents:
        if type(a).__name__ == "CabalValidator":
            w = row(sim, a.hotkey)
            assert w[cabal_uids].sum() == pytest.approx(1.0)
    # Below kappa the cabal's weight is clipped: its weak miners earn little, its validators lose trust.
    frame = sim.epochs()
    last = frame[frame["block"] == frame["block"].max()]
    assert last.loc[last["hotkey"].str.startswith("cabal-miner"), "incentive"].sum() < 0.1
    trust = last.groupby("role")["validator_trust"].mean()
    assert trust["CabalValidator"] < 0.2 < 0.8 < trust["HonestValidator"]


def test_copier_sets_the_consensus_of_the_weights_it_can_see_without_commit_reveal():
    sim = build("weight-copier", seed=1, commit_reveal_period=0)
    sim.run(2)
    s, chain = sim.chain.subnet(1), sim.chain
    copier = s.uid_of["copier/hk"]
    honest = [s.uid_of[f"validator{i}/hk"] for i in range(4)]
    # Every permit holder votes, as in Yuma: the owner, who sets no weights, is a zero vote.
    stake = chain.stake_weight(1) * s.validator_permit
    stake[copier] = 0.0
    w = s.weights.astype(float)
    np.fill_diagonal(w, 0.0)
    w[:, copier] = 0.0
    w = w / np.maximum(w.sum(axis=1, keepdims=True), 1e-300)
    expected = weighted_median_col(stake, w, s.hyperparams["kappa"])
    assert row(sim, "copier/hk") == pytest.approx(expected / expected.sum(), abs=1e-4)
    # ... set in the same block as the honest validators' fresh weights: without commit-reveal it does not lag.
    assert s.last_update[copier] == s.last_update[honest[0]]


def test_copier_under_commit_reveal_copies_the_last_revealed_weights_not_the_sealed_ones():
    sim = build("weight-copier", seed=1, commit_reveal_period=2)
    sim.run(6)
    s = sim.chain.subnet(1)
    sealed = {hk: np.array(w, float) for hk, epoch, uids, w in s.timelocked if epoch == s.epoch_index(sim.block)}
    assert set(sealed) == {f"validator{i}/hk" for i in range(4)} | {"copier/hk"}
    copy = sealed["copier/hk"] / sealed["copier/hk"].sum()
    # What the copier sealed is the consensus (chain's last epoch) of the revealed weights ...
    consensus = s.consensus / s.consensus.sum()
    revealed_uids = np.flatnonzero(s.consensus > 0)
    assert np.abs(copy - consensus[revealed_uids]).sum() < 0.1
    # ... which differs from the fresh evaluations the honest validators just sealed.
    fresh = np.mean([w / w.sum() for hk, w in sealed.items() if hk != "copier/hk"], axis=0)
    assert np.abs(fresh - copy).sum() > 0.1


def test_miners_improve_decay_and_wander_within_bounds():
    sim = build("marketplace", seed=0)
    better = Miner("better", quality=0.5, drift=0.1)
    worse = Miner("worse", quality=0.5, drift=-0.1)
    wander = Miner("wander", quality=0.5, volatility=0.3)
    for m in (better, worse, wander):
        m.plan(sim.chain)
        for _ in range(20):
            m.act(sim)
    assert better.quality == 1.0 and worse.quality == 0.0 and 0.0 <= wander.quality <= 1.0
    still = Miner("still", quality=0.4)
    still.plan(sim.chain)
    assert still.next_block > 10**12  # a miner that never changes is never scheduled


def test_delegator_follows_the_best_recent_yield():
    sim = build("marketplace", seed=0)
    sim.run(2)
    d = Delegator("delegator", stake_tao=50, every=100)
    d.join(sim.chain)
    sim.agents.append(d)
    d.plan(sim.chain)
    yields = Delegator.yields(sim.chain)
    sim.step(100)
    assert tuple(d.target) == max(sorted(yields), key=lambda k: yields[k])
    assert sim.chain.stake(d.target[0], d.target[1], "delegator") > 0
    sim.chain.check_invariants()


def test_alpha_traders_trade_through_the_pool_and_move_the_price():
    sim = build("marketplace", seed=0)
    noise = AlphaTrader("noise", netuid=1, style="noise", trade_tao=20_000, budget_tao=500_000, every=20)
    momentum = AlphaTrader("momentum", netuid=1, style="momentum", trade_tao=20_000, budget_tao=500_000,
                           every=20, lookback=2)
    for t in (noise, momentum):
        t.join(sim.chain)
        t.plan(sim.chain)
        sim.agents.append(t)
    sim.run(2)
    assert noise.trades > 20 and momentum.trades > 5
    prices = sim.prices(max_rows=None)["price"]
    assert prices.std() > 0
    sim.chain.check_invariants()
    with pytest.raises(ValueError):
        AlphaTrader("bad", style="random").join(sim.chain)


def test_subnet_owner_sets_hyperparameters_on_schedule():
    sim = build("marketplace", seed=0)
    block = sim.block + 50
    owner = SubnetOwner("owner1", netuid=1, schedule=[[block, "kappa", 0.6], [block + 10, "tempo", 99]])
    owner.plan(sim.chain)
    sim.agents.append(owner)
    sim.step(49)
    assert sim.chain.subnet(1).hyperparams["kappa"] != 0.6
    sim.step(20)
    assert sim.chain.subnet(1).hyperparams["kappa"] == 0.6 and sim.chain.subnet(1).hyperparams["tempo"] == 99
    assert owner.applied == 2 and owner.refusals == 0


def test_agents_round_trip_through_dicts_with_their_state():
    sim = build("sandbox", seed=0, subnets=2, uids=16, validators=5)
    sim.run(2)
    for a in sim.agents:
        assert agent_from_dict(a.to_dict()) == a
    with pytest.raises(ValueError):
        agent_from_dict({"kind": "Miner", "name": "x", "colour": "red"})
