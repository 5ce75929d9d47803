"""A pilot's result as a report for a steering group: one self-contained HTML file, or a PDF.

Both are drawn with matplotlib (a pip-installed library; no browser, no system binary): the
HTML embeds its chart as inline SVG and its style inline, so it opens offline anywhere.
"""

from __future__ import annotations

import io
from html import escape
from typing import Literal

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure

from sujuva.services.pilots import PilotResult

Language = Literal["fi", "en"]
LABELS: dict[str, dict[str, str]] = {
    "fi": {
        "title": "Kokeilun tulos",
        "verdict": "Johtopäätös",
        "figures": "Luvut",
        "group": "Ryhmä",
        "pilot": "Kokeiluryhmä",
        "comparison": "Vertailuryhmä",
        "cases": "Asiakkaita",
        "median": "Mediaani (päivää)",
        "ci": "95 %:n luottamusväli",
        "rmst": "Rajoitettu keskiaika (päivää)",
        "curve": "Osuus, joka yhä odottaa",
        "days": "Päivää aloitusvaiheesta",
        "difference": "Mediaanien ero (päivää)",
        "logrank": "Log-rank-testin p-arvo",
        "hr": "Riskisuhde (Cox)",
        "mde": "Pienin havaittava muutos (päivää)",
        "map": "Prosessikartan muutos kokeiluryhmässä (ennen → jälkeen)",
        "from": "Mistä",
        "to": "Mihin",
        "change": "Muutos",
        "data_cut": "Aineisto päättyy",
        "hypothesis": "Hypoteesi",
        "what_changes": "Mikä muuttuu",
    },
    "en": {
        "title": "Pilot result",
        "verdict": "Verdict",
        "figures": "Figures",
        "group": "Group",
        "pilot": "Pilot group",
        "comparison": "Comparison group",
        "cases": "Customers",
        "median": "Median (days)",
        "ci": "95 % CI",
        "rmst": "Restricted mean time (days)",
        "curve": "Share still waiting",
        "days": "Days from the start step",
        "difference": "Difference in medians (days)",
        "logrank": "Log-rank p",
        "hr": "Hazard ratio (Cox)",
        "mde": "Minimum detectable change (days)",
        "map": "Process map change in the pilot group (before → after)",
        "from": "From",
        "to": "To",
        "change": "Change",
        "data_cut": "Data up to",
        "hypothesis": "Hypothesis",
        "what_changes": "What changes",
    },
}
STYLE = (
    "body{font:14px/1.45 sans-serif;color:#1d2733;max-width:900px;margin:2rem auto;padding:0 1rem}"
    "h1{font-size:1.5rem}h2{font-size:1.15rem;margin-top:1.6rem}"
    "table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:.25rem .5rem;"
    "border-bottom:1px solid #d8dee6}.verdict{background:#fff6e5;border-left:4px solid #e8a33d;"
    "padding:.6rem .9rem;font-size:1.05rem}.note{color:#5b6776}"
)


def curves_figure(result: PilotResult, language: Language) -> Figure:
    """The Kaplan–Meier curves of both groups with their confidence bands."""
    labels = LABELS[language]
    figure, axes = plt.subplots(figsize=(8, 3.8))
    for group, colour in (("pilot", "#0b5cad"), ("comparison", "#c2571a")):
        curve = result.curves[result.curves["group"] == group]
        axes.step(
            curve["days"], curve["still_waiting"], where="post", color=colour, label=labels[group]
        )
        axes.fill_between(
            curve["days"],
            curve["lower"],
            curve["upper"],
            step="post",
            color=colour,
            alpha=0.15,
            linewidth=0,
        )
    axes.set_xlabel(labels["days"])
    axes.set_ylabel(labels["curve"])
    axes.set_ylim(0, 1)
    axes.grid(alpha=0.3)
    axes.legend()
    figure.tight_layout()
    return figure


def _svg(figure: Figure) -> str:
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg")
    plt.close(figure)
    text = buffer.getvalue()
    return text[text.index("<svg") :]


CHANGES = {
    "fi": {
        "faster": "nopeutui",
        "slower": "hidastui",
        "appeared": "uusi",
        "disappeared": "poistui",
        "same": "ennallaan",
    },
    "en": {},
}


def _fmt(value: float | None, digits: int = 1, language: Language = "en") -> str:
    if value is None or value != value:
        return "–"
    text = f"{value:,.{digits}f}".replace(",", "\u00a0")
    return text.replace(".", ",") if language == "fi" else text


def _figures_rows(result: PilotResult, language: Language) -> list[tuple[str, str]]:
    labels = LABELS[language]
    e = result.evaluation
    rows = []
    for summary in (e.pilot, e.comparison):
        rows.append(
            (
                f"{labels[summary.group]}: {labels['cases']} / {labels['median']}",
                f"{summary.n} / {_fmt(summary.median_days, 1, language)} ({labels['ci']} "
                f"{_fmt(summary.median_low, 1, language)}–"
                f"{_fmt(summary.median_high, 1, language)})",
            )
        )
    d = e.median_difference
    rows.append(
        (
            labels["difference"],
            f"{_fmt(d.value, 1, language)} ({labels['ci']} "
            f"{_fmt(d.low, 1, language)} … {_fmt(d.high, 1, language)})",
        )
    )
    rows.append((labels["logrank"], f"{e.logrank.p:.3g}"))
    rows.append(
        (
            labels["hr"],
            f"{e.cox.hazard_ratio:.2f} ({labels['ci']} {e.cox.low:.2f}–{e.cox.high:.2f})",
        )
    )
    rows.append((labels["mde"], _fmt(e.power.mde_days, 1, language)))
    return rows


def report_html(result: PilotResult, *, language: Language = "fi") -> str:
    """The whole result page as one HTML document with inline style and an inline SVG chart."""
    labels = LABELS[language]
    definition = result.pilot.definition
    rows = "".join(
        f"<tr><th>{escape(k)}</th><td>{escape(v)}</td></tr>"
        for k, v in _figures_rows(result, language)
    )
    arcs = result.map_change.arcs
    changed = arcs[arcs["change"] != "same"].head(20)
    map_rows = "".join(
        f"<tr><td>{escape(str(r.source))}</td><td>{escape(str(r.target))}</td>"
        f"<td>{escape(CHANGES[language].get(str(r.change), str(r.change)))}</td></tr>"
        for r in changed.itertuples()
    )
    return (
        f'<!doctype html><html lang="{language}"><head><meta charset="utf-8">'
        f"<title>{escape(definition.name)}</title><style>{STYLE}</style></head><body>"
        f"<h1>{labels['title']}: {escape(definition.name)}</h1>"
        f"<p><b>{labels['hypothesis']}:</b> {escape(definition.hypothesis)}</p>"
        f"<p><b>{labels['what_changes']}:</b> {escape(definition.change)}</p>"
        f"<h2>{labels['verdict']}</h2>"
        f'<p class="verdict">{escape(result.evaluation.verdict.text[language])}</p>'
        f"{_svg(curves_figure(result, language))}"
        f"<h2>{labels['figures']}</h2><table>{rows}</table>"
        f"<h2>{labels['map']}</h2><table><tr><th>{labels['from']}</th><th>{labels['to']}</th>"
        f"<th>{labels['change']}</th></tr>{map_rows}</table>"
        f'<p class="note">{labels["data_cut"]}: {result.data_cut.isoformat()}</p>'
        "</body></html>"
    )


def report_pdf(result: PilotResult, *, language: Language = "fi") -> bytes:
    """The report as a two-page PDF: verdict and figures, then the curves."""
    labels = LABELS[language]
    buffer = io.BytesIO()
    with PdfPages(buffer) as pdf:
        page = plt.figure(figsize=(8.27, 11.69))
        text = f"{labels['title']}: {result.pilot.definition.name}\n\n{labels['verdict']}\n"
        page.text(0.07, 0.95, text, va="top", fontsize=13, wrap=True)
        page.text(
            0.07, 0.86, result.evaluation.verdict.text[language], va="top", fontsize=10, wrap=True
        )
        lines = "\n".join(f"{k}: {v}" for k, v in _figures_rows(result, language))
        page.text(0.07, 0.45, f"{labels['figures']}\n\n{lines}", va="top", fontsize=9)
        pdf.savefig(page)
        plt.close(page)
        figure = curves_figure(result, language)
        pdf.savefig(figure)
        plt.close(figure)
    return buffer.getvalue()
