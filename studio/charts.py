"""Small charts as plain SVG: they render the same in every browser and in screenshots, and
need no plotting library. One colour per series, consistent across tabs."""

from __future__ import annotations

import html

COLOURS = ["#94a3b8", "#2563eb", "#f97316", "#16a34a", "#a855f7", "#dc2626"]


def rates_with_intervals(
    rows: list[tuple[str, float | None, float, float]], no_data: str = ""
) -> str:
    """(label, rate, low, high) per row: a bar for the rate, a whisker for its 95% interval;
    a rate of None (nobody in the group yet) is the words `no_data` instead."""
    if not rows:
        return ""
    top = max([0.05, *(high for _, rate, _, high in rows if rate is not None)]) * 1.1
    width, row = 560, 38
    size = f'width="{width + 120}" height="{row * len(rows) + 24}"'
    parts = [f'<svg {size} xmlns="http://www.w3.org/2000/svg" font-family="sans-serif">']
    scale = width / top
    for i, (label, rate, low, high) in enumerate(rows):
        y = 10 + i * row
        if rate is None:
            parts += [
                f'<text x="0" y="{y + 17}">{html.escape(label)}</text>',
                f'<text x="60" y="{y + 17}" fill="#64748b">{html.escape(no_data)}</text>',
            ]
            continue
        bar, left, right = rate * scale, low * scale, high * scale
        parts += [
            f'<text x="0" y="{y + 17}">{html.escape(label)}</text>',
            f'<rect x="60" y="{y + 4}" width="{bar:.1f}" height="18" rx="4" '
            f'fill="{COLOURS[i % len(COLOURS)]}"/>',
            f'<line x1="{60 + left:.1f}" x2="{60 + right:.1f}" y1="{y + 13}" y2="{y + 13}" '
            'stroke="#0f172a" stroke-width="2"/>',
            f'<text x="{60 + max(bar, right) + 8:.1f}" y="{y + 17}">{rate:.1%}</text>',
        ]
    parts.append("</svg>")
    return "".join(parts)


def daily(title: str, days: list[str], series: dict[str, list[float]], unit: str = "") -> str:
    """Values per day as lines (one per series) with dots, the days along the bottom."""
    if not days:
        return ""
    width, height, left, right, bottom = 560, 160, 44, 30, 28
    top = max([1.0, *(v for values in series.values() for v in values)]) * 1.15
    step = (width - left - right) / max(1, len(days) - 1)

    def x(i: int) -> float:
        return left + i * step if len(days) > 1 else left + (width - left - right) / 2

    def y(v: float) -> float:
        return 28 + (height - 28 - bottom) * (1 - v / top)

    parts = [
        f'<svg width="{width}" height="{height + 20}" xmlns="http://www.w3.org/2000/svg" '
        'font-family="sans-serif" font-size="12">',
        f'<text x="0" y="13" font-weight="bold">{html.escape(title)}</text>',
        f'<line x1="{left}" x2="{width}" y1="{y(0):.1f}" y2="{y(0):.1f}" stroke="#cbd5e1"/>',
        f'<text x="0" y="{y(top / 1.15) + 4:.1f}">{_number(top / 1.15)}{unit}</text>',
        f'<text x="0" y="{y(0) + 4:.1f}">0</text>',
    ]
    shown = {0, len(days) - 1, *range(0, len(days), max(1, len(days) // 6))}
    for i in sorted(shown):
        parts.append(f'<text x="{x(i) - 16:.1f}" y="{height + 4}">{days[i][5:]}</text>')
    legend_x, right_edge = [], float(width)
    for name in reversed(list(series)):  # right-aligned, each as wide as its words
        right_edge -= _text_width("■ " + name) + 12
        legend_x.insert(0, right_edge)
    for n, (name, values) in enumerate(series.items()):
        colour = COLOURS[n % len(COLOURS)] if len(series) > 1 else COLOURS[1]  # as the bars
        points = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in enumerate(values))
        parts.append(
            f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="2"/>'
        )
        parts += [
            f'<circle cx="{x(i):.1f}" cy="{y(v):.1f}" r="3" fill="{colour}">'
            f"<title>{html.escape(name)} {days[i]}: {_number(v)}{unit}</title></circle>"
            for i, v in enumerate(values)
        ]
        if len(series) > 1:  # a legend beside the title; one series is named by the title
            parts.append(
                f'<text x="{legend_x[n]:.0f}" y="13" fill="{colour}">■ {html.escape(name)}</text>'
            )
    parts.append("</svg>")
    return "".join(parts)


def _number(value: float) -> str:
    return f"{value:.0f}" if value >= 10 or value == int(value) else f"{value:.1f}"


def _text_width(text: str) -> float:
    """About how wide `text` is at 12 px: CJK characters are about twice as wide."""
    return sum(12 if ord(c) >= 0x2E80 else 6.8 for c in text)
