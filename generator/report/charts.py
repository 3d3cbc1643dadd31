"""The report's charts as inline SVG (matplotlib): the key-person scatter plot and the active-rate
trends. The same data gives the same file."""

from __future__ import annotations

import io
import math

from generator.report.tables import METRICS, QUADRANTS, RepActivity


def svg(figure) -> str:
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", bbox_inches="tight")
    text = buffer.getvalue()
    return text[text.index("<svg"):]  # inline: no XML declaration or DOCTYPE


def charts(placed: list[RepActivity], by: str, activity_at: float, sales_at: float,
            rates: dict[str, dict[str, dict[str, float]]], labels: dict[str, list[str]],
            partner_names: dict[str, str]) -> dict[str, str]:
    """The key-person scatter plot and one active-rate trend chart per kind of period, as SVG text;
    legends sit right of the plot, never over a point."""
    import matplotlib

    matplotlib.use("svg")
    from matplotlib import pyplot

    pyplot.rcParams["svg.fonttype"] = "none"  # text stays text: smaller, searchable, selectable
    pyplot.rcParams["svg.hashsalt"] = "partnerkit"  # the same data gives the same file
    colours = dict(zip(QUADRANTS, ("#2e7d32", "#ef6c00", "#1565c0", "#9e9e9e")))
    drawn = {}
    figure, axes = pyplot.subplots(figsize=(6.5, 4.2))
    for label in QUADRANTS:
        reps = [rep for rep in placed if rep.quadrant == label]
        axes.scatter([rep.views if by == "views" else rep.engaged_minutes for rep in reps], [rep.sales for rep in reps],
                     label=label, color=colours[label], s=36)
    axes.axvline(activity_at, color="#616161", linestyle="--", linewidth=1)
    axes.axhline(sales_at, color="#616161", linestyle="--", linewidth=1)
    axes.set_xlabel(f"{METRICS[by]} this month")
    axes.set_ylabel("sales this month")
    axes.legend(loc="upper left", bbox_to_anchor=(1.02, 1), borderaxespad=0, fontsize=8, frameon=False)
    drawn["scatter"] = svg(figure)
    pyplot.close(figure)
    for kind, by_partner in rates.items():
        figure, axes = pyplot.subplots(figsize=(6.5, 3.2))
        for partner, by_period in by_partner.items():
            axes.plot(labels[kind], [by_period.get(label, math.nan) * 100 for label in labels[kind]], marker="o",
                      label=partner_names.get(partner) or partner)
        axes.set_ylabel("active reps, %")
        axes.set_ylim(0, 105)
        axes.tick_params(axis="x", labelsize=8)
        axes.legend(loc="upper left", bbox_to_anchor=(1.02, 1), borderaxespad=0, fontsize=8, frameon=False)
        drawn[kind] = svg(figure)
        pyplot.close(figure)
    return drawn


def funnel_chart(rows) -> str:
    """The learning funnel, one horizontal bar per stage and path (all partners together), as SVG text."""
    import matplotlib

    matplotlib.use("svg")
    from matplotlib import pyplot

    from generator.report.funnel import STAGE_NAMES, STAGES

    pyplot.rcParams["svg.fonttype"] = "none"
    pyplot.rcParams["svg.hashsalt"] = "partnerkit"
    paths = list(dict.fromkeys((row.path, row.path_title) for row in rows))
    figure, axes = pyplot.subplots(figsize=(6.5, 0.6 + 0.5 * len(STAGES) * len(paths) ** 0.5 + 0.4 * len(paths)))
    height = 0.8 / len(paths)
    for index, (path, title) in enumerate(paths):
        counts = [sum(getattr(row, stage) for row in rows if row.path == path) for stage in STAGES]
        axes.barh([position + index * height for position in range(len(STAGES))], counts, height=height, label=title)
    axes.set_yticks([position + height * (len(paths) - 1) / 2 for position in range(len(STAGES))], labels=list(STAGE_NAMES))
    axes.invert_yaxis()
    axes.set_xlabel("reps")
    axes.legend(loc="upper left", bbox_to_anchor=(1.02, 1), borderaxespad=0, fontsize=8, frameon=False)
    drawn = svg(figure)
    pyplot.close(figure)
    return drawn
