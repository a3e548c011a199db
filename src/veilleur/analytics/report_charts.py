"""The report's charts, twice from the same figures: plotly for the HTML page, matplotlib PNGs for slides.

Labels are French, numbers use the French decimal comma. Colours: green for positive, grey for
neutral, red for negative (with a darker shade for the bank itself in comparisons), readable
in print. Imports ``analytics.report_data``, plotly and matplotlib (the Agg canvas only: no
display, no pyplot global state).
"""
from __future__ import annotations

from datetime import date
from pathlib import Path

import plotly.graph_objects as go
from matplotlib.figure import Figure

from veilleur.analytics.report_data import ReportFigures

POSITIVE, NEUTRAL, NEGATIVE = "#2e7d32", "#9e9e9e", "#c62828"
OWN, RIVALS = "#1f4e79", ("#e08a1e", "#7b5ea7", "#4f9d9a", "#b5651d", "#8c8c8c")
TOPIC_FR = {"cards": "Cartes", "transfers": "Virements", "accounts_fees": "Comptes et frais",
            "digital": "Appli et site", "loans": "Crédits", "savings": "Épargne", "insurance": "Assurance",
            "fraud_security": "Fraude et sécurité", "branch_advisor": "Agences et conseillers",
            "customer_service": "Service client", "jobs": "Emploi", "csr_sponsorship": "RSE et mécénat"}
FONT = "DejaVu Sans, Arial, sans-serif"


def week_label(week: date, f: ReportFigures) -> str:
    """'sem. du 05/10'; a week begun before the period is named after the period's first day."""
    first = f.daily[0][0] if f.daily else week
    return f"sem. du {max(week, first):%d/%m}"


def topic_fr(topic: str) -> str:
    return TOPIC_FR.get(topic, topic)


def brand_colours(f: ReportFigures) -> dict[str, str]:
    return {f.bank: OWN} | {rival: RIVALS[i % len(RIVALS)] for i, rival in enumerate(f.competitors)}


def _layout(fig: go.Figure, title: str, height: int = 380) -> go.Figure:
    fig.update_layout(title={"text": title, "x": 0, "font": {"size": 16}}, template="plotly_white", height=height,
                      font={"family": FONT, "size": 12}, separators=", ", margin={"l": 60, "r": 20, "t": 60, "b": 50},
                      legend={"orientation": "h", "yanchor": "bottom", "y": 1.0, "xanchor": "right", "x": 1,
                              "traceorder": "normal"})
    return fig


def plotly_figures(f: ReportFigures) -> dict[str, go.Figure]:
    """The page's interactive charts, by section name."""
    return {"volume": volume_figure(f), "reputation": reputation_figure(f), "share": share_figure(f),
            "share_topics": share_topics_figure(f), "topics": topics_figure(f)}


def volume_figure(f: ReportFigures) -> go.Figure:
    days = [d.isoformat() for d, *_ in f.daily]
    fig = go.Figure()
    for index, name, colour in ((1, "positif", POSITIVE), (2, "neutre", NEUTRAL), (3, "négatif", NEGATIVE)):
        fig.add_bar(x=days, y=[row[index] for row in f.daily], name=name, marker_color=colour,
                    hovertemplate="%{x|%d/%m} : %{y} publications " + name + "<extra></extra>")
    fig.update_layout(barmode="stack", xaxis={"tickformat": "%d/%m", "dtick": 86400000 * 2},
                      yaxis={"title": "publications par jour"})
    return _layout(fig, "Volume quotidien par tonalité")


def reputation_figure(f: ReportFigures) -> go.Figure:
    weeks = [w for w, r in f.weekly if r.posts]
    reps = [r for _, r in f.weekly if r.posts]
    labels = [week_label(w, f) for w in weeks]
    fig = go.Figure()
    fig.add_hrect(y0=f.reputation.low, y1=f.reputation.high, fillcolor=OWN, opacity=0.12, line_width=0)
    fig.add_hline(y=0, line={"color": "#555", "width": 1})
    month = f"mois : {fr(f.reputation.net)} [{fr(f.reputation.low)} ; {fr(f.reputation.high)}]"
    fig.add_scatter(x=labels, y=[f.reputation.net] * len(labels), mode="lines", name=month, hoverinfo="skip",
                    line={"color": OWN, "dash": "dash", "width": 1.5})
    fig.add_scatter(x=labels, y=[r.net for r in reps], mode="lines+markers", name="net par semaine (IC)",
                    marker={"size": 9, "color": OWN}, line={"color": OWN},
                    error_y={"type": "data", "symmetric": False, "array": [r.high - r.net for r in reps],
                             "arrayminus": [r.net - r.low for r in reps], "color": OWN},
                    customdata=[[r.posts, r.low, r.high] for r in reps],
                    hovertemplate="%{x} : %{y} points [%{customdata[1]} ; %{customdata[2]}], "
                                  "%{customdata[0]} publications<extra></extra>")
    fig.update_layout(yaxis={"title": "points (positif − négatif) / total", "range": [-100, 100]})
    return _layout(fig, "E-réputation nette par semaine, avec son intervalle de confiance")


def share_figure(f: ReportFigures) -> go.Figure:
    colours = brand_colours(f)
    total_posts = sum(n for _, n, _ in f.share_of_voice) or 1
    total_reach = sum(r for _, _, r in f.share_of_voice) or 1
    fig = go.Figure()
    for brand, posts, reach in f.share_of_voice:
        shares = [100 * posts / total_posts, 100 * reach / total_reach]
        fig.add_bar(y=["en volume", "en audience"], x=shares, name=brand, orientation="h",
                    marker_color=colours.get(brand, NEUTRAL), text=[f"{fr(s, 0)} %" for s in shares],
                    textposition="inside", insidetextanchor="middle", textfont={"color": "white"},
                    hovertemplate=brand + " : %{x:.1f} %<extra></extra>")
    fig.update_layout(barmode="stack", xaxis={"range": [0, 100], "title": "% des publications sur les banques suivies"},
                      yaxis={"autorange": "reversed"})
    return _layout(fig, "Part de voix face aux concurrents", height=260)


def share_topics_figure(f: ReportFigures, limit: int = 8) -> go.Figure:
    colours = brand_colours(f)
    topics = list(f.share_by_topic)[:limit]
    totals = [sum(f.share_by_topic[t].values()) or 1 for t in topics]
    fig = go.Figure()
    for brand in [f.bank, *f.competitors]:
        counts = [f.share_by_topic[t].get(brand, 0) for t in topics]
        fig.add_bar(y=[topic_fr(t) for t in topics], x=[100 * c / n for c, n in zip(counts, totals, strict=True)],
                    name=brand, orientation="h", marker_color=colours[brand], customdata=counts,
                    hovertemplate=brand + " : %{x:.0f} % (%{customdata} publications)<extra></extra>")
    fig.update_layout(barmode="stack", xaxis={"range": [0, 100], "title": "% des publications du thème"},
                      yaxis={"autorange": "reversed"})
    return _layout(fig, "Part de voix par thème", height=90 + 34 * max(len(topics), 1))


def topics_figure(f: ReportFigures) -> go.Figure:
    names = [topic_fr(t) for t, _, _ in f.topics]
    colours = [NEGATIVE if net < -10 else POSITIVE if net > 10 else NEUTRAL for _, _, net in f.topics]
    fig = go.Figure(go.Bar(y=names, x=[n for _, n, _ in f.topics], orientation="h", marker_color=colours,
                           text=[f"net {fr(net, 0)}" for _, _, net in f.topics], textposition="outside",
                           hovertemplate="%{y} : %{x} publications<extra></extra>"))
    top = max((n for _, n, _ in f.topics), default=1)
    fig.update_layout(yaxis={"autorange": "reversed"}, xaxis={"title": "publications", "range": [0, top * 1.25]})
    return _layout(fig, "Thèmes les plus discutés (couleur : tonalité nette)", height=90 + 34 * max(len(names), 1))


def fr(value: float, decimals: int = 1) -> str:
    """A number the French way: decimal comma, narrow no-break space for thousands, a true minus sign."""
    text = f"{value:,.{decimals}f}".replace(",", "\u202f").replace(".", ",")
    return text.replace("-", "−")


# -- PNG charts for slides -------------------------------------------------------------------
def write_pngs(f: ReportFigures, folder: Path) -> list[Path]:
    """Write the slide charts into ``folder``; returns their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    made = []
    for name, draw in (("volume", _png_volume), ("e-reputation", _png_reputation),
                       ("part-de-voix", _png_share), ("themes", _png_topics)):
        fig = Figure(figsize=(10, 5.2), dpi=150, layout="constrained")
        draw(fig.add_subplot(), f)
        fig.suptitle(f"{f.bank} — {f.period_label}", x=0.01, ha="left", fontsize=10, color="#555")
        path = folder / f"{name}.png"
        fig.savefig(path)
        made.append(path)
    return made


def _png_volume(ax, f: ReportFigures) -> None:
    days = [d for d, *_ in f.daily]
    bottom = [0] * len(days)
    for index, name, colour in ((1, "positif", POSITIVE), (2, "neutre", NEUTRAL), (3, "négatif", NEGATIVE)):
        values = [row[index] for row in f.daily]
        ax.bar(days, values, bottom=bottom, color=colour, label=name, width=0.8)
        bottom = [b + v for b, v in zip(bottom, values, strict=True)]
    ax.set_title("Volume quotidien par tonalité", loc="left", fontsize=13)
    ax.set_ylabel("publications par jour")
    ax.xaxis.set_major_formatter(_day_formatter())
    ax.legend(frameon=False, ncols=3, loc="upper right")
    ax.spines[["top", "right"]].set_visible(False)


def _day_formatter():
    from matplotlib.dates import DateFormatter

    return DateFormatter("%d/%m")


def _png_reputation(ax, f: ReportFigures) -> None:
    reps = [(w, r) for w, r in f.weekly if r.posts]
    labels = [week_label(w, f) for w, _ in reps]
    x = list(range(len(reps)))
    ax.axhspan(f.reputation.low, f.reputation.high, color=OWN, alpha=0.12, lw=0)
    ax.axhline(f.reputation.net, color=OWN, ls="--", lw=1, label=f"mois : {fr(f.reputation.net)} points")
    ax.axhline(0, color="#555", lw=0.8)
    ax.errorbar(x, [r.net for _, r in reps], yerr=[[r.net - r.low for _, r in reps], [r.high - r.net for _, r in reps]],
                fmt="o-", color=OWN, capsize=4, label="net par semaine (IC)")
    ax.set_xticks(x, labels)
    ax.set_ylim(-100, 100)
    ax.set_ylabel("points (positif − négatif) / total")
    ax.set_title("E-réputation nette par semaine", loc="left", fontsize=13)
    ax.legend(frameon=False, loc="upper left")
    ax.spines[["top", "right"]].set_visible(False)


def _png_share(ax, f: ReportFigures) -> None:
    colours = brand_colours(f)
    totals = (sum(n for _, n, _ in f.share_of_voice) or 1, sum(r for _, _, r in f.share_of_voice) or 1)
    left = [0.0, 0.0]
    for brand, posts, reach in f.share_of_voice:
        shares = [100 * posts / totals[0], 100 * reach / totals[1]]
        bars = ax.barh(["en volume", "en audience"], shares, left=left, color=colours.get(brand, NEUTRAL), label=brand)
        ax.bar_label(bars, labels=[f"{fr(s, 0)} %" if s >= 6 else "" for s in shares], label_type="center",
                     color="white", fontsize=11)
        left = [a + b for a, b in zip(left, shares, strict=True)]
    ax.set_xlim(0, 100)
    ax.invert_yaxis()
    ax.set_xlabel("% des publications (ou de l'audience) sur les banques suivies")
    ax.set_title("Part de voix face aux concurrents", loc="left", fontsize=13)
    ax.legend(frameon=False, ncols=len(f.share_of_voice), loc="lower center", bbox_to_anchor=(0.5, -0.35))
    ax.spines[["top", "right"]].set_visible(False)


def _png_topics(ax, f: ReportFigures) -> None:
    names = [topic_fr(t) for t, _, _ in f.topics]
    counts = [n for _, n, _ in f.topics]
    colours = [NEGATIVE if net < -10 else POSITIVE if net > 10 else NEUTRAL for _, _, net in f.topics]
    bars = ax.barh(names, counts, color=colours)
    ax.bar_label(bars, labels=[f"net {fr(net, 0)}" for _, _, net in f.topics], padding=4, fontsize=9)
    ax.invert_yaxis()
    ax.set_xlim(0, max(counts, default=1) * 1.25)
    ax.set_xlabel("publications")
    ax.set_title("Thèmes les plus discutés (couleur : tonalité nette)", loc="left", fontsize=13)
    ax.spines[["top", "right"]].set_visible(False)
