"""Units: rao/TAO conversion and formatting."""

import pytest

from taosandbox.errors import InvalidInput
from taosandbox.units import (
    BLOCKS_PER_DAY,
    RAO_PER_TAO,
    days_to_blocks,
    format_alpha,
    format_rao,
    format_tao,
    tao,
    to_tao,
)


def test_constants():
    assert RAO_PER_TAO == 10**9 and BLOCKS_PER_DAY == 7200


@pytest.mark.parametrize(("x", "rao"), [(1, 10**9), (1.5, 1_500_000_000), ("0.000000001", 1), ("2", 2 * 10**9),
                                        (0.1, 100_000_000), (0, 0)])
def test_tao_to_rao(x, rao):
    assert tao(x) == rao and isinstance(tao(x), int)


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), -1, "-1", "abc", None, True, [1]])
def test_tao_refuses(bad):
    with pytest.raises(InvalidInput):
        tao(bad)


def test_negative_allowed_when_asked():
    assert tao(-2, allow_negative=True) == -2 * 10**9


def test_formatting():
    assert format_tao(1_234_567_890) == "1.235 τ"
    assert format_tao(12_345 * 10**9, digits=0) == "12,345 τ"
    assert format_alpha(10**9, netuid=12) == "1.000 α₁₂"
    assert format_rao(10**9) == "1,000,000,000 rao"
    assert to_tao(5 * 10**8) == 0.5
    assert days_to_blocks(1.5) == 10_800
