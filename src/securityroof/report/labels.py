"""Map labels that do not overlap: a small greedy placer for matplotlib.

Labels are placed one by one, most important first. Each tries a few
positions around its point (right, left, above, below, then the corners,
then further out) and takes the first whose box overlaps no label placed
before, no marker to keep clear and stays inside the axes. A label with no
free position is left out and counted: on a crowded map the legend and the
interactive map still name every point.

Boxes are measured by the figure's own renderer, so what is checked is what
is drawn. The figure's layout must be final first (`apply_aspect` is called
here); the boxes scale together when the figure is saved at another dpi.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from matplotlib import patheffects
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.text import Annotation, Text
from matplotlib.transforms import Bbox

# Offsets from the point (points), in order of preference.
_NEAR = ((4, 0, "left", "center"), (-4, 0, "right", "center"), (0, 4, "center", "bottom"),
         (0, -4, "center", "top"), (3, 3, "left", "bottom"), (-3, 3, "right", "bottom"),
         (3, -3, "left", "top"), (-3, -3, "right", "top"))  # fmt: skip
CANDIDATES = _NEAR + tuple((3 * dx, 3 * dy, ha, va) for dx, dy, ha, va in _NEAR)
LABEL_PADDING_PX = 1.5
HALO = [patheffects.withStroke(linewidth=2.0, foreground="white")]  # legible over cells and lines


@dataclass(frozen=True)
class Label:
    """A text to put beside a point (data coordinates of the axes)."""

    x: float
    y: float
    text: str
    fontsize: float = 6.5
    colour: str = "#222222"


@dataclass(frozen=True)
class Placement:
    placed: list[Text]
    left_out: list[str]


def _grown(box: Bbox, pad: float) -> Bbox:
    return Bbox.from_extents(box.x0 - pad, box.y0 - pad, box.x1 + pad, box.y1 + pad)


def place_labels(
    axes: Axes,
    labels: Sequence[Label],
    *,
    keep_clear: Iterable[tuple[float, float]] = (),
    marker_radius_px: float = 3.0,
) -> Placement:
    """Place `labels` (in order of priority) so that no two overlap.

    `keep_clear`: points (data coordinates) whose markers labels must not
    cover; each label's own point is kept clear as well.
    """
    figure = axes.figure
    axes.apply_aspect()
    renderer = figure.canvas.get_renderer()  # type: ignore[attr-defined]
    frame = axes.get_window_extent(renderer)
    to_pixels = axes.transData.transform
    r = marker_radius_px
    occupied = [
        Bbox.from_extents(px - r, py - r, px + r, py + r)
        for px, py in (
            to_pixels((x, y)) for x, y in [*keep_clear, *((lb.x, lb.y) for lb in labels)]
        )
    ]
    placed: list[Text] = []
    left_out: list[str] = []
    for label in labels:
        chosen: Annotation | None = None
        for dx, dy, ha, va in CANDIDATES:
            text = axes.annotate(
                label.text,
                (label.x, label.y),
                xytext=(dx, dy),
                textcoords="offset points",
                ha=ha,
                va=va,
                fontsize=label.fontsize,
                color=label.colour,
                annotation_clip=False,
                zorder=20,
                path_effects=HALO,
            )
            box = _grown(text.get_window_extent(renderer), LABEL_PADDING_PX)
            inside = (
                box.x0 >= frame.x0
                and box.x1 <= frame.x1
                and box.y0 >= frame.y0
                and box.y1 <= frame.y1
            )
            if inside and not any(box.overlaps(other) for other in occupied):
                chosen = text
                occupied.append(box)
                break
            text.remove()
        if chosen is None:
            left_out.append(label.text)
        else:
            placed.append(chosen)
    return Placement(placed, left_out)


def overlapping_texts(figure: Figure) -> list[tuple[str, str]]:
    """Pairs of visible, non-empty texts of a figure whose drawn boxes intersect
    (labels, titles, tick labels and legends alike): what a reader would see collide."""
    renderer = figure.canvas.get_renderer()  # type: ignore[attr-defined]
    figure.draw_without_rendering()
    texts = [
        (text.get_text(), text.get_window_extent(renderer))
        for text in figure.findobj(Text)
        if text.get_visible() and text.get_text().strip() and _shown(text)
    ]
    return [
        (a, b)
        for i, (a, box_a) in enumerate(texts)
        for b, box_b in texts[i + 1 :]
        if box_a.overlaps(box_b)
    ]


def _shown(text: Text) -> bool:
    """Visible along its whole chain of parents (a hidden axes hides its ticks)."""
    axes = text.axes
    return axes is None or axes.get_visible()
