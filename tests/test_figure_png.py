"""The figures' PNGs in a palette only where no pixel changes visibly (figure_png.py)."""

from __future__ import annotations

import io
import struct
from collections.abc import Callable

import matplotlib.pyplot as plt
import matplotlib_fontja  # noqa: F401  (the Japanese font the site's figures use, registered on import)
import numpy as np
import pytest
from PIL import Image, ImageChops

from livenotes._internal.figure_png import MAX_CHANNEL_CHANGE, MAX_PIXELS, compact, png_size

_PALETTE = 3  # a PNG's colour type for an indexed image (its header's 26th byte)


def _drawn(draw: Callable[[object], None], **savefig: object) -> bytes:
    """A PNG as the worker saves a snippet's figure (execution._collect_figures)."""
    figure, axes = plt.subplots(figsize=(5, 3), dpi=100)
    draw(axes)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", bbox_inches="tight", metadata={"Software": None}, **savefig)
    plt.close(figure)
    return buffer.getvalue()


def _loss_curve(axes: object) -> None:
    # like the workshop's loss plots: a thin noisy line, dots, a legend and Japanese labels (many blended edges)
    steps = np.arange(900)
    axes.plot(steps, 3.5 + 3 * np.exp(-steps / 150) + 0.05 * np.sin(steps), linewidth=0.8, label="学習のバッチ")
    axes.scatter([0, 899], [6.9, 3.9], color="tab:orange", label="評価データ")
    axes.set(title="小さな GPT-2 の事前学習の損失", xlabel="ステップ", ylabel="損失")
    axes.legend()


def _rgb(png: bytes) -> Image.Image:
    return Image.open(io.BytesIO(png)).convert("RGB")


def test_a_line_plot_gets_a_palette_that_changes_no_pixel_visibly() -> None:
    original = _drawn(_loss_curve)
    assert len(_rgb(original).getcolors(1 << 24)) > 256  # more colours than a palette holds: it must choose
    shown = compact(original)
    assert shown[25] == _PALETTE
    assert len(shown) < len(original) / 2
    assert _rgb(shown).size == _rgb(original).size
    change = ImageChops.difference(_rgb(original), _rgb(shown)).getextrema()
    assert max(high for _, high in change) <= MAX_CHANNEL_CHANGE


@pytest.mark.parametrize(
    ("draw", "savefig"),
    [
        # noise of 60,000 colours: no 256 of them come within the allowed change of every pixel
        (lambda axes: axes.imshow(np.random.default_rng(0).random((200, 300, 3))), {}),
        # a transparent background: the palette is only for opaque figures
        (_loss_curve, {"transparent": True}),
    ],
    ids=["noise", "transparent"],
)
def test_a_figure_a_palette_would_change_keeps_matplotlibs_png(
    draw: Callable[[object], None], savefig: dict[str, object]
) -> None:
    original = _drawn(draw, **savefig)
    assert compact(original) == original


def test_a_figure_the_palette_would_make_larger_keeps_its_png() -> None:
    # one colour in an RGBA PNG is smaller than any palette PNG (which carries its palette)
    buffer = io.BytesIO()
    Image.new("RGBA", (16, 16), (10, 20, 30, 255)).save(buffer, format="PNG", optimize=True)
    original = buffer.getvalue()
    assert compact(original) == original


def test_a_figure_over_the_pixel_limit_is_kept_without_being_decoded() -> None:
    # only the header: decoding it would fail, so passing shows the size alone decided
    side = int(MAX_PIXELS**0.5) + 1
    header = b"\x89PNG\r\n\x1a\n" + struct.pack(">I4sII", 13, b"IHDR", side, side) + b"\x08\x06\x00\x00\x00"
    assert png_size(header) == (side, side)
    assert compact(header) == header
