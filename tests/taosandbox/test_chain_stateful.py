"""Random sequences of extrinsics and blocks, in every era.

After every rule the books balance (TAO issuance and each subnet's alpha); a refused call changes nothing
(saved JSON before == after); the same seed and operations give the same saved chain; and a chain saved
mid-run, loaded and continued ends exactly where the original does.
"""

import numpy as np
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from taosandbox.chain import ERAS, Chain
from taosandbox.errors import ChainError
from taosandbox.units import tao

COLDKEYS = ["alice", "bob", "carol", "dave"]
HOTKEYS = [f"{c}/hk{i}" for c in COLDKEYS for i in range(2)]
SUBNET = {"tempo": 5, "commit_reveal_weights_enabled": False, "max_registrations_per_block": 4,
          "target_registrations_per_interval": 4, "adjustment_interval": 10, "weights_rate_limit": 3,
          "immunity_period": 10, "max_allowed_uids": 5}
PARAMS = {"network_min_lock": tao(10), "max_subnets": 3, "network_immunity_period": 20}

amounts = st.one_of(
    st.integers(10**6, tao(300)),
    st.integers(0, 10**6),
    st.sampled_from([-1, 1.5, float("nan"), None]),  # bad inputs are refused like any other
)
netuids = st.one_of(st.integers(0, 3), st.integers(0, 3), st.sampled_from([-1, 7, True, "1"]))


def make_chain(era):
    return Chain(seed=5, era=era, subnet_defaults=SUBNET, **PARAMS)


class ChainMachine(RuleBasedStateMachine):
    @initialize(era=st.sampled_from(ERAS))
    def setup(self, era):
        self.era = era
        self.chain = make_chain(era)
        self.ops = []
        self.fork = None
        self.refusals = 0
        for ck in COLDKEYS:
            self.apply("faucet", ck, tao(2_000))
        self.apply("register_subnet", "alice", "alice/hk0")
        self.apply("register_subnet", "bob", "bob/hk0")
        self.apply("register_neuron", "carol", "carol/hk0", 1)
        self.apply("register_neuron", "dave", "dave/hk0", 2)
        self.apply("add_stake", "carol", "carol/hk0", 0 if era == "root-vote" else 1, tao(100))
        self.apply("step", 1)
        assert self.refusals == 0

    def apply(self, name, *args, **kwargs):
        """Run one operation; a refusal must leave the saved chain unchanged."""
        self.ops.append((name, args, kwargs))
        before = self.chain.to_json()
        try:
            getattr(self.chain, name)(*args, **kwargs)
        except ChainError:
            self.refusals += 1
            assert self.chain.to_json() == before, f"refused {name}{args} changed the chain"

    @rule(ck=st.sampled_from(COLDKEYS), amount=amounts)
    def faucet(self, ck, amount):
        self.apply("faucet", ck, amount)

    @rule(ck=st.sampled_from(COLDKEYS + ["nobody"]), dest=st.sampled_from(COLDKEYS), amount=amounts)
    def transfer(self, ck, dest, amount):
        self.apply("transfer", ck, dest, amount)

    @rule(hk=st.sampled_from(HOTKEYS), ck=st.sampled_from(COLDKEYS))
    def register_subnet(self, hk, ck):
        self.apply("register_subnet", ck, hk)

    @rule(hk=st.sampled_from(HOTKEYS), ck=st.sampled_from(COLDKEYS), netuid=netuids)
    def register_neuron(self, hk, ck, netuid):
        self.apply("register_neuron", ck, hk, netuid)

    @rule(hk=st.sampled_from(HOTKEYS), ck=st.sampled_from(COLDKEYS))
    def root_register(self, hk, ck):
        self.apply("root_register", ck, hk)

    @rule(hk=st.sampled_from(HOTKEYS), ck=st.sampled_from(COLDKEYS), netuid=netuids, amount=amounts,
          limit=st.one_of(st.none(), st.floats(0.5, 3.0)), partial=st.booleans())
    def add_stake(self, hk, ck, netuid, amount, limit, partial):
        self.apply("add_stake", ck, hk, netuid, amount, limit_price=limit, allow_partial=partial)

    @rule(hk=st.sampled_from(HOTKEYS), ck=st.sampled_from(COLDKEYS), netuid=netuids,
          fraction=st.sampled_from([0.1, 0.5, 1.0, 1.5]), limit=st.one_of(st.none(), st.floats(0.2, 2.0)))
    def remove_stake(self, hk, ck, netuid, fraction, limit):
        have = self.chain.stake(hk, netuid, ck)
        self.apply("remove_stake", ck, hk, netuid, int(have * fraction), limit_price=limit,
                   allow_partial=True)

    @rule(ck=st.sampled_from(COLDKEYS), src=st.sampled_from(HOTKEYS), dst=st.sampled_from(HOTKEYS),
          n1=netuids, n2=netuids, fraction=st.sampled_from([0.3, 1.0]))
    def move_stake(self, ck, src, dst, n1, n2, fraction):
        have = self.chain.stake(src, n1, ck)
        self.apply("move_stake", ck, src, dst, n1, n2, int(have * fraction))

    @rule(hk=st.sampled_from(HOTKEYS), ck=st.sampled_from(COLDKEYS), netuid=netuids,
          data=st.data())
    def set_weights(self, hk, ck, netuid, data):
        n = self.chain.subnets[netuid].n if netuid in self.chain.subnets else 3
        uids = data.draw(st.lists(st.integers(0, n), max_size=4))
        weights = data.draw(st.lists(st.floats(0, 1), min_size=len(uids), max_size=len(uids)))
        self.apply("set_weights", ck, hk, netuid, uids, weights)

    @rule(hk=st.sampled_from(HOTKEYS), ck=st.sampled_from(COLDKEYS), netuid=netuids, data=st.data())
    def commit_timelocked_weights(self, hk, ck, netuid, data):
        uids = data.draw(st.lists(st.integers(0, 5), max_size=4))
        weights = data.draw(st.lists(st.floats(0, 1), min_size=len(uids), max_size=len(uids)))
        self.apply("commit_timelocked_weights", ck, hk, netuid, uids, weights)

    @rule(netuid=netuids, on=st.booleans())
    def toggle_commit_reveal(self, netuid, on):
        self.apply("sudo_set_hyperparameter", netuid, "commit_reveal_weights_enabled", on)

    @rule(hk=st.sampled_from(HOTKEYS), ck=st.sampled_from(COLDKEYS), data=st.data())
    def set_root_weights(self, hk, ck, data):
        nets = data.draw(st.lists(st.integers(1, 3), max_size=3))
        self.apply("set_root_weights", ck, hk, nets, [1.0] * len(nets))

    @rule(hk=st.sampled_from(HOTKEYS), ck=st.sampled_from(COLDKEYS), take=st.floats(-0.1, 0.3))
    def set_take(self, hk, ck, take):
        self.apply("set_take", ck, hk, take)

    @rule(blocks=st.integers(1, 30))
    def step(self, blocks):
        self.apply("step", blocks)

    @precondition(lambda self: self.fork is None)
    @rule()
    def save_here(self):
        self.fork = (self.chain.to_json(), len(self.ops))

    @invariant()
    def books_balance(self):
        if hasattr(self, "chain"):
            self.chain.check_invariants()

    def teardown(self):
        if not hasattr(self, "chain"):
            return
        final = self.chain.to_json()
        # determinism: the same seed and operations give the same chain
        replay = make_chain(self.era)
        self._replay(replay, self.ops)
        assert replay.to_json() == final
        # save / load mid-run, then continue
        if self.fork is not None:
            text, index = self.fork
            loaded = Chain.from_json(text)
            self._replay(loaded, self.ops[index:])
            assert loaded.to_json() == final

    @staticmethod
    def _replay(chain, ops):
        for name, args, kwargs in ops:
            try:
                getattr(chain, name)(*args, **kwargs)
            except ChainError:
                pass


ChainMachine.TestCase.settings = settings(max_examples=50, stateful_step_count=40, deadline=None)
TestChainMachine = ChainMachine.TestCase


def test_long_random_run_keeps_the_books():
    """One longer seeded run with the chain's own generator driving a few agents."""
    c = make_chain("dtao")
    rng = np.random.default_rng(1)
    for ck in COLDKEYS:
        c.faucet(ck, tao(5_000))
    for ck in COLDKEYS[:3]:
        c.register_subnet(ck, f"{ck}/hk0")
        c.step(1)
    for _ in range(300):
        ck = COLDKEYS[rng.integers(4)]
        hk = HOTKEYS[rng.integers(len(HOTKEYS))]
        net = int(rng.integers(0, 4))
        op = rng.integers(4)
        try:
            if op == 0:
                c.register_neuron(ck, hk, net)
            elif op == 1:
                c.add_stake(ck, hk, net, int(rng.integers(10**6, tao(50))))
            elif op == 2:
                c.remove_stake(ck, hk, net, c.stake(hk, net, ck) // 2)
            else:
                s = c.subnets.get(net)
                if s is not None and s.n:
                    c.set_weights(ck, hk, net, list(range(s.n)), list(rng.random(s.n)))
        except ChainError:
            pass
        c.step(int(rng.integers(1, 8)))
        c.check_invariants()
    assert c.block > 300
