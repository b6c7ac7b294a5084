"""The coinbase: what happens in every block, per era, and the epoch that pays out pending emission.

Order inside one block (as the chain's `block_step` / `run_coinbase`):
1. registration terms (burn price adjustment, per-block counters);
2. emission: the block reward is shared among subnets and injected; participants' alpha becomes pending;
3. epochs: each subnet whose tempo comes due drains its pending emission through Yuma Consensus;
4. moving prices (and taoflow's flow EMA) are updated last, after they were used for the shares.
"""

from __future__ import annotations

import numpy as np

from taosandbox import registration
from taosandbox.emission import block_reward
from taosandbox.yuma import epoch

ROOT = 0
_WEIGHT_SCALE = 2**52  # proportions become integers for an exact, never-over-paying split


def split(amount: int, weights) -> list[int]:
    """Floor-divide `amount` rao in proportion to non-negative `weights`; the sum never exceeds `amount`."""
    w = np.asarray(weights, dtype=float)
    top = w.max() if w.size else 0.0
    if amount <= 0 or top <= 0:
        return [0] * len(w)
    q = [int(x) for x in np.floor(w / top * _WEIGHT_SCALE)]
    total = sum(q)
    return [amount * x // total for x in q]


# ----------------------------------------------------------------------------------------------------
# One block


def run_block(chain) -> None:
    chain.block += 1
    block = chain.block
    subnets = [chain.subnets[n] for n in chain.netuids if n != ROOT]
    for s in subnets:
        _adjust_registration_terms(s, block)

    reward = block_reward(chain.total_issuance)
    emitting = [s for s in subnets if s.registered_at < block]
    if chain.era == "root-vote":
        shares = _root_vote_shares(chain, emitting)
    elif chain.era == "taoflow":
        shares = [max(s.taoflow_ema, 0.0) for s in emitting]
    else:
        shares = [s.moving_price for s in emitting]
    total = sum(shares)
    shares = [x / total if total > 0 else 0.0 for x in shares]
    emitted = {}
    for s, share in zip(emitting, shares, strict=True):
        if chain.era == "root-vote":
            emitted[s.netuid] = _emit_root_vote(chain, s, reward, share)
        else:
            emitted[s.netuid] = _emit_pool(chain, s, reward, share)

    for s in subnets:
        if s.is_epoch_block(block):
            chain._reveal_timelocked(s)  # commit-reveal v3: sealed weights open at the start of an epoch
            drain_pending(chain, s)

    moving_alpha = chain.params["subnet_moving_alpha"]
    halving = chain.params["ema_price_halving_blocks"]
    flow_alpha = 1.0 - 2.0 ** (-1.0 / chain.params["taoflow_half_life"])
    for s in subnets:
        age = block - s.registered_at
        a = moving_alpha * age / (age + halving)  # young subnets' EMA moves slowly
        s.moving_price = a * min(s.pool.price, 1.0) + (1.0 - a) * s.moving_price
        s.taoflow_ema = (1.0 - flow_alpha) * s.taoflow_ema + flow_alpha * s.flow
        s.flow = 0
    chain.subnets[ROOT].flow = 0

    _record_block(chain, block, reward, subnets, dict(zip((s.netuid for s in emitting), shares, strict=True)),
                  emitted)


def _adjust_registration_terms(s, block: int) -> None:
    hp = s.hyperparams
    s.registrations_this_block = 0
    if block - s.last_adjustment_block >= hp["adjustment_interval"]:
        s.burn = registration.upgraded_burn(s.burn, s.registrations_this_interval,
                                            hp["target_registrations_per_interval"], hp["adjustment_alpha"],
                                            hp["min_burn"], hp["max_burn"])
        s.registrations_this_interval = 0
        s.last_adjustment_block = block


def _root_vote_shares(chain, emitting) -> list[float]:
    """Pre-dTAO: subnet j gets Σ_v stake_v · w_vj over the top root validators by stake (rows normalised)."""
    root = chain.subnets[ROOT]
    voters = sorted(root.root_weights, key=lambda hk: (-chain.stake(hk, ROOT), hk))
    voters = voters[: root.hyperparams["max_validators"]]
    shares = [0.0] * len(emitting)
    index = {s.netuid: i for i, s in enumerate(emitting)}
    for hk in voters:
        w = root.root_weights[hk]
        total = sum(w.values())
        if total <= 0:
            continue
        stake = chain.stake(hk, ROOT)
        for netuid, x in w.items():
            if netuid in index:
                shares[index[netuid]] += stake * x / total
    return shares


def _emit_root_vote(chain, s, reward: int, share: float) -> tuple[int, int, int]:
    """Pre-dTAO: the subnet's TAO is pending in full: 18 % owner, the rest ½ miners, ½ validators."""
    tao = int(reward * share)
    if tao <= 0:
        return 0, 0, 0
    chain.total_issuance += tao
    chain.total_emitted += tao
    owner = int(tao * chain.params["subnet_owner_cut"])
    server = (tao - owner) // 2
    s.pending_owner += owner
    s.pending_server += server
    s.pending_validator += tao - owner - server
    return tao, 0, 0


def _emit_pool(chain, s, reward: int, share: float) -> tuple[int, int, int]:
    """dTAO / taoflow: inject TAO and alpha into the pool without moving its price, then make the
    subnet's alpha emission pending (owner cut, miners, validators, root stakers)."""
    pool = s.pool
    alpha_emission = block_reward(s.alpha_issuance)  # each subnet's alpha halves on its own issuance
    tao_in = int(reward * share)
    # alpha_in = tao_in / price keeps the price, but is capped at the subnet's alpha emission; tao_in is not
    # cut back then (economics.md, and the chain's run_coinbase of Feb 2025), so a capped pool's price rises.
    alpha_in = tao_in * pool.alpha_reserve // pool.tao_reserve if pool.tao_reserve else alpha_emission
    alpha_in = min(alpha_in, alpha_emission)
    pool.tao_reserve += tao_in
    pool.alpha_reserve += alpha_in
    chain.total_issuance += tao_in
    chain.total_emitted += tao_in

    alpha_out = alpha_emission
    s.alpha_out += alpha_out
    owner = int(alpha_out * chain.params["subnet_owner_cut"])
    rest = alpha_out - owner
    root_stake = chain.subnets[ROOT].alpha_out  # R = all TAO staked on root (its TAO reserve also holds fees)
    weighted_root = chain.params["tao_weight"] * root_stake
    root_prop = weighted_root / (weighted_root + s.alpha_issuance) if weighted_root > 0 else 0.0
    root_alpha = int(root_prop * rest * 0.5)
    server = rest // 2
    s.pending_owner += owner
    s.pending_server += server
    s.pending_validator += rest - server - root_alpha
    if root_alpha > 0:
        if chain.era == "dtao":
            # Sold through the pool every block; the TAO waits for root stakers until the epoch.
            tao = pool.tao_reserve * root_alpha // (pool.alpha_reserve + root_alpha)
            pool.alpha_reserve += root_alpha
            pool.tao_reserve -= tao
            s.alpha_out -= root_alpha
            s.pending_root_tao += tao
        else:
            s.pending_root_alpha += root_alpha  # taoflow: kept as alpha for root stakers
    return tao_in, alpha_in, alpha_out


# ----------------------------------------------------------------------------------------------------
# The epoch


def drain_pending(chain, s) -> None:
    """Run Yuma on the subnet and pay its pending emission: owner cut, incentive to miners, dividends
    (after take) to validators and their nominators, split into alpha and root parts by stake composition."""
    root_vote = chain.era == "root-vote"
    block = chain.block
    hp = s.hyperparams
    n = s.n
    s.last_epoch_block = block
    pending = {"server": s.pending_server, "validator": s.pending_validator, "owner": s.pending_owner,
               "root_tao": s.pending_root_tao, "root_alpha": s.pending_root_alpha}
    s.pending_server = s.pending_validator = s.pending_owner = s.pending_root_tao = s.pending_root_alpha = 0
    pay_netuid = ROOT if root_vote else s.netuid

    # Yuma reads the stakes as they are before this epoch's payouts.
    last_update = np.asarray(s.last_update)
    registered = np.asarray(s.registered_block)
    r = epoch(
        s.weights, chain.stake_weight(s.netuid), s.bonds, params=s.yuma_params(),
        active=last_update + hp["activity_cutoff"] >= block,
        permits=s.validator_permit,
        outdated=last_update[:, None] <= registered[None, :],
        new_registrations=s.new_registration,
        owner_uid=s.uid_of.get(s.owner_hotkey),
    )
    s.bonds = np.array(r.bonds, dtype=float)
    s.consensus = np.array(r.consensus, dtype=float)
    s.incentive = np.array(r.incentive, dtype=float)
    s.dividends = np.array(r.dividends, dtype=float)
    s.validator_trust = np.array(r.validator_trust, dtype=float)
    s.validator_permit = np.array(r.next_permits, dtype=bool)
    s.new_registration = np.zeros(n, bool)

    miner, validator = np.asarray(r.miner_emission), np.asarray(r.validator_emission)
    server_alpha, validator_alpha = pending["server"], pending["validator"]
    if miner.sum() <= 0:
        validator_alpha += server_alpha  # no miner earned anything: validators get the miner half too
        server_alpha = 0
    incentives = split(server_alpha, miner)

    # Dividends: alpha part and root part by each validator's stake composition.
    if root_vote:
        alpha_part, root_part = validator, np.zeros(n)
    else:
        alpha_stake = np.array([chain.stake(hk, s.netuid) for hk in s.hotkeys], dtype=float)
        root_stake = np.array([chain.stake(hk, ROOT) for hk in s.hotkeys], dtype=float)
        root_w = chain.params["tao_weight"] * root_stake
        total_w = alpha_stake + root_w
        alpha_frac = np.divide(alpha_stake, total_w, out=np.ones(n), where=total_w > 0)
        alpha_part = validator * alpha_frac
        root_part = validator - alpha_part

    # Owner cut: pre-dTAO to the owner's free balance, since dTAO as alpha stake on the owner's hotkey.
    if root_vote:
        chain.balances[s.owner_coldkey] = chain.balances.get(s.owner_coldkey, 0) + pending["owner"]
    else:
        _stake_to(chain, s.owner_hotkey, pay_netuid, pending["owner"])

    alpha_divs = split(validator_alpha, alpha_part)
    root_tao_divs = split(pending["root_tao"], root_part)
    root_alpha_divs = split(pending["root_alpha"], root_part)

    root_alpha_paid = 0
    for uid, hk in enumerate(s.hotkeys):
        _stake_to(chain, hk, pay_netuid, incentives[uid])
        _dividend_to(chain, hk, pay_netuid, alpha_divs[uid])
        root_alpha_paid += _root_alpha_dividend_to(chain, hk, s.netuid, root_alpha_divs[uid])
        _dividend_to(chain, hk, ROOT, root_tao_divs[uid])
        s.emission[uid] = incentives[uid] + alpha_divs[uid] + root_alpha_divs[uid]

    _leftover(chain, s,
              server_alpha + validator_alpha + pending["root_alpha"]
              - sum(incentives) - sum(alpha_divs) - root_alpha_paid,
              pending["root_tao"] - sum(root_tao_divs))
    _record_epoch(chain, s, block)


def _stake_to(chain, hotkey: str, netuid: int, amount: int) -> None:
    """Emission staked to a hotkey's own coldkey (pending alpha was already counted in alpha_out)."""
    if amount <= 0:
        return
    chain._credit(hotkey, netuid, chain.hotkey_owner[hotkey], amount)
    if netuid == ROOT:
        _enter_root(chain, netuid, amount)


def _dividend_to(chain, hotkey: str, netuid: int, amount: int) -> None:
    """A validator keeps its take; the rest raises the stake of everyone staked on it, pro rata."""
    if amount <= 0:
        return
    owner = chain.hotkey_owner[hotkey]
    take = int(amount * chain.take.get(hotkey, 0.0))
    pool = chain._stake_pool(hotkey, netuid)
    pool.deposit(owner, take)
    pool.distribute(amount - take, owner)
    if netuid == ROOT:
        _enter_root(chain, netuid, amount)


def _root_alpha_dividend_to(chain, hotkey: str, netuid: int, amount: int) -> int:
    """Taoflow: the validator keeps its take; the rest is staked as alpha on (hotkey, netuid) to each of its root
    nominators, pro rata to their root shares (root dividends belong to root stakers, economics.md).
    Returns what was paid: the floor dust goes to the caller's leftover."""
    if amount <= 0:
        return 0
    owner = chain.hotkey_owner[hotkey]
    take = int(amount * chain.take.get(hotkey, 0.0))
    rest = amount - take
    root = chain.stakes.get((hotkey, ROOT))
    if root is None or root.shares_total == 0:
        chain._credit(hotkey, netuid, owner, amount)  # no root nominator left (only dust): the owner, as distribute
        return amount
    # Shares are read before any deposit below (deposits go to the subnet's pool, never to the root one).
    payouts = [(ck, rest * sh // root.shares_total) for ck, sh in sorted(root.shares.items())]
    for ck, alpha in [(owner, take), *payouts]:
        if alpha > 0:  # _credit would leave an empty stake pool behind for 0
            chain._credit(hotkey, netuid, ck, alpha)
    return take + sum(alpha for _, alpha in payouts)


def _enter_root(chain, netuid: int, amount: int) -> None:
    # TAO paid as root stake joins root's TAO (it was pending TAO, outside every pool, until now).
    root = chain.subnets[ROOT]
    root.pool.tao_reserve += amount
    root.alpha_out += amount


def _leftover(chain, s, alpha: int, root_tao: int) -> None:
    """What nobody could receive (rounding dust, no eligible recipient) leaves circulation."""
    if chain.era == "root-vote":
        root_tao += alpha  # pending was TAO
    else:
        s.alpha_out -= alpha
    chain.total_issuance -= root_tao
    chain.total_burned += root_tao


# ----------------------------------------------------------------------------------------------------
# History


def _record_block(chain, block: int, reward: int, subnets, shares: dict, emitted: dict) -> None:
    h = chain.history
    if not h.records_block(block):
        return
    for s in subnets:
        tao_in, alpha_in, alpha_out = emitted.get(s.netuid, (0, 0, 0))
        h.blocks.append((block, s.netuid, s.pool.price, s.moving_price, s.pool.tao_reserve,
                         s.pool.alpha_reserve, s.alpha_out, tao_in, alpha_in, alpha_out,
                         shares.get(s.netuid, 0.0), s.taoflow_ema))
    h.network.append((block, chain.total_issuance, reward, chain.total_emitted,
                      chain.subnets[ROOT].pool.tao_reserve, sum(chain.balances.values()), len(subnets)))
    if len(h.blocks) > h.max_rows or len(h.network) > h.max_rows:
        h.thin()


def _record_epoch(chain, s, block: int) -> None:
    h = chain.history
    h.n_epochs += 1
    # Thin on the subnet's own epoch index, not the shared counter: with equal tempos that counter would keep
    # the same subnets at every halving and drop the others entirely.
    index = s.epoch_index(block)
    if index % h.epoch_stride:
        return
    for uid, hk in enumerate(s.hotkeys):
        h.epochs.append((block, s.netuid, uid, hk, chain.stake(hk, s.netuid), chain.stake(hk, ROOT),
                         float(s.consensus[uid]), float(s.incentive[uid]), float(s.dividends[uid]),
                         float(s.validator_trust[uid]), bool(s.validator_permit[uid]), s.emission[uid],
                         index))
    if len(h.epochs) > h.max_rows:
        h.thin()
