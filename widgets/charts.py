"""Charts that work offline, update in place, and ship Vega to the page only once.

Every chart is an ``alt.JupyterChart`` whose JavaScript comes from vl-convert's offline bundle,
so the book renders in a classroom with no internet. That bundle is ≈ 0.9 MB; sent with every
chart it made a five-chart page 4.6 MB over the kernel's websocket. So the first chart of a
kernel also creates one hidden carrier widget that loads the bundle into the page, and every
chart's own module is a few lines that borrow it.
"""

from __future__ import annotations

import json

import altair as alt
import anywidget

_POLL_MS, _WAIT_MS = 20, 30_000

# Every chart's module: wait for the carrier's bundle, then render with it.
_BORROWING_ESM = f"""
export default async () => {{
  for (let waited = 0; !globalThis.__taosandboxVega && waited < {_WAIT_MS}; waited += {_POLL_MS}) {{
    await new Promise((resolve) => setTimeout(resolve, {_POLL_MS}));
  }}
  if (!globalThis.__taosandboxVega) throw new Error("the chart library did not load");
  return (await globalThis.__taosandboxVega).default;
}};
"""


class _VegaCarrier(anywidget.AnyWidget):
    """Loads the offline Vega bundle into the page once; never displayed, kept alive for the kernel's life."""


class _BorrowingChart(alt.JupyterChart):
    _esm = _BORROWING_ESM


_carrier: _VegaCarrier | None = None


def _ensure_carrier() -> None:
    global _carrier
    if _carrier is None:
        alt.JupyterChart.enable_offline()  # computes the bundle once per process
        bundle = json.dumps(alt.JupyterChart._esm)  # a JSON string is a valid JavaScript string literal
        _VegaCarrier._esm = (
            f"const url = URL.createObjectURL(new Blob([{bundle}], {{type: 'text/javascript'}}));\n"
            "globalThis.__taosandboxVega = import(url);\n"
            "export default { render() {} };\n"
        )
        _carrier = _VegaCarrier()


def styled(chart: alt.TopLevelMixin) -> alt.TopLevelMixin:
    """The book's look: type large enough to read from the back of a classroom."""
    return (
        chart.configure_axis(labelFontSize=13, titleFontSize=14)
        .configure_legend(labelFontSize=13, titleFontSize=14, orient="top")
        .configure_title(fontSize=16, anchor="start")
        .configure_view(stroke=None)
    )


def live_chart(chart: alt.TopLevelMixin) -> alt.JupyterChart:
    """A chart widget that renders with no internet; assign ``.chart`` (or ``.spec``) to redraw it."""
    _ensure_carrier()
    return _BorrowingChart(styled(chart), embed_options={"actions": False})
