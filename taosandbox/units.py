"""Units: rao and TAO, block time, and the formatting the book uses.

Amounts are integer rao (1 TAO = 10**9 rao; every subnet's alpha also has 9 decimals).
"""

from __future__ import annotations

import math
import numbers
from fractions import Fraction

RAO_PER_TAO = 10**9
BLOCK_SECONDS = 12
BLOCKS_PER_DAY = 7200
BLOCKS_PER_YEAR = 365 * BLOCKS_PER_DAY
TOTAL_SUPPLY_RAO = 21_000_000 * RAO_PER_TAO


def _invalid(message: str) -> Exception:
    # Imported late so that units stays importable on its own.
    from taosandbox.errors import InvalidInput

    return InvalidInput(message)


def tao(x, *, allow_negative: bool = False) -> int:
    """TAO (a number, or a numeric string such as "1.5") -> integer rao, truncated toward zero.

    Refuses NaN, infinities, booleans and (unless allow_negative) negative amounts.
    Strings and ints are converted exactly; floats through their exact binary value.
    """
    if isinstance(x, bool) or x is None:
        raise _invalid(f"{x!r} is not an amount of TAO")
    if isinstance(x, str):
        try:
            value = Fraction(x.strip())
        except (ValueError, ZeroDivisionError):
            raise _invalid(f"{x!r} is not an amount of TAO") from None
    elif isinstance(x, numbers.Integral):
        value = Fraction(int(x))
    elif isinstance(x, numbers.Real):
        f = float(x)
        if not math.isfinite(f):
            raise _invalid(f"{x!r} is not a finite amount of TAO")
        value = Fraction(f)
    else:
        raise _invalid(f"{x!r} is not an amount of TAO")
    if value < 0 and not allow_negative:
        raise _invalid(f"an amount cannot be negative (got {x!r} TAO)")
    return int(value * RAO_PER_TAO)  # int() truncates toward zero, as the chain does


alpha = tao  # alpha has the same 9 decimals


def to_tao(rao: int) -> float:
    """Integer rao -> float TAO (for display and charts only; accounting stays in rao)."""
    return rao / RAO_PER_TAO


def format_tao(rao: int, digits: int = 3, symbol: str = "τ") -> str:
    """12345678900 -> '12.346 τ' (thousands separated, rounded for display)."""
    return f"{rao / RAO_PER_TAO:,.{digits}f} {symbol}"


def format_alpha(rao: int, digits: int = 3, netuid: int | None = None) -> str:
    """Alpha amounts: '1.234 α' or, with a netuid, '1.234 α₁₂'."""
    symbol = "α" if netuid is None else "α" + str(netuid).translate(str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉"))
    return format_tao(rao, digits, symbol)


def format_rao(rao: int) -> str:
    """Exact integer rao with thousands separators: '1,000,000,000 rao'."""
    return f"{rao:,} rao"


def blocks_to_days(blocks: int | float) -> float:
    return blocks / BLOCKS_PER_DAY


def days_to_blocks(days: float) -> int:
    return int(round(days * BLOCKS_PER_DAY))
