"""The constant-product pool of a subnet (dTAO, Feb 2025 onward): TAO reserve τ, alpha reserve α_in.

The pool keeps τ·α_in = k across a swap and pays out the floored amount, so k never falls and rounding
always favours the pool. It is fee-free: the chain's staking operations charge the era's fee and add it
to the TAO reserve (see `taosandbox.chain`). Amounts are integer rao; the price is a float (τ per α).
"""

from __future__ import annotations

import math
import numbers
from fractions import Fraction

from taosandbox.errors import InsufficientLiquidity, InvalidInput, SlippageTooHigh

# A trade may not leave a reserve under 0.01 of its token (economics.md).
MIN_RESERVE_RAO = 10**7


def check_amount(amount, what: str = "amount") -> int:
    """Integer rao ≥ 0, or InvalidInput. Floats are refused: convert with `units.tao` first."""
    if isinstance(amount, bool) or not isinstance(amount, numbers.Integral):
        raise InvalidInput(
            f"The {what} must be a whole number of rao (use units.tao(x) to convert); got {amount!r}."
        )
    amount = int(amount)
    if amount < 0:
        raise InvalidInput(f"The {what} cannot be negative (got {amount} rao).")
    return amount


def check_price(price, what: str = "limit price") -> Fraction:
    if isinstance(price, bool) or not isinstance(price, numbers.Real):
        raise InvalidInput(f"The {what} must be a number of TAO per alpha; got {price!r}.")
    f = float(price)
    if not math.isfinite(f) or f <= 0:
        raise InvalidInput(f"The {what} must be a positive, finite number; got {price!r}.")
    return Fraction(f)


class Pool:
    """x·y = k between `tao_reserve` and `alpha_reserve` (both integer rao)."""

    __slots__ = ("tao_reserve", "alpha_reserve", "min_reserve")

    def __init__(self, tao_reserve_rao: int, alpha_reserve_rao: int, *, min_reserve: int = MIN_RESERVE_RAO):
        self.tao_reserve = check_amount(tao_reserve_rao, "TAO reserve")
        self.alpha_reserve = check_amount(alpha_reserve_rao, "alpha reserve")
        self.min_reserve = check_amount(min_reserve, "minimum reserve")

    def __repr__(self) -> str:
        return f"Pool(tao_reserve_rao={self.tao_reserve}, alpha_reserve_rao={self.alpha_reserve})"

    # --- reading ------------------------------------------------------------------------------------
    @property
    def price(self) -> float:
        """Spot price p = τ / α_in in TAO per alpha (0 for an empty alpha reserve)."""
        return self.tao_reserve / self.alpha_reserve if self.alpha_reserve else 0.0

    @property
    def reserves(self) -> tuple[int, int]:
        return self.tao_reserve, self.alpha_reserve

    @property
    def k(self) -> int:
        return self.tao_reserve * self.alpha_reserve

    # --- quotes (never mutate) ----------------------------------------------------------------------
    @staticmethod
    def _out(reserve_in: int, reserve_out: int, amount_in: int) -> int:
        # floor(R_out·dx / (R_in + dx)): the pool keeps the remainder.
        if amount_in == 0:
            return 0
        return reserve_out * amount_in // (reserve_in + amount_in)

    def quote_tao_for_alpha(self, amount_rao: int) -> int:
        """Alpha received for `amount_rao` TAO, without trading."""
        return self._out(self.tao_reserve, self.alpha_reserve, check_amount(amount_rao))

    def quote_alpha_for_tao(self, amount_rao: int) -> int:
        """TAO received for `amount_rao` alpha, without trading."""
        return self._out(self.alpha_reserve, self.tao_reserve, check_amount(amount_rao))

    def max_tao_in(self, limit_price: float) -> int:
        """The most TAO whose average price (Δτ/Δα = (τ+Δτ)/α_in) stays at or under the limit:
        limit·α_in − τ (0 if the pool already trades above the limit)."""
        limit = check_price(limit_price)
        return max(0, math.floor(limit * self.alpha_reserve) - self.tao_reserve)

    def max_alpha_in(self, limit_price: float) -> int:
        """The most alpha whose average price (τ/(α_in+Δα)) stays at or over the limit: τ/limit − α_in."""
        limit = check_price(limit_price)
        return max(0, math.floor(self.tao_reserve / limit) - self.alpha_reserve)

    # --- swaps --------------------------------------------------------------------------------------
    def _check_liquidity(self, reserve_out: int, out: int, token: str) -> None:
        if out <= 0 or reserve_out - out < self.min_reserve:
            raise InsufficientLiquidity(
                f"The pool cannot pay out that trade: it would leave less than "
                f"{self.min_reserve / 1e9:g} {token} in the reserve, or pay nothing at all."
            )

    def _limited(self, amount: int, limit_price, allow_partial: bool, max_in) -> int:
        if limit_price is None:
            return amount
        most = max_in(limit_price)
        if amount <= most:
            return amount
        if allow_partial and most > 0:
            return most
        raise SlippageTooHigh(
            f"At most {most / 1e9:.9g} of the {amount / 1e9:.9g} offered would trade at an average price "
            f"within your limit of {float(limit_price):.9g} τ/α."
        )

    def plan_tao_for_alpha(self, amount_rao: int, limit_price=None, allow_partial=False) -> tuple[int, int]:
        """(TAO in, alpha out) that `swap_tao_for_alpha` would execute; raises instead of trading."""
        amount = self._limited(check_amount(amount_rao), limit_price, allow_partial, self.max_tao_in)
        out = self._out(self.tao_reserve, self.alpha_reserve, amount)
        self._check_liquidity(self.alpha_reserve, out, "alpha")
        return amount, out

    def plan_alpha_for_tao(self, amount_rao: int, limit_price=None, allow_partial=False) -> tuple[int, int]:
        """(alpha in, TAO out) that `swap_alpha_for_tao` would execute; raises instead of trading."""
        amount = self._limited(check_amount(amount_rao), limit_price, allow_partial, self.max_alpha_in)
        out = self._out(self.alpha_reserve, self.tao_reserve, amount)
        self._check_liquidity(self.tao_reserve, out, "TAO")
        return amount, out

    def swap_tao_for_alpha(self, amount_rao: int, limit_price=None, allow_partial: bool = False) -> int:
        """Put TAO in, take alpha out (staking). Returns the alpha paid out.

        With `limit_price` (τ per α, on the average price) a too-large order fails with SlippageTooHigh,
        or with `allow_partial` executes the largest part that respects the limit."""
        amount, out = self.plan_tao_for_alpha(amount_rao, limit_price, allow_partial)
        self.tao_reserve += amount
        self.alpha_reserve -= out
        return out

    def swap_alpha_for_tao(self, amount_rao: int, limit_price=None, allow_partial: bool = False) -> int:
        """Put alpha in, take TAO out (unstaking). Returns the TAO paid out."""
        amount, out = self.plan_alpha_for_tao(amount_rao, limit_price, allow_partial)
        self.alpha_reserve += amount
        self.tao_reserve -= out
        return out

    # --- the chain's injection: adds both sides without a trade -------------------------------------
    def inject(self, tao_rao: int, alpha_rao: int) -> None:
        self.tao_reserve += check_amount(tao_rao)
        self.alpha_reserve += check_amount(alpha_rao)

    def to_dict(self) -> dict:
        return {
            "tao_reserve": self.tao_reserve,
            "alpha_reserve": self.alpha_reserve,
            "min_reserve": self.min_reserve,
        }

    @classmethod
    def from_dict(cls, d: dict) -> Pool:
        return cls(d["tao_reserve"], d["alpha_reserve"], min_reserve=d.get("min_reserve", MIN_RESERVE_RAO))
