"""Benchmark `Chain.step()`: 8 subnets x 64 UIDs (16 validators with weights, 47 miners, the owner).

Reports blocks per second for plain blocks, the cost of an epoch block, and sandbox updates per second
(an update = 36 blocks, the natural mix of plain and epoch blocks).

    .venv/bin/python scripts/bench_chain.py [--subnets 8] [--uids 64] [--validators 16] [--era dtao]
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from taosandbox.chain import Chain
from taosandbox.units import tao


def build(subnets: int, uids: int, validators: int, era: str, seed: int = 0) -> Chain:
    hp = {"commit_reveal_weights_enabled": False, "max_registrations_per_block": uids,
          "target_registrations_per_interval": uids, "max_allowed_uids": max(uids, 2)}
    c = Chain(seed=seed, era=era, subnet_defaults=hp, network_min_lock=tao(100))
    rng = np.random.default_rng(seed)
    c.faucet("owner", tao(100) * 2 ** (subnets + 1))
    nets = [c.register_subnet("owner", f"owner/{k}") for k in range(subnets)]
    for net in nets:
        for i in range(1, uids):
            ck, hk = f"ck{net}-{i}", f"hk{net}-{i}"
            c.faucet(ck, tao(1_000))
            c.register_neuron(ck, hk, net)
            if i <= validators:
                stake_net = 0 if era == "root-vote" else net
                c.add_stake(ck, hk, stake_net, tao(int(rng.integers(10, 500))))
        if era == "root-vote" and net == nets[0]:
            for i in range(1, validators + 1):
                c.root_register(f"ck{net}-{i}", f"hk{net}-{i}")
    if era == "root-vote":
        for i in range(1, validators + 1):
            c.set_root_weights(f"ck{nets[0]}-{i}", f"hk{nets[0]}-{i}", nets, list(rng.random(len(nets))))
    c.step(c.subnet(nets[0]).hyperparams["tempo"] + 1)  # every subnet's first epoch: permits
    for net in nets:
        miners = list(range(validators + 1, uids))
        for i in range(1, validators + 1):
            c.set_weights(f"ck{net}-{i}", f"hk{net}-{i}", net, miners, list(rng.random(len(miners))))
    return c


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--subnets", type=int, default=8)
    ap.add_argument("--uids", type=int, default=64)
    ap.add_argument("--validators", type=int, default=16)
    ap.add_argument("--era", default="dtao")
    ap.add_argument("--updates", type=int, default=100)
    args = ap.parse_args()

    t0 = time.perf_counter()
    c = build(args.subnets, args.uids, args.validators, args.era)
    print(f"setup: {args.subnets} subnets x {args.uids} UIDs ({args.validators} validators), era {args.era}: "
          f"{time.perf_counter() - t0:.2f} s")

    plain, epoch = [], []
    for _ in range(2 * 361):
        due = any(c.subnets[n].is_epoch_block(c.block + 1) for n in c.netuids if n)
        t = time.perf_counter()
        c.step(1)
        (epoch if due else plain).append(time.perf_counter() - t)
    print(f"plain block: {1e3 * np.median(plain):.3f} ms median -> {1 / np.mean(plain):,.0f} blocks/s")
    print(f"epoch block: {1e3 * np.median(epoch):.3f} ms median (one subnet's epoch + payouts), "
          f"{len(epoch)} seen")

    t = time.perf_counter()
    for _ in range(args.updates):
        c.step(36)
    dt = (time.perf_counter() - t) / args.updates
    print(f"update (36 blocks): {1e3 * dt:.2f} ms -> {1 / dt:.1f} updates/s")
    t = time.perf_counter()
    text = c.to_json()
    print(f"save: {len(text) / 1e6:.2f} MB in {time.perf_counter() - t:.3f} s; "
          f"history rows: {len(c.history.blocks):,} blocks, {len(c.history.epochs):,} epochs")
    t = time.perf_counter()
    frame = c.history_frame("subnets")
    print(f"history frame ({len(frame)} rows): {1e3 * (time.perf_counter() - t):.1f} ms")
    c.check_invariants()


if __name__ == "__main__":
    main()
