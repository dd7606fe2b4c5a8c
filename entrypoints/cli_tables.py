"""A process map as readable text tables for the terminal."""

from __future__ import annotations

from collections.abc import Sequence

import click

from application.graph.process_map import ProcessMapView


def _table(title: str, header: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    cells = [[str(c) for c in header]] + [[_cell(c) for c in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    click.echo(click.style(title, bold=True))
    for n, row in enumerate(cells):
        line = "  ".join(
            c.rjust(w) if n and _numeric(c) else c.ljust(w)
            for c, w in zip(row, widths, strict=True)
        )
        click.echo("  " + line.rstrip())
        if n == 0:
            click.echo("  " + "  ".join("-" * w for w in widths))
    click.echo()


def _cell(value: object) -> str:
    if isinstance(value, float):
        return _duration(value)
    return str(value)


def _numeric(text: str) -> bool:
    return text[:1].isdigit()


def _duration(seconds: float) -> str:
    """Seconds as the largest sensible unit: 42s, 3.5m, 7.2h, 12.0d."""
    for unit, size in (("d", 86_400), ("h", 3_600), ("m", 60)):
        if seconds >= size:
            return f"{seconds / size:.1f}{unit}"
    return f"{seconds:.0f}s"


def print_map(view: ProcessMapView) -> None:
    found = view.map
    names = {a.id: a.name or str(a.id) for a in view.actors}
    click.echo(
        f"{found.object_type}: {found.objects:,} objects, {found.activities:,} activities, "
        f"{found.variant_count:,} variants\n"
    )
    _table("Activities", ["activity", "count"], [(n.activity, n.count) for n in found.nodes])
    _table(
        "Directly follows",
        ["from", "to", "count", "mean", "median", "p90", "min", "max"],
        [(e.source, e.target, e.count, e.duration.mean, e.duration.median, e.duration.p90,
          e.duration.min, e.duration.max) for e in found.edges],
    )  # fmt: skip
    _table("Starts", ["activity", "count"], [(s.activity, s.count) for s in found.starts])
    _table("Ends", ["activity", "count"], [(s.activity, s.count) for s in found.ends])
    _table(
        "Variants",
        ["count", "share", "activities"],
        [(v.count, f"{v.share:.1%}", " > ".join(v.activities)) for v in found.variants],
    )
    _table(
        "Handoffs",
        ["from", "to", "count", "median delay"],
        [(names.get(h.source, h.source), names.get(h.target, h.target), h.count, h.median_delay)
         for h in found.handoffs],
    )  # fmt: skip
    _table(
        "Bottlenecks (total time spent)",
        ["from", "to", "total", "count", "mean"],
        [
            (b.source, b.target, b.duration.total, b.count, b.duration.mean)
            for b in found.bottlenecks
        ],
    )
