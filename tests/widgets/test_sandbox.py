"""The free sandbox, driven from Python as a reader would: a scripted session of clicks, then save and load."""

import asyncio
import base64
import gzip
import json
import re
from datetime import UTC, datetime

import pytest

from taosandbox.chain import Chain
from taosandbox.simulations import Simulation, build
from widgets import Sandbox


@pytest.fixture(scope="module")
def session():
    """One reader's session, shared by the tests below in order (each test continues the previous one)."""
    return Sandbox(build("sandbox", seed=3, subnets=3, uids=24, validators=6))


def rows(chart, name):
    return chart.spec["datasets"][name]


def test_the_sandbox_opens_on_a_running_network(session):
    assert session.sim.block > 0 and session.subnet.value == 1
    assert {r["subnet"] for r in rows(session.network, "prices")} == {"subnet 1", "subnet 2", "subnet 3"}
    assert len(rows(session.subnet_view, "metagraph")) == 3 * 24
    assert "Block" in session.counter.value
    assert session.actions.hotkey.value is not None and "staked on this validator" in session.actions.position.value


def test_step_runs_the_chosen_number_of_blocks_and_redraws(session):
    block, updates = session.sim.block, session.updates
    session.per_update.value = 361
    session.step_button.click()
    assert session.sim.block == block + 361 and session.updates > updates
    assert f"{block + 361:,}" in session.counter.value
    assert rows(session.subnet_view, "participants")  # an epoch of subnet 1 was recorded


def test_a_subnet_costs_more_than_a_new_reader_has_then_the_faucet_helps(session):
    actions, chain = session.actions, session.sim.chain
    before = chain.to_json()
    actions.register_button.click()
    assert "Refused (NotEnoughBalance)" in actions.subnet_message.value
    assert chain.to_json() == before  # a refusal changes nothing
    actions.faucet_amount.value = chain.network_lock_cost() / 1e9 + 1_000
    actions.faucet_button.click()
    actions.task.value = "text-quality"
    actions.register_button.click()
    assert "is yours" in actions.subnet_message.value
    netuid = session.subnet.value
    assert netuid == 4 and session.sim.tasks[4] == "text-quality"


def test_add_miners_and_validators_to_the_new_subnet(session):
    actions = session.actions
    actions.kind.value, actions.count.value, actions.quality.value = "Miner", 6, 0.8
    actions.add_button.click()
    assert "6 miners joined subnet 4" in actions.participants_message.value
    actions.kind.value, actions.count.value, actions.stake_each.value = "HonestValidator", 3, 3_000
    actions.add_button.click()
    assert "3 honest validators joined" in actions.participants_message.value
    s = session.sim.chain.subnet(4)
    assert s.n == 1 + 6 + 3
    assert len(session.sim.miners(4)) == 6
    session.step(2 * 361)
    assert session.sim.chain.subnet(4).incentive.sum() > 0.99  # the validators' weights reached the miners


def test_a_full_subnet_refuses_newcomers_and_nothing_changes(session):
    session.subnet.value = 1
    before = session.save_json()
    session.actions.kind.value, session.actions.count.value = "Miner", 2
    session.actions.add_button.click()
    assert "Refused (NoNeuronIdAvailable)" in session.actions.participants_message.value
    assert "Nobody joined" in session.actions.participants_message.value
    assert session.save_json() == before


def test_form_a_cabal_and_watch_it_earn(session):
    session.subnet.value = 4
    actions = session.actions
    actions.cabal_validators.value, actions.cabal_stake.value, actions.cabal_miners.value = 2, 20_000, 2
    actions.cabal_button.click()
    text = actions.participants_message.value
    assert "cabal of 2 validators and 2 miners" in text
    share = float(re.search(r"about <b>(\d+)%", text).group(1))
    assert share > 50  # 40,000 τ against 9,000 buys less than 4× the alpha (slippage), still above κ
    session.step(3 * 361)
    kinds = {r["kind"] for r in rows(session.subnet_view, "metagraph")}
    assert {"cabal miner", "cabal validator"} <= kinds
    last = max(r["block"] for r in rows(session.subnet_view, "participants"))
    cabal_share = sum(r["share"] for r in rows(session.subnet_view, "participants")
                      if r["block"] == last and r["kind"].startswith("cabal"))
    assert cabal_share > 0.5


def test_stake_and_unstake_and_the_refusals(session):
    actions, chain = session.actions, session.sim.chain
    session.subnet.value = 2
    hotkey = actions.hotkey.options[0][1]
    actions.hotkey.value = hotkey
    free = chain.balance("you")
    actions.amount.value = 100
    actions.stake_button.click()
    assert "Staked 100.00 τ" in actions.stake_message.value
    held = chain.stake(hotkey, 2, "you")
    assert held > 0 and chain.balance("you") == free - 100 * 10**9
    before = session.save_json()
    actions.amount.value = 10**9  # a billion τ
    actions.stake_button.click()
    assert "Refused (NotEnoughBalanceToStake)" in actions.stake_message.value
    actions.unstake_button.click()
    assert "Refused (NotEnoughStakeToWithdraw)" in actions.stake_message.value
    actions.amount.value = -5
    actions.stake_button.click()
    assert "Refused" in actions.stake_message.value and "Traceback" not in actions.stake_message.value
    assert session.save_json() == before
    actions.amount.value = held / 2e9
    actions.unstake_button.click()
    assert "Unstaked" in actions.stake_message.value
    actions.unstake_all_button.click()
    assert "Unstaked" in actions.stake_message.value and chain.stake(hotkey, 2, "you") == 0


def test_change_a_hyperparameter_as_the_owner(session):
    actions = session.actions
    session.subnet.value = 2
    actions.name.value, actions.value.value = "kappa", "0.6"
    actions.apply_button.click()
    assert "set kappa = 0.6" in actions.hyper_message.value
    assert session.sim.chain.subnet(2).hyperparams["kappa"] == 0.6
    assert "<b>0.6</b>" in actions.current.value
    before = session.save_json()
    for name, text, expected in (("kappa", "1.5", "Refused (InvalidInput)"), ("kappa", "lots", "is a number"),
                                 ("liquid_alpha_enabled", "maybe", "True or False"),
                                 ("max_allowed_uids", "3", "cannot go below")):
        actions.name.value, actions.value.value = name, text
        actions.apply_button.click()
        assert expected in actions.hyper_message.value
    assert session.save_json() == before


def test_save_then_load_into_a_fresh_sandbox_continues_identically(session):
    name = session.save()
    link = session.download.value
    assert name in link and "ts-download-link" in link
    payload = base64.b64decode(re.search(r"base64,([^']+)'", link).group(1))
    fresh = Sandbox(build("marketplace", seed=0))
    fresh.upload.value = ({"name": name, "type": "application/gzip", "size": len(payload), "content": payload,
                           "last_modified": datetime.now(UTC)},)
    assert "Loaded" in fresh.file_message.value
    assert fresh.save_json() == session.save_json()
    session.step(2 * 361)
    fresh.step(2 * 361)
    assert fresh.save_json() == session.save_json()
    assert gzip.decompress(payload).decode() != fresh.save_json()  # and both moved on


def test_a_file_that_is_not_a_save_is_refused_plainly(session):
    before = session.save_json()
    for content in (b"hello", b'{"format": "something else"}', gzip.compress(b"[1, 2]")):
        session.upload.value = ({"name": "x.json", "type": "", "size": len(content), "content": content,
                                 "last_modified": datetime.now(UTC)},)
        assert "not a saved sandbox" in session.file_message.value
    assert session.save_json() == before


def test_reset_returns_to_the_last_loaded_state():
    sandbox = Sandbox(build("sandbox", seed=4, subnets=2, uids=16, validators=4))
    start = sandbox.save_json()
    sandbox.step(361)
    sandbox.reset_button.click()
    assert sandbox.save_json() == start and not sandbox.playing


def test_play_steps_until_pause_and_lets_clicks_through():
    sandbox = Sandbox(build("sandbox", seed=5, subnets=2, uids=16, validators=4))
    sandbox.per_update.value = 36

    async def session():
        block = sandbox.sim.block
        sandbox.play_button.value = True  # what a click on Play does
        assert sandbox.play_button.description == "Pause"
        await asyncio.sleep(0.6)
        # A click handled while playing: the loop yields, so the faucet runs between two updates.
        sandbox.actions.faucet_amount.value = 5
        sandbox.actions.faucet_button.click()
        await asyncio.sleep(0.4)
        sandbox.play_button.value = False
        await sandbox._task
        return block

    start = asyncio.run(session())
    played = sandbox.sim.block - start
    assert played >= 3 * 36 and played % 36 == 0
    assert "minted to you" in sandbox.actions.wallet_message.value
    assert sandbox.play_button.description == "Play" and sandbox.message.value == ""
    stopped_at = sandbox.sim.block
    asyncio.run(asyncio.sleep(0.2))
    assert sandbox.sim.block == stopped_at  # paused means paused


def test_play_outside_a_kernel_says_so_instead_of_failing():
    sandbox = Sandbox(build("sandbox", seed=6, subnets=2, uids=16, validators=4))
    sandbox.play()
    assert not sandbox.playing and "running kernel" in sandbox.message.value


def upload(sandbox, content: bytes) -> None:
    sandbox.upload.value = ({"name": "x.json", "type": "", "size": len(content), "content": content,
                             "last_modified": datetime.now(UTC)},)


def test_a_damaged_save_is_refused_plainly():
    sandbox = Sandbox(build("marketplace", seed=0))
    before = sandbox.save_json()
    saved = json.loads(before)
    for damage in ({"tasks": []}, {"agents": [{"kind": "Wizard"}]}, {"chain": {**saved["chain"], "subnets": 7}}):
        upload(sandbox, json.dumps({**saved, **damage}).encode())  # an exception here would be a traceback
        assert "not a saved sandbox" in sandbox.file_message.value
    assert sandbox.save_json() == before


def test_a_save_without_subnets_loads_with_a_plain_message_until_one_is_registered():
    empty = Simulation(Chain(seed=0), [], {})
    sandbox = Sandbox(build("marketplace", seed=0))
    upload(sandbox, empty.to_json().encode())
    assert "Loaded" in sandbox.file_message.value and sandbox.subnet.value is None
    assert "no subnet yet" in sandbox.message.value and "0 subnets" in sandbox.counter.value
    sandbox.step(10)  # the network still runs: blocks, no epochs
    # Called directly, not clicked: a click handler would only log an exception, a test must see it.
    sandbox.actions._add_participants()
    assert "Register a subnet first" in sandbox.actions.participants_message.value
    sandbox.actions._trade(stake=True)
    assert "Pick a subnet" in sandbox.actions.stake_message.value
    sandbox.actions.faucet_amount.value = 100_000  # the network saved no funds for "you"
    sandbox.actions._faucet()
    sandbox.actions._register_subnet()
    assert "is yours" in sandbox.actions.subnet_message.value
    assert sandbox.subnet.value == 1 and sandbox.message.value == ""
    assert Sandbox(Simulation(Chain(seed=0), [], {})).subnet.value is None  # opening on one works too
