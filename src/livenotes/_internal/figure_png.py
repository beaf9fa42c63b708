"""A figure's PNG as pages carry it: in at most 256 colours when that changes no pixel visibly.

Matplotlib writes RGBA PNGs with a few hundred to a few thousand colours, almost all of them the anti-aliased
edges of lines and letters. Every page carries its figures inline, and on the workshop's notebook page they
were a third of the HTML (272 KB of 809). A palette of at most 256 colours (Pillow's "maximum coverage"
quantizer, which starts from the mean colour and keeps adding the colour farthest from those chosen, so that no
colour is left far from the palette; no dithering) makes the same figures about a third as large; on this
site's 17 figures no channel of any pixel moved by more than 8 of 255 (a heatmap of 3,184 colours; the line
plots moved by 1 to 3). The palette is used only when that holds (``MAX_CHANNEL_CHANGE``), the figure is opaque
(a quantizer with transparency would blur the edges it blends into the page) and the result is smaller;
otherwise matplotlib's own PNG is kept, and so it is for a figure of more than ``MAX_PIXELS`` (decoding one
would cost the worker memory for no page's sake, and Pillow refuses very large images as decompression bombs).
This runs in the worker, so its source is part of every cache key.
"""

from __future__ import annotations

import io
import struct

MAX_CHANNEL_CHANGE = 8  # of 255: the largest change of any channel of any pixel that the palette may make
MAX_PIXELS = 20_000_000  # far above any page's figure (2,000 x 1,000 px is 2,000,000), below Pillow's warning
_OPAQUE = (255, 255)


def png_size(png: bytes) -> tuple[int, int]:
    """Width and height from the PNG's header (its first chunk), without decoding it."""
    return struct.unpack(">II", png[16:24])


def compact(png: bytes) -> bytes:
    """``png`` in a palette of at most 256 colours when that is smaller and within ``MAX_CHANNEL_CHANGE``, else
    ``png`` itself."""
    width, height = png_size(png)
    if width * height > MAX_PIXELS:
        return png
    from PIL import Image, ImageChops  # only here: a worker whose snippets draw nothing never loads Pillow

    image = Image.open(io.BytesIO(png))
    if image.mode == "RGBA" and image.getchannel("A").getextrema() != _OPAQUE:
        return png
    rgb = image.convert("RGB")
    palette = rgb.quantize(256, method=Image.Quantize.MAXCOVERAGE, dither=Image.Dither.NONE)
    change = ImageChops.difference(rgb, palette.convert("RGB")).getextrema()
    if max(high for _, high in change) > MAX_CHANNEL_CHANGE:
        return png
    buffer = io.BytesIO()
    palette.save(buffer, format="PNG", optimize=True)
    smaller = buffer.getvalue()
    return smaller if len(smaller) < len(png) else png
