"""The chain views (registrar, stake desk, emission board) driven from Python as a reader would."""

import json

import pytest

from taosandbox.chain import Chain
from taosandbox.units import tao
from widgets import EmissionBoard, RandomTrades, Registrar, StakeDesk, demo_network
from widgets.chain_views import metagraph_chart, metagraph_table


@pytest.fixture(scope="module")
def network():
    return demo_network("dtao", seed=1)


@pytest.fixture
def chain(network):
    c = network.copy()
    c.faucet("you", tao(1_000))
    return c


def datasets(widget):
    return widget.chart.spec["datasets"]


# --- the stake desk ----------------------------------------------------------------------------------------


def test_staking_through_the_desk_moves_the_price_and_the_positions(chain):
    desk = StakeDesk(chain, netuid=1)
    price = chain.price(1)
    assert "1.2718" in desk.price.value
    desk.amount.value = 100
    desk.go.click()
    assert "Staked 100.000 τ" in desk.message.value
    assert chain.price(1) > price
    assert f"{chain.price(1):.4f}" in desk.price.value
    held = {(row["subnet"], row["measure"]): row["tao"] for row in datasets(desk)["positions"]}
    assert held[("free τ", "at spot price")] == pytest.approx(900)
    # Selling right back returns about what was paid, less than the position is worth at the new spot price.
    assert held[("subnet 1", "if sold now")] < 100 < held[("subnet 1", "at spot price")]
    chain.check_invariants()


def test_the_preview_is_what_the_trade_then_does(chain):
    desk = StakeDesk(chain, netuid=2)
    desk.amount.value = 250
    quote = desk.quote
    alpha_before = chain.stake(desk.hotkey.value, 2, "you")
    desk.go.click()
    assert chain.stake(desk.hotkey.value, 2, "you") - alpha_before == quote.amount_out
    assert f"{quote.price_after:.4f}" in desk.price.value
    assert chain.price(2) == pytest.approx(quote.price_after, rel=1e-12)
    desk.side.value = "unstake"
    desk.amount.value = 100
    quote = desk.quote
    balance = chain.balance("you")
    desk.go.click()
    assert chain.balance("you") - balance == quote.amount_out
    assert quote.slippage > 0 and quote.price_impact < 0
    chain.check_invariants()


def test_max_unstakes_the_whole_position(chain):
    desk = StakeDesk(chain, netuid=3)
    desk.go.click()
    desk.side.value = "unstake"
    desk.max_button.click()
    assert desk.quote.executed_in == chain.stake(desk.hotkey.value, 3, "you")
    desk.go.click()
    assert "Unstaked" in desk.message.value and chain.stake(desk.hotkey.value, 3, "you") == 0
    assert chain.stakes_of("you").empty
    chain.check_invariants()


def test_the_preview_shows_amount_price_impact_and_fee_before_the_button(chain):
    desk = StakeDesk(chain, netuid=1)
    desk.amount.value = 100
    preview = desk.preview.value
    for words in ("You give", "You get (expected)", "Average price", "Slippage vs spot", "Price impact", "Fee"):
        assert words in preview
    curve = datasets(desk)["curve"]
    assert {row["part"] for row in curve} == {"x·y = k", "now", "your trade", "after"}


@pytest.mark.parametrize("setting, error", [
    ({"amount": 5_000}, "NotEnoughBalanceToStake"),
    ({"amount": 0.0001}, "AmountTooLow"),
    ({"amount": 100, "limit": 1.0}, "SlippageTooHigh"),
    ({"amount": -3}, "InvalidInput"),
])
def test_a_refused_stake_shows_a_message_and_changes_nothing(chain, setting, error):
    desk = StakeDesk(chain, netuid=1)
    desk.amount.value = setting["amount"]
    desk.limit.value = setting.get("limit", 0.0)
    assert error in desk.preview.value and desk.go.disabled
    before = chain.to_json()
    desk.go.click()  # a disabled button can still be clicked from code: the chain refuses again
    assert error in desk.message.value and "Traceback" not in desk.message.value
    assert chain.to_json() == before


def test_allow_partial_executes_only_what_the_limit_allows(chain):
    desk = StakeDesk(chain, netuid=1)
    desk.amount.value = 400
    desk.limit.value = chain.price(1) * 1.05
    assert "SlippageTooHigh" in desk.preview.value
    desk.partial.value = True
    quote = desk.quote
    assert quote.executed_in < tao(400) and "Only" in desk.preview.value
    desk.go.click()
    assert chain.balance("you") == tao(1_000) - quote.executed_in
    assert quote.average_price <= chain.price(1)
    chain.check_invariants()


def test_quotes_refuse_exactly_as_the_chain(chain):
    with pytest.raises(Exception) as quoted:
        chain.quote_add_stake("nobody", "owner/1", 1, tao(1))
    with pytest.raises(Exception) as traded:
        chain.add_stake("nobody", "owner/1", 1, tao(1))
    assert type(quoted.value) is type(traded.value)


# --- the registrar -----------------------------------------------------------------------------------------


def test_the_registrar_registers_and_the_cost_chart_rises_then_decays():
    chain = Chain(seed=0)
    chain.faucet("you", tao(5_000))
    registrar = Registrar(chain)
    registrar.register_subnet_button.click()
    assert "Subnet 1 registered" in registrar.message.value
    lock = [row["cost"] for row in datasets(registrar)["costs"] if row["what"] == "subnet lock cost"]
    assert lock[0] == 1_000 and lock[-1] == 2_000
    registrar.register_neuron_button.click()
    assert "UID 1 on subnet 1" in registrar.message.value and chain.subnet(1).n == 2
    registrar.wait.value = 7_200
    registrar.wait_button.click()
    assert chain.block == 7_200
    lock = [row["cost"] for row in datasets(registrar)["costs"] if row["what"] == "subnet lock cost"]
    assert 1_000 < lock[-1] < 2_000 and lock == sorted(lock[:2]) + sorted(lock[2:], reverse=True)
    burns = [row for row in datasets(registrar)["costs"] if row["what"] == "subnet 1 burn"]
    assert burns[-1]["cost"] < burns[0]["cost"]  # few registrations: the burn decays
    chain.check_invariants()


def test_refused_registrations_are_plain_messages():
    chain = Chain(seed=0)
    chain.faucet("you", tao(1_500))
    registrar = Registrar(chain)
    registrar.register_neuron_button.click()
    assert "Register a subnet first" in registrar.message.value
    registrar.register_subnet_button.click()
    before = chain.to_json()
    registrar.register_subnet_button.click()  # the second subnet costs 2,000 τ
    assert "NotEnoughBalance" in registrar.message.value and chain.to_json() == before
    registrar.register_neuron_button.click()
    registrar.register_neuron_button.click()  # one registration per block by default
    assert "TooManyRegistrationsThisBlock" in registrar.message.value


# --- the emission board ------------------------------------------------------------------------------------


def test_step_advances_the_block_and_the_chart(network):
    chain = network.copy()
    board = EmissionBoard(chain, blocks_per_step=360)
    start, rows = chain.block, json.dumps(datasets(board))
    board.step_button.click()
    assert chain.block == start + 360
    assert json.dumps(datasets(board)) != rows
    assert board.frame["block"].max() == chain.block
    assert f"at block <b>{chain.block:,}</b>" in board.readout.value
    board.reset_button.click()
    assert chain.block == start and chain.to_json() == network.to_json()


def test_a_long_step_runs_in_chunks_and_stays_under_the_row_budget(network):
    board = EmissionBoard(network.copy(), blocks_per_step=7_200, max_rows=1_000)
    board.step()
    assert len(board.frame) <= 1_000
    assert board.progress.value == board.progress.max == 20
    assert board.progress.layout.visibility == "hidden"


def test_play_steps_on_every_tick(network):
    chain = network.copy()
    board = EmissionBoard(chain, blocks_per_step=36)
    start = chain.block
    board.play.value = 1
    board.play.value = 2
    assert chain.block == start + 72


def test_two_eras_side_by_side_differ():
    trades = RandomTrades(buy_bias={1: 0.8, 3: 0.2})
    board = EmissionBoard.compare(("dtao", "taoflow"), seed=2, activity=trades, blocks_per_step=1_800)
    board.step()
    frame = board.frame
    assert set(frame["era"]) == {"dtao", "taoflow"}
    last = frame[frame["block"] == frame["block"].max()].set_index(["era", "subnet"])["share"]
    assert last["dtao"].round(6).tolist() != last["taoflow"].round(6).tolist()
    for chain in board.chains.values():
        chain.check_invariants()


def test_random_trades_replay_identically_after_a_copy(network):
    a, b = network.copy(), network.copy()
    trades = RandomTrades()
    trades(a, 720)
    trades(b, 720)
    assert a.to_json() == b.to_json()


def test_the_board_tells_other_views_when_it_steps(network):
    chain = network.copy()
    chain.faucet("you", tao(100))
    desk = StakeDesk(chain, netuid=1)
    board = EmissionBoard(chain, blocks_per_step=36)
    board.on_step(desk.refresh)
    board.step()
    assert f"{chain.price(1):.4f}" in desk.price.value


# --- the metagraph and the CSS classes ---------------------------------------------------------------------


def test_metagraph_views(network):
    table = metagraph_table(network, 1).to_html()
    assert "validator-1a/hk" in table and "owner/1" in table
    chart = metagraph_chart(network, 1)
    assert "ts-metagraph" in chart._dom_classes


def test_controls_carry_stable_css_classes(chain):
    desk, board = StakeDesk(chain), EmissionBoard(chain)
    registrar = Registrar(chain)
    classes = {c for widget in (desk, board, registrar) for child in _walk(widget) for c in child._dom_classes}
    assert {"ts-stake-desk", "ts-amount", "ts-max", "ts-limit-price", "ts-allow-partial", "ts-stake-button", "ts-price",
            "ts-preview", "ts-emission-board", "ts-play", "ts-step", "ts-reset", "ts-progress", "ts-registrar",
            "ts-register-subnet", "ts-register-neuron", "ts-wait", "ts-message", "ts-chart"} <= classes


def _walk(widget):
    yield widget
    for child in getattr(widget, "children", ()):
        yield from _walk(child)


def test_the_nakamoto_coefficient_is_zero_without_root_stake():
    from taosandbox.chain import ROOT
    from widgets.chain_views import EASY_SETUP, stake_concentration

    chain = Chain(seed=0, era="root-vote", subnet_defaults=EASY_SETUP)
    chain.faucet("owner", chain.params["network_min_lock"] * 4)
    net = chain.register_subnet("owner", "owner/1")
    for v in "abc":  # three root members, none with any root stake
        chain.faucet(v, tao(10))
        chain.register_neuron(v, f"{v}/hk", net)
        chain.root_register(v, f"{v}/hk")
    frame, coefficient, chart = stake_concentration(chain)
    assert coefficient == 0 and len(frame) == 3  # not members + 1 = 4
    assert frame["share"].sum() == 0 and "holds any root stake" in chart.spec["title"]
    chain.add_stake("a", "a/hk", ROOT, tao(5))
    frame, coefficient, _ = stake_concentration(chain)
    assert coefficient == 1 and frame["stake"].iloc[0] == pytest.approx(5, rel=1e-3)  # in TAO, less the fee
