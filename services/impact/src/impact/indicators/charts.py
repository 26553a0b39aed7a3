"""Charts for reports as SVG, drawn here (no plotting library, no fonts to install): grouped bars with axis,
gridlines, legend and values as titles, in a colour-blind-safe palette (Okabe–Ito)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape

PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00")
WIDTH, HEIGHT, LEFT, RIGHT, TOP, BOTTOM = 760, 420, 70, 20, 50, 90


def _format(value: float, unit: str) -> str:
    if unit == "share":
        return f"{value * 100:.0f}%"
    if abs(value) >= 1_000_000:
        return f"£{value / 1_000_000:.1f}m"
    if abs(value) >= 1_000:
        return f"£{value / 1_000:.0f}k"
    return f"£{value:.0f}"


def bar_chart(title: str, groups: Sequence[str], series: Mapping[str, Sequence[float | None]], unit: str) -> str:
    """Grouped vertical bars: one group per label, one bar per series (None = no data, drawn as a gap)."""
    values = [v for vs in series.values() for v in vs if v is not None]
    top = max([*values, 0.0]) or 1.0
    if unit == "share":
        top = max(top, 0.0) if top > 1 else 1.0
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / max(len(groups), 1)
    bar = slot * 0.8 / max(len(series), 1)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'font-family="sans-serif" font-size="12" role="img" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
        f'<rect width="{WIDTH}" height="{HEIGHT}" fill="#fff"/>',
        f'<text x="{LEFT}" y="24" font-size="16" font-weight="bold">{escape(title)}</text>',
    ]
    for step in range(5):
        tick = top * step / 4
        y = TOP + plot_h - plot_h * step / 4
        out.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" stroke="#ddd"/>')
        out.append(f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">{_format(tick, unit)}</text>')
    for g, label in enumerate(groups):
        x0 = LEFT + g * slot + slot * 0.1
        for s, (name, vs) in enumerate(series.items()):
            value = vs[g] if g < len(vs) else None
            if value is None:
                continue
            h = max(plot_h * max(value, 0.0) / top, 0.0)
            x, y = x0 + s * bar, TOP + plot_h - h
            out.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar * 0.92:.1f}" height="{h:.1f}" '
                f'fill="{PALETTE[s % len(PALETTE)]}"><title>{escape(name)} {escape(label)}: '
                f"{_format(value, unit)}</title></rect>"
            )
        cx = LEFT + g * slot + slot / 2
        out.append(
            f'<text x="{cx:.1f}" y="{TOP + plot_h + 16}" text-anchor="end" '
            f'transform="rotate(-30 {cx:.1f} {TOP + plot_h + 16})">{escape(label[:28])}</text>'
        )
    out.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{TOP + plot_h}" y2="{TOP + plot_h}" stroke="#333"/>')
    for s, name in enumerate(series):
        x = LEFT + s * 170
        out.append(f'<rect x="{x}" y="{HEIGHT - 22}" width="12" height="12" fill="{PALETTE[s % len(PALETTE)]}"/>')
        out.append(f'<text x="{x + 16}" y="{HEIGHT - 12}">{escape(name)}</text>')
    out.append("</svg>")
    return "\n".join(out)
