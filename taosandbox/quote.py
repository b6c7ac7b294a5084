"""What a stake or unstake would do, before it is done: the preview a trader reads before committing."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Quote:
    """A trade as the chain would execute it now. Amounts in rao; prices in τ per α.

    stake: `amount_in` TAO offered, `executed_in` TAO charged (less with allow_partial), `amount_out` alpha.
    unstake: `amount_in` alpha offered, `executed_in` alpha sold, `amount_out` TAO received after the fee."""

    side: str
    amount_in: int
    executed_in: int
    amount_out: int
    fee: int
    price_before: float
    price_after: float

    @property
    def average_price(self) -> float:
        """TAO per alpha across the trade, the fee included (what you pay, or what you get)."""
        tao_side, alpha_side = ((self.executed_in, self.amount_out) if self.side == "stake"
                                else (self.amount_out, self.executed_in))
        return tao_side / alpha_side if alpha_side else float("nan")

    @property
    def price_impact(self) -> float:
        return self.price_after / self.price_before - 1.0

    @property
    def slippage(self) -> float:
        """How much worse than the spot price the trade executes on average (a positive fraction)."""
        worse = self.average_price / self.price_before - 1.0
        return worse if self.side == "stake" else -worse
