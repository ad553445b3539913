"""One self-contained HTML report: the scenario, every model's forecast and trajectories, and the
simulation and uncertainty results where those exist.

Everything is inline (CSS in a ``<style>`` element, charts as ``<svg>``), with no scripts, fonts,
images or links to fetch, so the file opens offline and can be mailed to a colleague.
"""

from __future__ import annotations

import datetime as dt
import json
from html import escape
from typing import Any

from detente.report.charts import TRAJECTORY_ISSUES, issue_charts
from detente.report.collect import OptionalPart, ReportData
from detente.report.sim_svg import (
    OUTCOME_STYLE,
    actor_names,
    network_dates,
    network_legend,
    support_chart,
    timeline_chart,
    trust_multiples,
    trust_network,
)
from detente.report.unc_svg import issue_uncertainty_charts, outcome_chart
from detente.scenario.model import Scenario

CSS = """
body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;color:#1d1d1f;
 margin:0;background:#f6f7f9;line-height:1.45}
main{max-width:960px;margin:0 auto;padding:24px 28px 60px;background:#fff;
 box-shadow:0 0 0 1px #e3e5e8}
h1{font-size:26px;margin:8px 0 4px}h2{font-size:20px;margin:36px 0 8px;
 border-bottom:2px solid #1f4e79;padding-bottom:4px;color:#1f4e79}
h3{font-size:16px;margin:22px 0 6px}.meta{color:#666;font-size:13px}
table{border-collapse:collapse;margin:8px 0 16px;font-size:13px}
th,td{border:1px solid #dde0e4;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#f0f3f7}td.num{text-align:right;font-variant-numeric:tabular-nums}
.chart{display:block;max-width:100%;height:auto;margin:6px 0 14px}
.note{background:#fff8e5;border-left:4px solid #e0a800;padding:8px 12px;font-size:13px}
.error{color:#a00}.small{font-size:12px;color:#555}
nav ul{columns:2;font-size:14px}
.networks{display:flex;flex-wrap:wrap;gap:6px}.networks svg{width:218px;height:auto}
td.outcome-agreement{color:#1e7d32;font-weight:600}td.outcome-partial{color:#9a6b00}
td.outcome-impasse{color:#c62828}td.outcome-no_meeting{color:#666}
table.narrative td:first-child{white-space:nowrap}
"""


def _num(x: float | None, digits: int = 1) -> str:
    return "—" if x is None else f"{x:.{digits}f}"


def _span(interval: dict[str, float] | None) -> str:
    return "—" if interval is None else f"{interval['low']:.1f}–{interval['high']:.1f}"


def _count(n: int, thing: str) -> str:
    return f"{n} {thing}{'s' * (n != 1)}"


def _coded(x: float | None) -> str:
    """An input as coded (0.03 stays 0.03; one decimal showed 0.0, and 0.05 and 0.08 as 0.1)."""
    return "—" if x is None else f"{x:.6g}"


def _table(head: list[str], rows: list[list[str]], numeric_from: int = 1) -> str:
    """A table from already escaped cells; columns from ``numeric_from`` are right-aligned."""
    out = ["<table><thead><tr>", *(f"<th>{h}</th>" for h in head), "</tr></thead><tbody>"]
    for row in rows:
        out.append("<tr>" + "".join(
            f'<td class="num">{c}</td>' if j >= numeric_from else f"<td>{c}</td>"
            for j, c in enumerate(row)) + "</tr>")
    out.append("</tbody></table>")
    return "".join(out)


def _cap(actor: Any, issue_id: str) -> float | None:
    cap = actor.capability
    return cap.get(issue_id) if isinstance(cap, dict) else cap


def scenario_section(sc: Scenario) -> str:
    """Issues, the actors x issues tables, forums and calendar."""
    ids = [i.id for i in sc.issues]
    parts = ["<h2 id='scenario'>Scenario</h2>"]
    if sc.description:
        parts.append(f"<p>{escape(sc.description)}</p>")
    parts.append("<h3>Issues</h3>")
    parts.append(_table(["id", "issue", "low end", "high end", "scale", "status quo"], [
        [escape(i.id), escape(i.name), escape(i.low), escape(i.high),
         f"{i.bounds[0]:g}–{i.bounds[1]:g}", _coded(i.status_quo)] for i in sc.issues],
        numeric_from=4))
    head = ["actor", *map(escape, ids)]
    for title, value in (
            ("Positions", lambda a, i: a.position.get(i)),
            (f"Salience (0–{sc.salience_scale})", lambda a, i: a.salience.get(i)),
            ("Capability", _cap)):
        parts.append(f"<h3>{escape(title)}</h3>")
        parts.append(_table(head, [[escape(a.name or a.id), *(
            _coded(value(a, i)) for i in ids)] for a in sc.actors]))
    if sc.forums:
        parts.append("<h3>Forums</h3>")
        parts.append(_table(["forum", "members", "agenda", "rule", "meetings"], [
            [escape(f.name or f.id), escape(", ".join(f.members)), escape(", ".join(f.agenda)),
             escape(f.rule), escape("; ".join(f"{m.date} {m.name} ({m.status})".strip()
                                              for m in f.meetings))]
            for f in sc.forums], numeric_from=99))
    if sc.calendar:
        parts.append("<h3>Calendar</h3>")
        events = sorted(sc.calendar, key=lambda e: (e.date is None, e.date or dt.date.min))
        parts.append(_table(["date", "kind", "event", "actors"], [
            [escape(str(e.date) if e.date else "open"), escape(e.kind),
             escape(e.description or e.id), escape(", ".join(e.actors))] for e in events],
            numeric_from=99))
    return "".join(parts)


def models_section(data: ReportData) -> str:
    """The comparison table, one comparison chart per issue, and the trajectories."""
    sc = data.scenario
    ok = [m for m in data.models if m.result is not None]
    parts = ["<h2 id='forecasts'>Forecasts by model</h2>",
             f"<p class='small'>Capability coding: <b>{escape(data.capability)}</b>; "
             f"seed {data.seed}. Values are on each issue's own scale.</p>"]
    table = data.forecast_table()
    intervals = data.intervals()  # beside the point forecasts, one column per model with any
    levels = {name: next(iter(spans.values()))["level"] for name, spans in intervals.items()}
    parts.append(_table(
        ["issue", *(escape(m.name) for m in ok),
         *(f"{escape(name)} {100 * level:.0f}% interval" for name, level in levels.items())],
        [[escape(f"{i.id} {i.name}".strip()), *(_num(table[i.id].get(m.name)) for m in ok),
          *(_span(spans.get(i.id)) for spans in intervals.values())] for i in sc.issues]))
    for m in data.models:
        if m.error:
            parts.append(f"<p class='error'>{escape(m.name)} did not run: {escape(m.error)}</p>")
    parts += [f"<p class='note'>{escape(text)}</p>" for text in data.notes()]
    parts.append("<h3>Models</h3><ul>" + "".join(
        f"<li><b>{escape(m.name)}</b>: {escape(m.summary)} <span class='small'>"
        f"({escape(m.source)})</span></li>" for m in data.models) + "</ul>")
    charts = issue_charts(data, TRAJECTORY_ISSUES)
    parts.append("<h2 id='comparison'>Comparison by issue</h2>"
                 "<p class='small'>Circles are the actors' positions (area proportional to "
                 "capability × salience); diamonds are the models' forecasts; the dashed line "
                 "is the status quo.</p>")
    parts += [c.forecast for c in charts]
    parts.append("<h2 id='trajectories'>Trajectories by round</h2>")
    any_traj = False
    for c in charts:
        for svg in c.trajectories.values():
            parts.append(svg)
            any_traj = True
    if not any_traj:
        parts.append("<p class='note'>None of the models that ran bargains over rounds; "
                     "their forecasts are one-shot.</p>")
    elif len(charts) > TRAJECTORY_ISSUES:
        parts.append(f"<p class='note'>Trajectories of the first {TRAJECTORY_ISSUES} of "
                     f"{len(charts)} issues, to keep the report a readable size; "
                     "<code>detente forecast FILE -m MODEL --json</code> gives every issue's "
                     "rounds.</p>")
    return "".join(parts)


def optional_section(title: str, anchor: str, part: OptionalPart) -> str:
    parts = [f"<h2 id='{anchor}'>{escape(title)}</h2>"]
    if not part.available or part.data is None:
        parts.append(f"<p class='note'>Not included: {escape(part.note)}.</p>")
        return "".join(parts)
    parts.append(f"<p>{escape(part.note)}</p>")
    parts.append("<pre class='small'>" + escape(json.dumps(part.data, indent=1)[:20000])
                 + "</pre>")
    return "".join(parts)


def simulation_section(data: ReportData) -> str:
    """Timeline, support, trust (lines and network) and the narrative log of one run."""
    part = data.simulation
    if not part.available or part.data is None:
        return optional_section("Simulation", "simulation", part)
    sim = part.data
    sc = data.scenario
    names = actor_names(data.scenario.model_dump(mode="json"))
    forums = {f.id: f.name or f.id for f in sc.forums}
    outcomes: dict[str, int] = {}
    for e in sim["events"]:
        if e["outcome"]:
            outcomes[e["outcome"]] = outcomes.get(e["outcome"], 0) + 1
    counts = ", ".join(f"{n} {OUTCOME_STYLE.get(o, ('', o))[1]}" for o, n in outcomes.items())
    parts = ["<h2 id='simulation'>Simulation</h2>",
             f"<p>{escape(part.note)} {len(sim['events'])} dated steps; meetings: "
             f"{escape(counts or 'none')}. The same run is printed by <code>detente simulate "
             f"FILE --until {escape(sim['until'])} --seed {sim['seed']} --json</code>.</p>",
             "<h3>Timeline of forum meetings</h3>", timeline_chart(sim, forums),
             "<h3>Domestic support</h3>", support_chart(sim, names),
             "<h3>Trust between actors</h3>", trust_multiples(sim, names),
             "<h3>Trust network</h3><p class='small'>Edge width and colour: trust after the "
             "last step on or before each date.</p><div class='networks'>",
             *(trust_network(sim, d, names) for d in network_dates(sim)),
             "</div>", network_legend()]
    last = {r["actor"]: r["value"] for r in sim["support"]}
    if last:
        parts.append("<h3>End state</h3>")
        parts.append(_table(["actor", "domestic support"], [
            [escape(names.get(a, a)), f"{v:.3f}"] for a, v in last.items()]))
    parts.append("<h3 id='narrative'>Narrative log</h3>")
    parts.append("<table class='narrative'><thead><tr><th>date</th><th>outcome</th>"
                 "<th>what happened</th></tr></thead><tbody>" + "".join(
                     f"<tr><td>{escape(e['date'])}</td>"
                     f"<td class='outcome-{escape(e['outcome'] or 'none')}'>"
                     f"{escape((e['outcome'] or e['kind']).replace('_', ' '))}</td>"
                     f"<td>{escape(e['narrative'])}</td></tr>" for e in sim["events"])
                 + "</tbody></table>")
    return "".join(parts)


def _sobol_table(sens: dict[str, Any], issue: str, swings: list[dict[str, Any]]) -> str:
    sob = {s["input"]: s for s in sens.get("sobol", []) if s["issue"] == issue}
    rows = []
    for s in swings:
        si = sob.get(s["input"])
        rows.append([escape(s["input"]), f"{s['low']:.2f}", f"{s['high']:.2f}",
                     f"{s['swing']:.3f}",
                     f"{si['S1']:.3f} ± {si['S1_conf']:.3f}" if si else "—",
                     f"{si['ST']:.3f} ± {si['ST_conf']:.3f}" if si else "—"])
    return _table(["input", "forecast at q10", "at q90", "swing", "Sobol S1", "Sobol ST"],
                  rows)


def sobol_noise_note(sens: dict[str, Any]) -> str | None:
    """A warning when the Sobol estimates show their sampling noise: a first-order index above
    the total one, or below 0, which the true indices never are (0 <= S1 <= ST); None when
    none does. A small base sample N (the report's default is 64) gives such estimates."""
    rows = sens.get("sobol") or []
    odd = [s for s in rows if s["S1"] > s["ST"] or s["S1"] < 0]
    if not odd:
        return None
    n = sens.get("sobol_samples")
    return (f"With a base sample of N = {n}, the Sobol estimates are noisy: on {len(odd)} of "
            f"{len(rows)} input-issue pairs S1 is above ST or below 0, which the true indices "
            f"never are (0 ≤ S1 ≤ ST). Read them with their ± widths and rank the inputs by the "
            f"tornado, or raise N (detente report --sobol-samples 512, detente sensitivity "
            f"--samples 512).")


def simulation_draws_section(data: ReportData) -> str:
    """The simulation over the same draws: outcome probabilities and the packages in force."""
    unc = data.uncertainty.data or {}
    sim = unc.get("simulation")
    if sim is None:
        return ""
    parts = ["<h3 id='simulation-draws'>Simulation over the draws</h3>"]
    if "error" in sim:
        parts.append(f"<p class='note'>Not included: {escape(sim['error'])}.</p>")
        return "".join(parts)
    forums = {f.id: f.name or f.id for f in data.scenario.forums}
    parts.append(f"<p>{sim['draws']} simulated histories from {escape(sim['start'])} to "
                 f"{escape(sim['until'])}, seed {sim['seed']}; the same numbers are printed by "
                 f"<code>detente simulate FILE --draws {sim['draws']} --seed {sim['seed']} "
                 f"--until {escape(sim['until'])} --json</code>.</p>")
    parts.append(outcome_chart(sim["meetings"], forums))
    q = ("q10", "q50", "q90")
    rows = []
    for p in sim["packages"]:
        qs = p["quantiles"]
        rows.append([escape(p["issue"]), f"{100 * p['p_agreed']:.0f} %",
                     f"{100 * p['p_in_force']:.0f} %",
                     *("—" if qs.get(k) is None else f"{qs[k]:.1f}" for k in q)])
    parts.append("<p class='small'>Package in force at the end: share of draws with an "
                 "agreement on the issue during the run, share with any package in force "
                 "(status quo or agreement), and its quantiles over those draws.</p>")
    parts.append(_table(["issue", "agreed", "in force", "q10", "median", "q90"], rows))
    return "".join(parts)


def uncertainty_section(data: ReportData, top: int = 12) -> str:
    """Forecast distributions by model and issue, and one model's sensitivity ranking."""
    part = data.uncertainty
    if not part.available or part.data is None:
        return optional_section("Uncertainty", "uncertainty", part)
    unc = part.data
    sc = data.scenario
    sens = unc.get("sensitivity")
    ok = [d for d in unc["distributions"] if "error" not in d]
    # the part's note says which widths were drawn (the default widths' note included)
    parts = ["<h2 id='uncertainty'>Uncertainty</h2>", f"<p>{escape(part.note)}</p>"]
    coding = "" if unc["capability"] == "default" else f" --capability {unc['capability']}"
    parts.append("<p class='small'>The same numbers are printed by <code>detente forecast FILE "
                 f"-m MODEL --draws {unc['draws']} --seed {unc['seed']}{escape(coding)} "
                 "--json</code>"
                 + (" (the scenario's block as coded)." if unc["own_spec"] else
                    " once the scenario carries these widths in its uncertainty block.")
                 + "</p>")
    parts.append("<h3>Median and 10–90 % range by model</h3>")
    head = ["issue", *(escape(d["model"]) for d in ok)]
    rows = []
    for issue in sc.issues:
        cells = []
        for d in ok:
            e = next(i for i in d["issues"] if i["id"] == issue.id)
            cells.append("—" if e["median"] is None else
                         f"{e['q50']:.1f} [{e['q10']:.1f}–{e['q90']:.1f}]")
        rows.append([escape(f"{issue.id} {issue.name}".strip()), *cells])
    parts.append(_table(head, rows))
    for d in unc["distributions"]:
        if "error" in d:
            parts.append(f"<p class='error'>{escape(d['model'])} did not run on the draws: "
                         f"{escape(d['error'])}</p>")
    charts = issue_uncertainty_charts(unc, sc, top)
    parts.append("<h3>Forecast distributions</h3><p class='small'>Per model: a histogram of "
                 "the forecasts over the draws, the band from the 10 % to the 90 % quantile, "
                 "and the median (black tick).</p>")
    parts += [c["distribution"] for c in charts]
    parts.append(simulation_draws_section(data))
    parts.append("<h3 id='sensitivity'>Sensitivity</h3>")
    if sens is None:
        parts.append("<p class='note'>Not included: the sensitivity was not requested.</p>")
    elif "error" in sens:
        parts.append(f"<p class='error'>The sensitivity of {escape(sens['model'])} did not "
                     f"run: {escape(sens['error'])}</p>")
    else:
        skipped = sens.get("sobol_skipped")
        design, flag = ((f"tornado only, seed {unc['seed']}", "--no-sobol") if skipped else
                        (f"Sobol base sample N = {sens['sobol_samples']}, seed {unc['seed']}",
                         f"--samples {sens['sobol_samples']}"))
        parts.append(
            f"<p>Model <b>{escape(sens['model'])}</b>, {len(sens['inputs'])} uncertain inputs, "
            f"{sens['evaluations']} model runs ({design}); the same numbers are printed by "
            f"<code>detente sensitivity FILE -m {escape(sens['model'])} {flag} --seed "
            f"{unc['seed']} --json</code>. Tornado: each input alone at its 10 % and 90 % "
            f"quantile, the others as coded; the {top} largest swings per issue. Sobol S1 "
            "(first-order) and ST (total) are shares of the forecast's variance, ± their 95 % "
            "confidence half-widths.</p>")
        if skipped:
            parts.append(f"<p class='note'>No Sobol indices: {escape(skipped)}</p>")
        noisy = sobol_noise_note(sens)
        if noisy is not None:
            parts.append(f"<p class='note'>{escape(noisy)}</p>")
        for c in charts:
            issue = c["issue"]
            parts.append(f"<h4>Issue {escape(issue)}</h4>")
            if issue in sens.get("constant_issues", []):
                parts.append("<p class='small'>The forecast does not vary with the inputs on "
                             "this issue.</p>")
            parts.append(c["tornado"])
            swings = sorted((s for s in sens["tornado"] if s["issue"] == issue),
                            key=lambda s: -s["swing"])[:top]
            parts.append(_sobol_table(sens, issue, swings))
    return "".join(parts)


def render_report(data: ReportData, generated: dt.datetime | None = None) -> str:
    """The whole report as one HTML document."""
    sc = data.scenario
    when = (generated or dt.datetime.now()).strftime("%Y-%m-%d %H:%M")
    title = sc.name or "detente scenario"
    sources = "".join(
        f"<li>{escape(s if isinstance(s, str) else s.title)}"
        f"{'' if isinstance(s, str) or not s.url else ' — ' + escape(s.url)}</li>"
        for s in sc.sources)
    body = [
        f"<h1>{escape(title)}</h1>",
        f"<p class='meta'>{_count(len(sc.actors), 'actor')}, "
        f"{_count(len(sc.issues), 'issue')}, {_count(len(sc.forums), 'forum')}; inputs as of "
        f"{escape(str(sc.as_of or 'unknown'))}. "
        f"Report generated {escape(when)} by detente.</p>",
        "<nav><ul><li><a href='#scenario'>Scenario</a></li>"
        "<li><a href='#forecasts'>Forecasts by model</a></li>"
        "<li><a href='#comparison'>Comparison by issue</a></li>"
        "<li><a href='#trajectories'>Trajectories</a></li>"
        "<li><a href='#simulation'>Simulation</a></li>"
        "<li><a href='#uncertainty'>Uncertainty</a></li></ul></nav>",
        scenario_section(sc),
        models_section(data),
        simulation_section(data),
        uncertainty_section(data),
    ]
    if sources:
        body.append(f"<h2 id='sources'>Sources</h2><ul class='small'>{sources}</ul>")
    return ("<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
            "<meta name='viewport' content='width=device-width, initial-scale=1'>"
            f"<title>{escape(title)} — detente report</title><style>{CSS}</style></head>"
            f"<body><main>{''.join(body)}</main></body></html>\n")
