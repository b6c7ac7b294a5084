"""The per-block coinbase and the epoch: shares per era, injection, pending emission, payouts."""

import pytest

from taosandbox.chain import Chain
from taosandbox.coinbase import split
from taosandbox.emission import block_reward
from taosandbox.units import RAO_PER_TAO, tao

EASY = {"commit_reveal_weights_enabled": False, "max_registrations_per_block": 64,
        "target_registrations_per_interval": 64}


def subnet_with_weights(era="dtao", tempo=20, validators=3, miners=3, root_stake=0, **params):
    """A small subnet whose validators hold permits and have set weights on the miners."""
    c = Chain(seed=11, era=era, subnet_defaults={**EASY, "tempo": tempo}, network_min_lock=tao(100), **params)
    c.faucet("owner", tao(1_000))
    net = c.register_subnet("owner", "owner/hk")
    for i in range(validators):
        c.faucet(f"v{i}", tao(2_000))
        c.register_neuron(f"v{i}", f"v{i}/hk", net)
        c.add_stake(f"v{i}", f"v{i}/hk", 0 if era == "root-vote" else net, tao(300 + 100 * i))
        if root_stake:
            c.add_stake(f"v{i}", f"v{i}/hk", 0, root_stake)
    for i in range(miners):
        c.faucet(f"m{i}", tao(10))
        c.register_neuron(f"m{i}", f"m{i}/hk", net)
    if era == "root-vote":
        for i in range(validators):
            c.root_register(f"v{i}", f"v{i}/hk")
            c.set_root_weights(f"v{i}", f"v{i}/hk", [net], [1])
    c.step(tempo + 1)  # the first epoch hands out permits
    miner_uids = list(range(1 + validators, 1 + validators + miners))
    for i in range(validators):
        c.set_weights(f"v{i}", f"v{i}/hk", net, miner_uids, list(range(1, miners + 1)))
    return c, net


def holdings(c, net, prefix, netuid=None):
    netuid = net if netuid is None else netuid
    return sum(c.stake(hk, netuid) for hk in c.subnet(net).hotkeys if hk.startswith(prefix))


def run_to_next_epoch(c, net):
    s = c.subnet(net)
    c.step(1)
    while c.subnet(net).last_epoch_block != c.block:
        c.step(1)
    return s


def test_one_tempo_pays_41_41_18():
    c, net = subnet_with_weights()
    run_to_next_epoch(c, net)  # start measuring right after an epoch
    before = {p: holdings(c, net, p) for p in ("m", "v", "owner")}
    alpha_before = c.subnet(net).alpha_out
    run_to_next_epoch(c, net)
    paid = {p: holdings(c, net, p) - before[p] for p in before}
    emitted = c.subnet(net).alpha_out - alpha_before  # all of it was paid (no root stake, dust burned)
    total = sum(paid.values())
    assert total == pytest.approx(emitted, abs=10) and total == pytest.approx(21 * RAO_PER_TAO, rel=1e-9)
    assert paid["owner"] / total == pytest.approx(0.18, abs=1e-9)
    assert paid["m"] / total == pytest.approx(0.41, abs=1e-9)
    assert paid["v"] / total == pytest.approx(0.41, abs=1e-9)
    mg = c.metagraph(net)
    assert mg.loc[mg.hotkey.str.startswith("m"), "incentive"].sum() == pytest.approx(1.0)
    assert mg.loc[mg.hotkey.str.startswith("v"), "dividends"].sum() == pytest.approx(1.0)
    # incentive follows the weights 1 : 2 : 3
    inc = list(mg.loc[mg.hotkey.str.startswith("m"), "incentive"])
    assert inc == pytest.approx([1 / 6, 2 / 6, 3 / 6], rel=1e-3)
    c.check_invariants()


def test_injection_keeps_the_price_and_issuance_grows_by_tao_in():
    c, net = subnet_with_weights()
    s = c.subnet(net)
    price, issuance = s.price, c.total_issuance
    c.step(1)
    assert s.price == pytest.approx(price, rel=1e-9)
    frame = c.history_frame("subnets", max_rows=None)
    last = frame.iloc[-1]
    assert c.total_issuance - issuance == last["tao_in"]
    before = s.alpha_issuance - int(last["alpha_out_emission"]) - int(last["alpha_in"])
    assert last["alpha_out_emission"] == block_reward(before)


def test_dtao_shares_follow_moving_price_and_root_alpha_is_sold():
    c, net = subnet_with_weights(root_stake=tao(500))
    c.faucet("o2", tao(1_000))
    net2 = c.register_subnet("o2", "o2/hk")
    c.faucet("buyer", tao(500))
    c.associate_hotkey("buyer", "buyer/hk")
    c.add_stake("buyer", "o2/hk", net2, tao(400))
    c.step(200)
    # shares use the moving prices from before this block's update
    p1, p2 = c.subnet(net).moving_price, c.subnet(net2).moving_price
    c.step(1)
    frame = c.history_frame("subnets", max_rows=None)
    last = frame[frame.block == c.block].set_index("netuid")
    assert last.loc[net2, "share"] == pytest.approx(p2 / (p1 + p2), rel=1e-12)
    assert p2 < p1  # a younger subnet's EMA starts at 0 and moves slowly
    # validators with root stake earn root dividends as TAO staked on root
    root_before = holdings(c, net, "v", netuid=0)
    pending = c.subnet(net).pending_root_tao
    assert pending > 0
    run_to_next_epoch(c, net)
    assert holdings(c, net, "v", netuid=0) > root_before
    c.check_invariants()


def test_moving_price_update():
    c, net = subnet_with_weights()
    s = c.subnet(net)
    p_before, age = s.moving_price, c.block + 1 - s.registered_at
    c.step(1)
    a = c.params["subnet_moving_alpha"] * age / (age + c.params["ema_price_halving_blocks"])
    assert s.moving_price == pytest.approx(a * min(s.price, 1.0) + (1 - a) * p_before, rel=1e-12)


def test_taoflow_shares_follow_net_flow():
    c, net = subnet_with_weights(era="taoflow")
    c.faucet("o2", tao(1_000))
    net2 = c.register_subnet("o2", "o2/hk")
    run_to_next_epoch(c, net2)  # alpha emission (not TAO) reaches net2's owner even with no flow
    c.remove_stake("o2", "o2/hk", net2, c.stake("o2/hk", net2, "o2"))  # net outflow
    c.step(3)
    assert c.subnet(net2).taoflow_ema < 0 < c.subnet(net).taoflow_ema
    frame = c.history_frame("subnets", max_rows=None)
    last = frame[frame.block == c.block].set_index("netuid")
    assert last.loc[net2, "share"] == 0 and last.loc[net, "share"] == 1
    c.check_invariants()


def test_taoflow_keeps_root_dividends_as_alpha():
    c, net = subnet_with_weights(era="taoflow", root_stake=tao(500))
    c.faucet("x", tao(100))
    c.associate_hotkey("x", "x/hk")
    c.add_stake("x", "v0/hk", net, tao(50))  # positive flow, so the subnet emits
    c.step(2)
    assert c.subnet(net).pending_root_alpha > 0 and c.subnet(net).pending_root_tao == 0
    run_to_next_epoch(c, net)
    assert c.subnet(net).pending_root_alpha == 0
    c.check_invariants()


def test_root_vote_era_pays_tao():
    c, net = subnet_with_weights(era="root-vote")
    owner_balance = c.balance("owner")
    run_to_next_epoch(c, net)
    before_root = holdings(c, net, "m", netuid=0) + holdings(c, net, "v", netuid=0)
    issuance = c.total_issuance
    s = run_to_next_epoch(c, net)
    tempo_blocks = s.hyperparams["tempo"] + 1
    # the one subnet gets every block reward (less a few rao of rounding dust, recycled)
    assert c.total_issuance - issuance == pytest.approx(tempo_blocks * RAO_PER_TAO, abs=100)
    gained = holdings(c, net, "m", netuid=0) + holdings(c, net, "v", netuid=0) - before_root
    assert gained == pytest.approx(0.82 * tempo_blocks * RAO_PER_TAO, rel=1e-6)
    assert c.balance("owner") > owner_balance  # the owner cut arrives as free TAO
    assert c.subnet(net).alpha_issuance == tao(100)  # no alpha in this era (the registration burns only)
    c.check_invariants()


def test_epochs_are_staggered_by_netuid():
    c = Chain(subnet_defaults={"tempo": 10}, network_min_lock=tao(1))
    c.faucet("o", tao(100))
    nets = [c.register_subnet("o", f"o/{i}") for i in range(3)]
    seen = {n: [] for n in nets}
    for _ in range(40):
        c.step()
        for n in nets:
            if c.subnet(n).last_epoch_block == c.block:
                seen[n].append(c.block)
    for n in nets:
        assert all((b + n + 1) % 11 == 0 for b in seen[n]) and len(seen[n]) >= 3
    assert len({tuple(v) for v in seen.values()}) == 3


def test_alpha_halves_on_its_own_issuance():
    c = Chain(network_min_lock=tao(10_500_000))
    c.faucet("o", tao(10_500_000))
    net = c.register_subnet("o", "o/hk")  # alpha issuance starts at 10.5M: past the first alpha halving
    c.step(2)
    frame = c.history_frame("subnets", max_rows=None)
    assert frame.iloc[-1]["alpha_out_emission"] == RAO_PER_TAO // 2
    assert c.subnet(net).alpha_issuance > tao(10_500_000)


def test_split_never_overpays():
    assert split(10, [1, 1, 1]) == [3, 3, 3]
    assert split(0, [1, 2]) == [0, 0] and split(5, [0, 0]) == [0, 0]
    assert sum(split(10**12 + 7, [0.1, 0.2, 0.3, 0.4])) <= 10**12 + 7


def test_first_epoch_without_permits_pays_validators_by_stake():
    c = Chain(subnet_defaults={**EASY, "tempo": 9}, network_min_lock=tao(100))
    c.faucet("o", tao(1_000))
    net = c.register_subnet("o", "o/hk")
    for i, amount in enumerate((100, 300)):
        c.faucet(f"v{i}", tao(1_000))
        c.register_neuron(f"v{i}", f"v{i}/hk", net)
        c.add_stake(f"v{i}", f"v{i}/hk", net, tao(amount))
    stakes = [c.stake(f"v{i}/hk", net) for i in range(2)]
    run_to_next_epoch(c, net)  # nobody holds a permit yet: Yuma's fallback pays by stake, miners get nothing
    gains = [c.stake(f"v{i}/hk", net) - stakes[i] for i in range(2)]
    assert gains[1] / gains[0] == pytest.approx(stakes[1] / stakes[0], rel=1e-6)
    assert c.subnet(net).validator_permit.all()
    c.check_invariants()


def test_epoch_history_is_thinned_by_epoch():
    c, net = subnet_with_weights(tempo=4)
    c.history.max_rows = 50
    c.step(300)
    assert len(c.history.epochs) <= 50 and c.history.epoch_stride > 1
    assert set(c.history_frame("epochs")["uid"]) == set(range(7))


def test_alpha_in_is_capped_at_the_alpha_emission():
    # A cheap alpha (price 0.01) would need 100 alpha per TAO to keep its price: alpha_in is capped at the
    # block's alpha emission and the price rises instead (economics.md: alpha_in = min(T/p, alpha_reward)).
    c = Chain(network_min_lock=tao(1), subnet_defaults={"tempo": 1000})
    c.faucet("o", tao(10))
    net = c.register_subnet("o", "o/hk")
    c.step(2)
    c.subnet(net).moving_price = 1.0  # the only subnet: it receives the whole block reward
    pool = c.subnet(net).pool
    removed = pool.tao_reserve - pool.tao_reserve // 100
    pool.tao_reserve -= removed
    c.total_issuance -= removed  # keep the books straight after the edit above
    c.total_burned += removed
    price = c.subnet(net).price
    c.step(1)
    last = c.history_frame("subnets", max_rows=None).iloc[-1]
    assert last["tao_in"] == RAO_PER_TAO and last["alpha_in"] == last["alpha_out_emission"]
    assert c.subnet(net).price > price
    c.check_invariants()


def test_lock_cost_decays_twice_as_fast_after_a_halving():
    def decay(issuance):
        c = Chain(network_min_lock=tao(100), network_lock_reduction_interval=1000)
        c.faucet("o", issuance)
        c.register_subnet("o", "o/hk")
        cost = c.network_lock_cost()
        c.step(100)
        return cost - c.network_lock_cost()

    assert decay(tao(10_500_000)) == 2 * decay(tao(1_000))


def test_epoch_history_thinning_keeps_every_subnet():
    # Thinning must follow each subnet's own epoch index: a counter shared by all subnets, with equal tempos,
    # kept the same subnet's epochs at every halving and dropped the other subnet entirely.
    c, net = subnet_with_weights(tempo=4, validators=1, miners=1)
    c.faucet("o2", tao(1_000))
    net2 = c.register_subnet("o2", "o2/hk")
    c.history.max_rows = 20
    c.step(30 * 5)
    assert c.history.epoch_stride > 1 and len(c.history.epochs) <= 20
    epochs = c.history_frame("epochs", max_rows=None)
    assert set(epochs["netuid"]) == {net, net2}
    for n in (net, net2):  # each subnet's kept epochs are every epoch_stride-th of its own
        s = c.subnet(n)
        kept = {s.epoch_index(b) for b in epochs.loc[epochs["netuid"] == n, "block"]}
        assert kept and all(k % c.history.epoch_stride == 0 for k in kept)


def test_taoflow_root_dividends_go_to_root_nominators():
    # economics.md (Taoflow): "Root dividends are kept as alpha and claimed by root stakers", so the root part
    # of a validator's dividend reaches those staked on it on root, not its alpha nominators.
    c, net = subnet_with_weights(era="taoflow", root_stake=tao(500))
    c.faucet("rootnom", tao(1_000))
    c.faucet("alphanom", tao(1_000))
    c.add_stake("rootnom", "v0/hk", 0, tao(300))  # a root nominator of v0
    c.add_stake("alphanom", "v0/hk", net, tao(100))  # an alpha-only nominator of v0
    c.set_take("v0", "v0/hk", 0.0)
    run_to_next_epoch(c, net)
    who = ("v0", "rootnom", "alphanom")
    alpha = {ck: c.stake("v0/hk", net, ck) for ck in who}
    root = {ck: c.stake("v0/hk", 0, ck) for ck in who}
    alpha_total, root_total = c.stake("v0/hk", net), c.stake("v0/hk", 0)
    assert root["alphanom"] == 0 and root["rootnom"] > 0
    run_to_next_epoch(c, net)
    gain = {ck: c.stake("v0/hk", net, ck) - alpha[ck] for ck in who}
    paid = c.subnet(net).emission[c.uid(net, "v0/hk")]  # v0's alpha part + root part (no incentive, no take)
    alpha_part = gain["alphanom"] * alpha_total / alpha["alphanom"]  # alphanom only shares in the alpha part
    root_part = paid - alpha_part
    assert root_part > 0.1 * paid  # the root part is not shared with alphanom
    # ... but goes to v0's root stakers, as alpha on the subnet, by their root stake
    for ck in ("v0", "rootnom"):
        expected = alpha_part * alpha[ck] / alpha_total + root_part * root[ck] / root_total
        assert gain[ck] == pytest.approx(expected, rel=1e-6)
    assert c.subnet(net).pending_root_alpha == 0
    c.check_invariants()


def test_root_prop_counts_root_stake_not_the_fees_kept_in_roots_pool():
    # economics.md: root_prop = w·R / (w·R + alpha_issuance) with R = all TAO staked on root. Root's TAO
    # reserve also holds the staking fees, so R is root's alpha_out (the sum of every root stake).
    c, net = subnet_with_weights(era="taoflow", root_stake=tao(500), staking_fee=tao(20))
    root = c.subnet(0)
    staked = sum(pool.alpha for (_, n), pool in c.stakes.items() if n == 0)
    assert root.alpha_out == staked and root.pool.tao_reserve >= staked + 3 * tao(20)
    run_to_next_epoch(c, net)
    s = c.subnet(net)
    pending = s.pending_root_alpha
    c.step(1)
    alpha_out = int(c.history_frame("subnets", max_rows=None).iloc[-1]["alpha_out_emission"])
    rest = alpha_out - int(alpha_out * c.params["subnet_owner_cut"])
    weighted_root = c.params["tao_weight"] * staked
    root_prop = weighted_root / (weighted_root + s.alpha_issuance)
    assert s.pending_root_alpha - pending == int(root_prop * rest * 0.5)
    c.check_invariants()
