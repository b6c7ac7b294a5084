"""Charts that work offline and update in place.

Every chart goes through ``alt.JupyterChart`` with its JavaScript bundled from vl-convert, so
the book renders in a classroom with no internet, and a chart redraws when its ``.chart`` is
replaced.
"""

from __future__ import annotations

import altair as alt


def styled(chart: alt.TopLevelMixin) -> alt.TopLevelMixin:
    """The book's look: type large enough to read from the back of a classroom."""
    return (
        chart.configure_axis(labelFontSize=13, titleFontSize=14)
        .configure_legend(labelFontSize=13, titleFontSize=14, orient="top")
        .configure_title(fontSize=16, anchor="start")
        .configure_view(stroke=None)
    )


def live_chart(chart: alt.TopLevelMixin) -> alt.JupyterChart:
    """A chart widget that renders with no internet; assign ``widget.chart = styled(...)`` to redraw."""
    alt.JupyterChart.enable_offline()  # bundles Vega once per process; later calls return at once
    return alt.JupyterChart(styled(chart), embed_options={"actions": False})
