"""Registration prices and pruning: pure functions of the chain's numbers.

* A subnet's lock cost doubles with every registration and decays linearly back toward the minimum.
* A UID's burn price moves toward a target number of registrations per adjustment interval.
* When full, the chain replaces the weakest non-immune UID, or dissolves the weakest non-immune subnet.
"""

from __future__ import annotations

from taosandbox.units import RAO_PER_TAO


def lock_reduction_interval(base_interval: int, block_reward_rao: int) -> int:
    """The decay interval scales with the block reward, so after a halving a lock decays twice as fast."""
    return max(1, base_interval * block_reward_rao // RAO_PER_TAO)


def network_lock_cost(
    last_lock: int, last_lock_block: int | None, block: int, min_lock: int, interval: int
) -> int:
    """cost = max(min_lock, 2·L − floor(L / interval)·(block − t_L)); before any registration, L itself.

    (The chain marks "no registration yet" with block 0; here it is None, since a sandbox registers at 0.)
    """
    if last_lock_block is None:
        return max(min_lock, last_lock)
    cost = 2 * last_lock - (last_lock // interval) * max(0, block - last_lock_block)
    return max(min_lock, cost)


def upgraded_burn(
    burn: int, registrations: int, target: int, adjustment_alpha: float, min_burn: int, max_burn: int
) -> int:
    """The chain's burn adjustment, run once per adjustment interval.

    The burn is scaled by (registrations + target) / (2·target) — up when more registered than the target,
    halved when nobody did — and smoothed: next = α·burn + (1 − α)·scaled. Clamped to [min_burn, max_burn].
    """
    target = max(1, target)
    scaled = burn * (registrations + target) / (2 * target)
    nxt = adjustment_alpha * burn + (1.0 - adjustment_alpha) * scaled
    return int(min(max(nxt, min_burn), max_burn))


def neuron_to_prune(
    emission: list[int], registered_at: list[int], block: int, immunity_period: int, protected: set[int]
) -> int | None:
    """The UID to replace when a subnet is full: the lowest emission among UIDs out of immunity (ties:
    earlier registration, then lower UID). `protected` UIDs (the owner's) are never pruned. None if every
    UID is immune."""
    candidates = [
        (emission[uid], registered_at[uid], uid)
        for uid in range(len(emission))
        if uid not in protected and block - registered_at[uid] >= immunity_period
    ]
    return min(candidates)[2] if candidates else None


def subnet_to_prune(
    moving_prices: dict[int, float], registered_at: dict[int, int], block: int, immunity_period: int
) -> int | None:
    """The netuid to dissolve when all subnet slots are taken: lowest moving price out of immunity
    (ties: earlier registration, then lower netuid). None if every subnet is immune."""
    candidates = [
        (price, registered_at[netuid], netuid)
        for netuid, price in moving_prices.items()
        if block - registered_at[netuid] >= immunity_period
    ]
    return min(candidates)[2] if candidates else None
