"""Altair chart builders, readable on a projector: titles, units on the axes, sorted bars, tooltips, and one
fixed colour per confidence level everywhere."""

from __future__ import annotations

import altair as alt
import pandas as pd

from core.findings_model import CODES, CONFIDENCE_ORDER
from core.renewal import Leverage, Milestones

CONFIDENCE_COLORS = {"certain": "#B91C1C", "likely": "#EA580C", "verify": "#CA8A04", "info": "#2563EB"}
MEASURE_COLORS = {"Purchased": "#94A3B8", "In use": "#1F3A5F", "Clean in use": "#0F766E"}
INK = "#111827"
_ACRONYMS = {"ea": "EA", "sa": "SA", "va": "VA"}


def finding_label(code: str) -> str:
    """DUPLICATE_REGISTRATION → 'Duplicate registration'; EA, SA and VA stay in capitals."""
    text = " ".join(_ACRONYMS.get(w, w) for w in code.lower().split("_"))
    return text[:1].upper() + text[1:]


def _confidence_color(title: str = "Confidence") -> alt.Color:
    scale = alt.Scale(domain=CONFIDENCE_ORDER, range=[CONFIDENCE_COLORS[c] for c in CONFIDENCE_ORDER])
    return alt.Color(
        "confidence:N",
        scale=scale,
        sort=CONFIDENCE_ORDER,
        legend=alt.Legend(title=title, orient="top", direction="horizontal"),
    )


def _title(text: str, subtitle: str = "") -> alt.TitleParams:
    return alt.TitleParams(
        text,
        subtitle=subtitle or alt.Undefined,
        anchor="start",
        fontSize=20,
        subtitleFontSize=14,
        subtitleColor="#4B5563",
        offset=12,
    )


def _finish(chart: alt.TopLevelMixin) -> alt.TopLevelMixin:
    return (
        chart.configure_axis(labelFontSize=14, titleFontSize=15, titleFontWeight="normal", labelLimit=320)
        .configure_legend(labelFontSize=14, titleFontSize=14, symbolSize=180)
        .configure_view(strokeWidth=0)
    )


def findings_by_type(findings: pd.DataFrame) -> alt.Chart:
    """One bar per finding code, longest first, coloured by its confidence."""
    counts = findings.groupby(["finding", "confidence"], as_index=False).size().rename(columns={"size": "count"})
    counts["meaning"] = counts["finding"].map(lambda c: CODES[c].meaning if c in CODES else "")
    counts["label"] = counts["finding"].map(finding_label)
    order = counts.sort_values(["count", "label"], ascending=[False, True])["label"].tolist()
    base = alt.Chart(counts).encode(
        y=alt.Y("label:N", sort=order, title=None),
        x=alt.X("count:Q", title="Findings (count)", axis=alt.Axis(format=",d", tickMinStep=1)),
    )
    bars = base.mark_bar(cornerRadiusEnd=3, height={"band": 0.75}).encode(
        color=_confidence_color(),
        tooltip=[
            alt.Tooltip("finding:N", title="Code"),
            alt.Tooltip("meaning:N", title="Meaning"),
            alt.Tooltip("confidence:N", title="Confidence"),
            alt.Tooltip("count:Q", title="Findings", format=","),
        ],
    )
    labels = base.mark_text(align="left", dx=5, fontSize=14, color=INK).encode(text=alt.Text("count:Q", format=","))
    height = max(120, 38 * len(counts))
    return _finish(
        (bars + labels).properties(title=_title("Findings by type", "one bar per finding code"), height=height)
    )


def timeline(m: Milestones) -> alt.Chart:
    """The renewal timeline: hygiene window, lock and close above the band, the as-of date below it."""
    phases = pd.DataFrame(
        {
            "phase": ["Hygiene window", "Baseline locked: negotiate"],
            "start": pd.to_datetime([m.hygiene_start, m.lock]),
            "end": pd.to_datetime([m.lock, m.close]),
        }
    )
    events = pd.DataFrame(
        {
            "event": ["Hygiene start", "Baseline lock", "Renewal close"],
            "date": pd.to_datetime([m.hygiene_start, m.lock, m.close]),
            "days": [m.days_to_hygiene_start, m.days_to_lock, m.days_to_close],
        }
    )
    events["label"] = events["event"] + "\n" + events["date"].dt.strftime("%d %b %Y")
    now = pd.DataFrame({"date": pd.to_datetime([m.as_of]), "label": [f"As of {m.as_of:%d %b %Y}"]})
    lo = min(m.as_of, m.hygiene_start) - pd.Timedelta(days=45)
    hi = max(m.as_of, m.close) + pd.Timedelta(days=45)
    scale = alt.Scale(domain=[pd.Timestamp(lo), pd.Timestamp(hi)])
    axis = alt.Axis(format="%b %Y", labelAngle=0, grid=False, labelOverlap="greedy", tickCount="month")
    band = (
        alt.Chart(phases)
        .mark_bar(height=30, cornerRadius=3)
        .encode(
            x=alt.X("start:T", title=None, scale=scale, axis=axis),
            x2="end:T",
            color=alt.Color(
                "phase:N",
                scale=alt.Scale(domain=list(phases["phase"]), range=["#FDE68A", "#BFDBFE"]),
                legend=alt.Legend(title=None, orient="bottom"),
            ),
            tooltip=[
                alt.Tooltip("phase:N", title="Phase"),
                alt.Tooltip("start:T", title="From", format="%d %b %Y"),
                alt.Tooltip("end:T", title="To", format="%d %b %Y"),
            ],
        )
    )
    ev = alt.Chart(events).encode(
        x=alt.X("date:T", scale=scale),
        tooltip=[
            alt.Tooltip("event:N", title="Milestone"),
            alt.Tooltip("date:T", title="Date", format="%d %b %Y"),
            alt.Tooltip("days:Q", title="Days from the as-of date", format=","),
        ],
    )
    points = ev.mark_point(size=260, filled=True, color="#1F3A5F", shape="diamond", opacity=1)
    names = ev.mark_text(dy=-22, baseline="bottom", fontSize=14, lineBreak="\n", color=INK).encode(text="label:N")
    marker = (
        alt.Chart(now)
        .mark_point(shape="triangle-up", filled=True, size=260, color="#B91C1C", opacity=1, yOffset=30)
        .encode(x=alt.X("date:T"), tooltip=[alt.Tooltip("label:N", title="As of")])
    )
    rule_text = (
        alt.Chart(now)
        .mark_text(dy=44, baseline="top", fontSize=14, fontWeight="bold", color="#B91C1C")
        .encode(x=alt.X("date:T"), text="label:N")
    )
    layered = alt.layer(band, points, names, marker, rule_text).properties(
        height=290,
        title=_title("Renewal timeline", "milestones above the band; red: the as-of date"),
    )
    return _finish(layered)


def va_pools(pools: pd.DataFrame, title: str) -> alt.Chart:
    """Purchased vs in use vs clean in use per licence of one Virtual Account (grouped bars)."""
    frame = pools.rename(columns={"purchased": "Purchased", "in_use": "In use", "clean_in_use": "Clean in use"})
    long = frame.melt(
        id_vars=["license"], value_vars=list(MEASURE_COLORS), var_name="measure", value_name="licences"
    ).dropna(subset=["licences"])
    long["licences"] = long["licences"].astype(float)
    order = frame.sort_values("In use", ascending=False)["license"].tolist()
    scale = alt.Scale(domain=list(MEASURE_COLORS), range=list(MEASURE_COLORS.values()))
    chart = (
        alt.Chart(long)
        .mark_bar(cornerRadiusEnd=2)
        .encode(
            y=alt.Y("license:N", sort=order, title=None),
            yOffset=alt.YOffset("measure:N", sort=list(MEASURE_COLORS)),
            x=alt.X("licences:Q", title="Licences (units)", axis=alt.Axis(format=",d")),
            color=alt.Color(
                "measure:N", scale=scale, sort=list(MEASURE_COLORS), legend=alt.Legend(title=None, orient="top")
            ),
            tooltip=[
                alt.Tooltip("license:N", title="Licence"),
                alt.Tooltip("measure:N", title="Measure"),
                alt.Tooltip("licences:Q", title="Licences", format=","),
            ],
        )
    )
    return _finish(
        chart.properties(title=_title(title, "purchased, in use today, and in use after clean-up"), height=alt.Step(16))
    )


def sensitivity(curve: pd.DataFrame, lev: Leverage) -> alt.Chart:
    """Leverage in money against the percentage achieved, the assumed range shaded and its ends marked."""
    currency = lev.currency
    x = alt.X("pct:Q", title="Reduction achieved (% of annual renewal value)", axis=alt.Axis(format=".0f"))
    y = alt.Y("value:Q", title=f"Estimated leverage ({currency})", axis=alt.Axis(format="~s"))
    tips = [
        alt.Tooltip("pct:Q", title="Reduction %", format=".1f"),
        alt.Tooltip("value:Q", title=f"Leverage ({currency})", format=",.0f"),
    ]
    inside = curve[curve["in_range"]]
    area = alt.Chart(inside).mark_area(color="#0F766E", opacity=0.25).encode(x=x, y=y)
    line = alt.Chart(curve).mark_line(color="#1F3A5F", strokeWidth=3).encode(x=x, y=y, tooltip=tips)
    pts = alt.Chart(curve).mark_point(color="#1F3A5F", size=40, filled=True).encode(x=x, y=y, tooltip=tips)
    ends = pd.DataFrame(
        {
            "pct": [lev.low_pct, lev.high_pct],
            "value": [lev.low, lev.high],
            "label": [f"low {lev.low_pct:g}%", f"high {lev.high_pct:g}%"],
        }
    )
    marks = (
        alt.Chart(ends)
        .mark_text(dy=-14, fontSize=14, fontWeight="bold", color="#0F766E")
        .encode(x=x, y=y, text="label:N")
    )
    return _finish(
        alt.layer(area, line, pts, marks).properties(
            height=340, title=_title("Leverage sensitivity", "shaded: the assumed low–high range")
        )
    )


def pool_deltas(pools: pd.DataFrame, title: str) -> alt.Chart:
    """Change in clean in use per pool between two snapshots: one bar per pool, down (green) is good."""
    frame = pools.assign(
        pool=pools["smart_account"] + " / " + pools["virtual_account"] + " / " + pools["license"],
        change=pools["clean_in_use_delta"].astype(float),
    )
    frame["direction"] = frame["change"].map(lambda v: "fewer licences" if v < 0 else "more licences")
    order = frame.sort_values("change")["pool"].tolist()
    scale = alt.Scale(domain=["fewer licences", "more licences"], range=["#0F766E", "#B91C1C"])
    chart = (
        alt.Chart(frame)
        .mark_bar(cornerRadiusEnd=2)
        .encode(
            y=alt.Y("pool:N", sort=order, title=None),
            x=alt.X("change:Q", title="Change in clean in use (licences)", axis=alt.Axis(format=",d")),
            color=alt.Color("direction:N", scale=scale, legend=alt.Legend(title=None, orient="top")),
            tooltip=[
                alt.Tooltip("pool:N", title="Smart Account / VA / licence"),
                alt.Tooltip("clean_in_use_before:Q", title="Clean in use, earlier", format=","),
                alt.Tooltip("clean_in_use_after:Q", title="Clean in use, later", format=","),
                alt.Tooltip("change:Q", title="Change", format="+,"),
            ],
        )
    )
    return _finish(
        chart.properties(title=_title(title, "per Smart Account, Virtual Account and licence"), height=alt.Step(22))
    )
