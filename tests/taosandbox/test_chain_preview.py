"""Previews and snapshots: a quote is exactly what the trade then does and changes nothing; restore goes back."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from taosandbox import errors as E
from taosandbox.chain import Chain
from taosandbox.units import tao


def chain_with_stake() -> Chain:
    c = Chain(seed=5, subnet_defaults={"commit_reveal_weights_enabled": False}, network_min_lock=tao(100))
    c.faucet("owner", tao(1_000))
    c.register_subnet("owner", "owner/hk")
    c.faucet("you", tao(5_000))
    c.add_stake("you", "owner/hk", 1, tao(50))
    return c


@settings(max_examples=40, deadline=None)
@given(amount=st.integers(tao(0.001), tao(4_000)), limit=st.none() | st.floats(0.5, 40),
       partial=st.booleans(), unstake=st.booleans())
def test_a_quote_is_what_the_trade_does(amount, limit, partial, unstake):
    chain = chain_with_stake()
    if unstake:
        amount = min(amount, chain.stake("owner/hk", 1, "you"))
    quote_fn, trade_fn = ((chain.quote_remove_stake, chain.remove_stake) if unstake
                          else (chain.quote_add_stake, chain.add_stake))
    before = chain.to_json()
    try:
        quote = quote_fn("you", "owner/hk", 1, amount, limit, partial)
    except E.ChainError as refused:
        assert chain.to_json() == before
        with pytest.raises(type(refused)):
            trade_fn("you", "owner/hk", 1, amount, limit, partial)
        return
    assert chain.to_json() == before  # a quote changes nothing
    balance = chain.balance("you")
    assert trade_fn("you", "owner/hk", 1, amount, limit, partial) == quote.amount_out
    assert chain.price(1) == pytest.approx(quote.price_after, rel=1e-12)
    moved = chain.balance("you") - balance
    assert moved == (quote.amount_out if unstake else -quote.executed_in)
    chain.check_invariants()


def test_quote_prices_read_as_a_trader_expects():
    chain = chain_with_stake()
    buy = chain.quote_add_stake("you", "owner/hk", 1, tao(500))
    assert buy.price_after > buy.price_before and buy.slippage > 0 and buy.price_impact > 0
    sell = chain.quote_remove_stake("you", "owner/hk", 1, chain.stake("owner/hk", 1, "you"))
    assert sell.price_after < sell.price_before and sell.slippage > 0


def test_restore_returns_a_chain_in_place_to_a_saved_state():
    chain = chain_with_stake()
    saved, same_object = chain.to_json(), chain
    chain.add_stake("you", "owner/hk", 1, tao(100))
    chain.step(20)
    chain.restore(saved)
    assert chain is same_object and chain.to_json() == saved
    chain.step(5)  # and it runs on from there
    chain.check_invariants()

