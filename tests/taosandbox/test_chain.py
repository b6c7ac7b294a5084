"""Chain extrinsics: each happy path, each refusal (which must change nothing), views and persistence."""

import json

import pandas as pd
import pytest

from taosandbox import errors as E
from taosandbox.chain import CHAIN_DEFAULTS, Chain, downsample, weights_commit_hash
from taosandbox.units import RAO_PER_TAO, tao

FEE = CHAIN_DEFAULTS["staking_fee"]
EASY = {"commit_reveal_weights_enabled": False, "max_registrations_per_block": 64,
        "target_registrations_per_interval": 64, "tempo": 9}


def build(era="dtao", validators=2, miners=2, **params):
    """Owner + validators (staked) + miners on subnet 1, tempo 9, commit-reveal off, cheap lock."""
    defaults = {**EASY, **params.pop("subnet_defaults", {})}
    c = Chain(seed=7, era=era, subnet_defaults=defaults, network_min_lock=tao(100), **params)
    c.faucet("owner", tao(1_000))
    net = c.register_subnet("owner", "owner/hk")
    for i in range(validators):
        c.faucet(f"v{i}", tao(1_000))
        c.register_neuron(f"v{i}", f"v{i}/hk", net)
        c.add_stake(f"v{i}", f"v{i}/hk", 0 if era == "root-vote" else net, tao(100 * (i + 1)))
    for i in range(miners):
        c.faucet(f"m{i}", tao(10))
        c.register_neuron(f"m{i}", f"m{i}/hk", net)
    return c, net


def refused(chain, exc, fn, *args, **kwargs):
    """The call raises `exc` and the saved chain is byte-for-byte unchanged."""
    before = chain.to_json()
    with pytest.raises(exc) as info:
        fn(*args, **kwargs)
    assert chain.to_json() == before
    assert str(info.value)  # a readable message
    return info.value


# --- errors -------------------------------------------------------------------------------------------------
def test_error_family():
    assert issubclass(E.InvalidInput, E.ChainError) and issubclass(E.InvalidInput, ValueError)
    assert E.WeightsRateLimit is E.SettingWeightsTooFast
    assert E.SettingWeightsTooFast().name == "SettingWeightsTooFast"
    for cls in E.ERRORS.values():
        assert str(cls())


# --- genesis, faucet, transfer ------------------------------------------------------------------------------
def test_genesis_and_faucet():
    c = Chain(seed=3)
    assert c.netuids == [0] and c.block == 0 and c.total_issuance == 0
    c.faucet("alice", tao(5))
    assert c.balance("alice") == 5 * RAO_PER_TAO == c.total_issuance == c.total_minted
    for bad in (-1, 1.5, float("nan"), "5", None):
        refused(c, E.InvalidInput, c.faucet, "alice", bad)
    refused(c, E.InvalidInput, c.faucet, "", 5)
    c.check_invariants()


def test_transfer():
    c = Chain()
    c.faucet("alice", 100)
    c.transfer("alice", "bob", 40)
    assert (c.balance("alice"), c.balance("bob")) == (60, 40)
    refused(c, E.NotEnoughBalance, c.transfer, "alice", "bob", 61)
    refused(c, E.AmountTooLow, c.transfer, "alice", "bob", 0)
    refused(c, E.InvalidInput, c.transfer, "alice", "bob", -5)
    refused(c, E.InvalidInput, c.transfer, "alice", "bob", 1.0)
    refused(c, E.InvalidInput, c.transfer, "nobody", "bob", 1)
    c.check_invariants()


# --- subnets ------------------------------------------------------------------------------------------------
def test_register_subnet_lock_cost_pool_and_burn():
    c = Chain(network_min_lock=tao(100), network_lock_reduction_interval=1000)
    c.faucet("alice", tao(10_000))
    assert c.network_lock_cost() == tao(100)
    net = c.register_subnet("alice", "alice/hk")
    s = c.subnet(net)
    assert net == 1 and s.pool.reserves == (tao(100), tao(100)) and s.price == 1.0
    assert s.hotkeys == ["alice/hk"] and s.owner_coldkey == "alice"
    assert c.network_lock_cost() == tao(200)  # doubles
    c.step(100)
    # decays linearly: 2L - floor(L / interval) * blocks, with the interval scaled by the block reward (1 TAO)
    assert c.network_lock_cost() == tao(200) - (tao(100) // 1000) * 100
    issuance = c.total_issuance
    cost = c.network_lock_cost()
    assert c.register_subnet("alice", "alice/hk2") == 2
    assert c.total_issuance == issuance - (cost - tao(100))  # all but the pool's TAO is burned
    c.check_invariants()
    c.faucet("bob", tao(1))
    refused(c, E.NotEnoughBalance, c.register_subnet, "bob", "bob/hk")
    c.faucet("bob", tao(10_000))
    refused(c, E.NonAssociatedColdKey, c.register_subnet, "bob", "alice/hk")


def test_subnet_limit_and_pruning():
    c = Chain(max_subnets=2, network_min_lock=tao(10), network_immunity_period=50,
              subnet_defaults={"tempo": 9})
    c.faucet("alice", tao(10_000))
    c.faucet("bob", tao(100))
    a, b = c.register_subnet("alice", "a1"), c.register_subnet("alice", "a2")
    refused(c, E.SubnetLimitReached, c.register_subnet, "alice", "a3")
    c.add_stake("bob", "a2", b, tao(5))
    c.step(20)
    c.remove_stake("alice", "a1", a, c.stake("a1", a, "alice"))  # the owner sells: a's price falls under 1
    c.step(40)
    assert c.subnet(a).moving_price < c.subnet(b).moving_price
    bob_alpha, bob_tao = c.stake("a2", b, "bob"), c.balance("bob")
    assert c.register_subnet("alice", "a3") == a  # the lowest moving price is dissolved, its netuid reused
    assert c.subnet(a).owner_hotkey == "a3" and c.stake("a2", b, "bob") == bob_alpha
    c.check_invariants()
    # the new subnet is immune, so b goes next: dissolving it pays its alpha holders (bob) in TAO
    c.step(10)
    c.register_subnet("alice", "a4")
    assert c.subnet(b).owner_hotkey == "a4" and c.balance("bob") > bob_tao
    assert c.stake("a2", b, "bob") == 0
    c.check_invariants()


# --- neurons ------------------------------------------------------------------------------------------------
def test_register_neuron_burns_alpha_and_raises_price():
    c, net = build(validators=0, miners=0)
    s = c.subnet(net)
    price, issuance, alpha_issuance = s.price, c.total_issuance, s.alpha_issuance
    c.faucet("m", tao(5))
    burn = c.burn(net)
    assert c.register_neuron("m", "m/hk", net) == 1
    assert c.balance("m") == tao(5) - burn
    assert s.price > price
    assert c.total_issuance == issuance + tao(5)  # the TAO stays in the pool
    assert s.alpha_issuance < alpha_issuance  # the alpha it bought is gone
    c.check_invariants()
    refused(c, E.HotKeyAlreadyRegisteredInSubNet, c.register_neuron, "m", "m/hk", net)
    refused(c, E.SubnetNotExists, c.register_neuron, "m", "x", 9)
    refused(c, E.InvalidInput, c.register_neuron, "m", "x", "1")
    refused(c, E.RegistrationNotPermittedOnRootSubnet, c.register_neuron, "m", "x", 0)
    refused(c, E.NonAssociatedColdKey, c.register_neuron, "m", "owner/hk", net)
    c.faucet("poor", 1)
    refused(c, E.NotEnoughBalance, c.register_neuron, "poor", "poor/hk", net)


def test_registration_rate_limits_and_burn_adjustment():
    c = Chain(network_min_lock=tao(100), subnet_defaults={"adjustment_interval": 10})
    c.faucet("o", tao(1_000))
    net = c.register_subnet("o", "o/hk")
    c.faucet("m", tao(100))
    c.register_neuron("m", "m1", net)
    refused(c, E.TooManyRegistrationsThisBlock, c.register_neuron, "m", "m2", net)
    c.step()
    c.register_neuron("m", "m2", net)
    c.step()
    c.register_neuron("m", "m3", net)
    c.step()
    refused(c, E.TooManyRegistrationsThisInterval, c.register_neuron, "m", "m4", net)
    burn = c.burn(net)
    c.step(10)  # 3 registrations against a target of 1: the burn rises
    assert c.burn(net) > burn
    burn = c.burn(net)
    c.step(10)  # none: it falls
    assert c.burn(net) < burn


def test_full_subnet_prunes_lowest_emission_outside_immunity():
    c, net = build(validators=1, miners=2, subnet_defaults={"max_allowed_uids": 4, "immunity_period": 20})
    c.faucet("late", tao(10))
    refused(c, E.NoNeuronIdAvailable, c.register_neuron, "late", "late/hk", net)
    c.step(25)
    s = c.subnet(net)
    low = min(range(1, 4), key=lambda u: (s.emission[u], s.registered_block[u], u))
    old = s.hotkeys[low]
    assert c.register_neuron("late", "late/hk", net) == low
    assert s.hotkeys[low] == "late/hk" and old not in s.uid_of and s.new_registration[low]
    assert s.hotkeys[0] == "owner/hk"  # the owner is never pruned
    c.check_invariants()


def test_root_register():
    c = Chain(max_root_validators=1)
    c.faucet("a", tao(10))
    c.faucet("b", tao(10))
    c.associate_hotkey("a", "a/hk")
    c.associate_hotkey("b", "b/hk")
    c.add_stake("a", "a/hk", 0, tao(2))
    assert c.root_register("a", "a/hk") == 0
    refused(c, E.HotKeyAlreadyRegisteredInSubNet, c.root_register, "a", "a/hk")
    refused(c, E.StakeTooLowForRoot, c.root_register, "b", "b/hk")
    c.add_stake("b", "b/hk", 0, tao(3))
    assert c.root_register("b", "b/hk") == 0 and c.subnet(0).hotkeys == ["b/hk"]
    refused(c, E.HotKeyAccountNotExists, c.root_register, "a", "zzz")


# --- weights ------------------------------------------------------------------------------------------------
def test_set_weights_and_refusals():
    hp = {"min_allowed_weights": 2, "weights_rate_limit": 5}
    c, net = build(validators=2, miners=2, subnet_defaults=hp)
    refused(c, E.NeuronNoValidatorPermit, c.set_weights, "v0", "v0/hk", net, [3, 4], [1, 1])
    c.step(10)  # an epoch hands out permits by stake
    s = c.subnet(net)
    assert s.validator_permit[1] and s.validator_permit[2]
    c.set_weights("v0", "v0/hk", net, [3, 4], [1, 3])
    assert list(s.weights[1, 3:5]) == [21845, 65535] and s.last_update[1] == c.block
    refused(c, E.SettingWeightsTooFast, c.set_weights, "v0", "v0/hk", net, [3, 4], [1, 1])
    v1 = ("v1", "v1/hk", net)
    refused(c, E.WeightVecNotEqualSize, c.set_weights, *v1, [3, 4], [1])
    refused(c, E.DuplicateUids, c.set_weights, *v1, [3, 3], [1, 1])
    refused(c, E.UidVecContainsInvalidOne, c.set_weights, *v1, [3, 99], [1, 1])
    refused(c, E.WeightVecLengthIsLow, c.set_weights, *v1, [3], [1])
    refused(c, E.InvalidInput, c.set_weights, *v1, [3, 4], [1, -1])
    refused(c, E.InvalidInput, c.set_weights, *v1, [3, 4], [1, float("nan")])
    refused(c, E.InvalidInput, c.set_weights, *v1, [3, 4.0], [1, 1])
    c.associate_hotkey("v1", "v1/other")
    refused(c, E.HotKeyNotRegisteredInSubNet, c.set_weights, "v1", "v1/other", net, [3, 4], [1, 1])
    refused(c, E.NonAssociatedColdKey, c.set_weights, "v0", "v1/hk", net, [3, 4], [1, 1])
    c.set_weights("m0", "m0/hk", net, [3], [1])  # a self-weight needs no permit
    c.sudo_set_hyperparameter(net, "commit_reveal_weights_enabled", True)
    refused(c, E.CommitRevealEnabled, c.set_weights, *v1, [3, 4], [1, 1])


def test_commit_reveal():
    c, net = build(validators=1, miners=2, subnet_defaults={"commit_reveal_weights_enabled": True})
    c.step(10)
    who = ("v0", "v0/hk", net)
    refused(c, E.NoWeightsCommitFound, c.reveal_weights, *who, [2, 3], [1, 2], [7])
    c.commit_weights(*who, weights_commit_hash("v0/hk", net, [2, 3], [1, 2], [7]))
    refused(c, E.RevealTooEarly, c.reveal_weights, *who, [2, 3], [1, 2], [7])
    s = c.subnet(net)
    while s.epoch_index(c.block) == s.commits["v0/hk"][0][2]:
        c.step()
    refused(c, E.InvalidRevealCommitHashNotMatch, c.reveal_weights, *who, [2, 3], [2, 1], [7])
    c.reveal_weights(*who, [2, 3], [1, 2], [7])
    assert list(s.weights[1, 2:4]) == [32768, 65535] and "v0/hk" not in s.commits
    # a commit not revealed in its reveal epoch expires
    c.step(100)
    c.commit_weights(*who, weights_commit_hash("v0/hk", net, [2], [1], [1]))
    c.step(25)
    refused(c, E.ExpiredWeightCommit, c.reveal_weights, *who, [2], [1], [1])
    c.sudo_set_hyperparameter(net, "commit_reveal_weights_enabled", False)
    refused(c, E.CommitRevealDisabled, c.commit_weights, *who, "abc")


def test_timelocked_commits_are_revealed_by_the_chain():
    c, net = build(validators=1, miners=2, subnet_defaults={"commit_reveal_weights_enabled": True})
    c.step(10)
    who = ("v0", "v0/hk", net)
    refused(c, E.WeightVecNotEqualSize, c.commit_timelocked_weights, *who, [2, 3], [1])
    refused(c, E.InvalidInput, c.commit_timelocked_weights, *who, [2, 3], [1, -2])
    c.commit_timelocked_weights(*who, [2, 3], [1, 3])
    s = c.subnet(net)
    assert not s.weights.any() and len(s.timelocked) == 1
    commit_epoch = s.epoch_index(c.block)
    while s.epoch_index(c.block) < commit_epoch + 1:
        c.step()
    assert list(s.weights[1, 2:4]) == [21845, 65535] and not s.timelocked
    assert s.last_update[1] == c.block  # applied at the epoch block, before Yuma ran
    c.commit_timelocked_weights("m0", "m0/hk", net, [3], [1])  # no permit: dropped at reveal
    c.step(25)
    assert not s.weights[2].any() and not s.timelocked
    c.sudo_set_hyperparameter(net, "commit_reveal_weights_enabled", False)
    refused(c, E.CommitRevealDisabled, c.commit_timelocked_weights, *who, [2], [1])
    c.check_invariants()


def test_set_root_weights():
    c, net = build(era="root-vote", validators=1, miners=0)
    c.root_register("v0", "v0/hk")
    refused(c, E.SubnetNotExists, c.set_root_weights, "v0", "v0/hk", [5], [1])
    refused(c, E.RegistrationNotPermittedOnRootSubnet, c.set_root_weights, "v0", "v0/hk", [0], [1])
    refused(c, E.HotKeyNotRegisteredInSubNet, c.set_root_weights, "owner", "owner/hk", [net], [1])
    c.set_root_weights("v0", "v0/hk", [net], [1])
    assert c.subnet(0).root_weights == {"v0/hk": {net: 65535}}


# --- staking ------------------------------------------------------------------------------------------------
def test_add_and_remove_stake():
    c, net = build(validators=1, miners=0)
    s = c.subnet(net)
    c.faucet("n", tao(100))
    tau, alpha_in = s.pool.reserves
    expected = alpha_in * (tao(10) - FEE) // (tau + tao(10) - FEE)
    got = c.add_stake("n", "v0/hk", net, tao(10))
    assert got == expected == c.stake("v0/hk", net, "n")
    assert s.pool.tao_reserve == tau + tao(10)  # the fee stays in the TAO reserve
    assert c.balance("n") == tao(90)
    back = c.remove_stake("n", "v0/hk", net, got)
    # a round trip loses the two fees less the part of them that flowed back to the seller through the pool
    assert tao(10) - 2 * FEE < back < tao(10) - FEE and c.stake("v0/hk", net, "n") == 0
    c.check_invariants()
    refused(c, E.AmountTooLow, c.add_stake, "n", "v0/hk", net, 1000)
    refused(c, E.NotEnoughBalanceToStake, c.add_stake, "n", "v0/hk", net, tao(1_000))
    refused(c, E.HotKeyAccountNotExists, c.add_stake, "n", "ghost", net, tao(1))
    refused(c, E.SubnetNotExists, c.add_stake, "n", "v0/hk", 42, tao(1))
    refused(c, E.InvalidInput, c.add_stake, "n", "v0/hk", net, -tao(1))
    refused(c, E.InvalidInput, c.add_stake, "n", "v0/hk", net, float("nan"))
    refused(c, E.InvalidInput, c.add_stake, "ghost", "v0/hk", net, tao(1))
    refused(c, E.NotEnoughStakeToWithdraw, c.remove_stake, "n", "v0/hk", net, 1)
    got = c.add_stake("n", "v0/hk", net, tao(1))
    refused(c, E.AmountTooLow, c.remove_stake, "n", "v0/hk", net, got - 1000)  # would leave dust behind


def test_limit_orders():
    c, net = build(validators=1, miners=0)
    c.faucet("n", tao(1_000))
    price = c.price(net)
    refused(c, E.SlippageTooHigh, c.add_stake, "n", "v0/hk", net, tao(500), limit_price=price * 1.01)
    got = c.add_stake("n", "v0/hk", net, tao(500), limit_price=price * 1.01, allow_partial=True)
    spent = tao(1_000) - c.balance("n")
    assert 0 < spent < tao(500) and got > 0
    assert (spent - FEE) / got <= price * 1.01 * (1 + 1e-8)  # the average price respects the limit
    refused(c, E.SlippageTooHigh, c.remove_stake, "n", "v0/hk", net, got, limit_price=c.price(net) * 1.5)
    c.check_invariants()


def test_root_stake_is_one_to_one_and_subtoken_disabled_pre_dtao():
    c = Chain()
    c.faucet("a", tao(10))
    c.associate_hotkey("a", "a/hk")
    assert c.add_stake("a", "a/hk", 0, tao(1)) == tao(1) - FEE
    assert c.subnet(0).pool.tao_reserve == tao(1)
    assert c.remove_stake("a", "a/hk", 0, tao(1) - FEE) == tao(1) - 2 * FEE
    c.check_invariants()
    r, net = build(era="root-vote", validators=1, miners=0)
    refused(r, E.SubtokenDisabled, r.add_stake, "v0", "v0/hk", net, tao(1))


def test_move_stake():
    c, net = build(validators=2, miners=0)
    have = c.stake("v0/hk", net, "v0")
    c.move_stake("v0", "v0/hk", "v1/hk", net, net, have // 2)  # same subnet: no swap, no fee
    assert c.stake("v1/hk", net, "v0") == have // 2
    c.faucet("o2", tao(1_000))
    net2 = c.register_subnet("o2", "o2/hk")
    got = c.move_stake("v0", "v0/hk", "o2/hk", net, net2, have // 4)
    assert got > 0 and c.stake("o2/hk", net2, "v0") == got
    got_root = c.move_stake("v0", "v1/hk", "v1/hk", net, 0, have // 4)
    assert c.stake("v1/hk", 0, "v0") == got_root
    refused(c, E.NotEnoughStakeToWithdraw, c.move_stake, "v0", "v0/hk", "v1/hk", net, net, have)
    refused(c, E.InvalidInput, c.move_stake, "v0", "v0/hk", "v0/hk", net, net, 1)
    c.check_invariants()


def test_set_take_and_nominators_share_dividends():
    c, net = build(validators=1, miners=1)
    refused(c, E.DelegateTakeTooHigh, c.set_take, "v0", "v0/hk", 0.5)
    refused(c, E.DelegateTakeTooLow, c.set_take, "v0", "v0/hk", -0.1)
    refused(c, E.NonAssociatedColdKey, c.set_take, "m0", "v0/hk", 0.1)
    refused(c, E.InvalidInput, c.set_take, "v0", "v0/hk", float("nan"))
    c.set_take("v0", "v0/hk", 0.0)
    c.faucet("nom", tao(200))
    c.add_stake("nom", "v0/hk", net, tao(100))
    own, nom = c.stake("v0/hk", net, "v0"), c.stake("v0/hk", net, "nom")
    c.step(30)
    own2, nom2 = c.stake("v0/hk", net, "v0"), c.stake("v0/hk", net, "nom")
    assert nom2 > nom and own2 > own
    assert (nom2 - nom) / nom == pytest.approx((own2 - own) / own, rel=1e-6)  # pro rata with no take


# --- views, history, persistence ----------------------------------------------------------------------------
def test_metagraph_columns():
    c, net = build()
    c.step(10)
    mg = c.metagraph(net)
    for col in ("uid", "hotkey", "coldkey", "alpha_stake", "tao_stake", "total_stake", "consensus",
                "incentive", "dividends", "validator_trust", "emission", "active", "validator_permit",
                "last_update", "registered_at"):
        assert col in mg.columns
    assert list(mg["uid"]) == list(range(5))
    assert isinstance(c.subnets_frame(), pd.DataFrame)
    refused(c, E.SubnetNotExists, c.metagraph, 99)


def test_history_frames_are_tidy_and_bounded():
    c, net = build(validators=1, miners=1)
    c.step(3000)
    frame = c.history_frame("subnets")
    assert len(frame) <= 5000 and {"block", "netuid", "price", "tao_reserve"} <= set(frame.columns)
    assert len(c.history_frame("subnets", max_rows=None)) == 3000
    assert len(c.history_frame("network", max_rows=100)) <= 100
    epochs = c.history_frame("epochs", netuid=net)
    assert set(epochs["uid"]) == {0, 1, 2} and (epochs["netuid"] == net).all()
    refused(c, E.InvalidInput, c.history_frame, "nope")
    big = pd.DataFrame({"block": [b for b in range(10_000) for _ in range(3)], "x": 1})
    assert len(downsample(big, 5000)) <= 5000


def test_history_memory_is_bounded():
    c, net = build(validators=1, miners=0)
    c.history.max_rows = 100
    c.step(1000)
    assert len(c.history.blocks) <= 100 and c.history.stride > 1
    c.check_invariants()


def test_save_load_continues_identically(tmp_path):
    c, net = build()
    c.step(15)
    c.rng.random()  # the chain's generator state travels with it
    path = tmp_path / "chain.json"
    c.save(path)
    d = Chain.load(path)
    assert d.to_json() == c.to_json()
    assert json.loads(path.read_text())["version"] == 1
    for chain in (c, d):
        chain.faucet("z", tao(5))
        chain.add_stake("z", "v1/hk", net, tao(2))
        chain.step(40)
    assert d.to_json() == c.to_json()
    assert d.rng.random() == c.rng.random()
    refused(c, E.InvalidInput, Chain.from_dict, {"format": "other"})
    refused(c, E.InvalidInput, Chain.from_dict, {"format": "taosandbox.chain", "version": 1})
    refused(c, E.InvalidInput, Chain.from_json, "{not json")
    twin = c.copy()
    twin.step(5)
    assert twin.block == c.block + 5 and "Chain(era='dtao'" in repr(c)


def test_hyperparameters():
    c, net = build()
    refused(c, E.NotSubnetOwner, c.set_hyperparameter, "v0", net, "tempo", 10)
    c.set_hyperparameter("owner", net, "tempo", 20)
    assert c.subnet(net).hyperparams["tempo"] == 20
    refused(c, E.InvalidInput, c.set_hyperparameter, "owner", net, "nonsense", 1)
    refused(c, E.InvalidInput, c.set_hyperparameter, "owner", net, "kappa", 2.0)
    refused(c, E.InvalidInput, c.set_hyperparameter, "owner", net, "tempo", 0)
    refused(c, E.InvalidInput, c.set_hyperparameter, "owner", net, "yuma_version", 4)
    refused(c, E.InvalidInput, c.set_hyperparameter, "owner", net, "alpha_low", 0.01)  # below 0.025
    refused(c, E.InvalidInput, c.set_hyperparameter, "owner", net, "liquid_alpha_enabled", 1)
    refused(c, E.InvalidInput, c.set_hyperparameter, "owner", net, "max_allowed_uids", 2)  # under n
    with pytest.raises(E.InvalidInput):
        Chain(era="future")
    with pytest.raises(E.InvalidInput):
        Chain(bogus=1)


def test_reading_helpers_and_chain_names():
    c, net = build(validators=1, miners=1)
    assert c.uid(net, "m0/hk") == 2 and c.hotkeys_of("v0") == ["v0/hk"]
    positions = c.stakes_of("v0")
    assert list(positions.columns) == ["hotkey", "netuid", "alpha_rao", "tao_value_rao"]
    assert positions.iloc[0]["alpha_rao"] == c.stake("v0/hk", net, "v0")
    refused(c, E.HotKeyNotRegisteredInSubNet, c.uid, net, "ghost")
    c.faucet("x", tao(10))
    c.step()
    assert c.burned_register("x", "x/hk", net) == 3
    assert Chain.register_network is Chain.register_subnet
    assert "ok" in c.accounting() and c.accounting()["ok"]


def test_expired_weight_commits_do_not_count_toward_the_limit():
    # Commits never revealed expire after their reveal epoch; they must not lock the validator out for good.
    c, net = build(validators=1, miners=2, subnet_defaults={"commit_reveal_weights_enabled": True})
    c.step(10)
    who = ("v0", "v0/hk", net)
    for i in range(10):
        c.commit_weights(*who, weights_commit_hash("v0/hk", net, [2], [1], [i]))
    refused(c, E.TooManyUnrevealedCommits, c.commit_weights, *who, "one too many")  # all ten still live
    s = c.subnet(net)
    c.step(5 * (s.hyperparams["tempo"] + 1))  # past their reveal epoch: expired
    c.commit_weights(*who, weights_commit_hash("v0/hk", net, [3], [1], [0]))
    assert len(s.commits["v0/hk"]) == 1  # the expired ones were dropped when the commit was accepted
    while s.epoch_index(c.block) == s.commits["v0/hk"][0][2]:
        c.step()
    c.reveal_weights(*who, [3], [1], [0])
    assert s.weights[1, 3] == 65535 and "v0/hk" not in s.commits
    c.check_invariants()


def test_timelocked_commit_refuses_duplicate_uids():
    # commit_timelocked_weights checks the shape with _weight_vector, as set_weights does.
    c, net = build(validators=1, miners=2, subnet_defaults={"commit_reveal_weights_enabled": True})
    c.step(10)
    refused(c, E.DuplicateUids, c.commit_timelocked_weights, "v0", "v0/hk", net, [2, 2], [1, 1])


def test_subnets_frame_names_reserves_apart_from_injections():
    c, net = build()
    c.step(3)
    row = c.subnets_frame().set_index("netuid").loc[net]
    pool = c.subnet(net).pool
    assert (row["tao_reserve"], row["alpha_reserve"]) == (pool.tao_reserve, pool.alpha_reserve)
    injected = c.history_frame("subnets", netuid=net).iloc[-1]
    assert injected["tao_in"] < row["tao_reserve"]  # one block's injection, not the pool
