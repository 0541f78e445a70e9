"""Screenshots of a rendered artefact as image inputs for a multimodal judge, for the items about
how a page looks (hierarchy, spacing rhythm, restraint): Anthropic `image` content blocks and
OpenAI `image_url` parts, built from a render directory (benchmark/checks/render: 375.png, 768.png,
1280.png).

Tall pages are cut into tiles of at most TILE_HEIGHT px, so that no API downscales a long
screenshot until its text is unreadable (Anthropic resizes images whose long edge exceeds about
1568 px); at most MAX_TILES tiles per width are sent, and the text says when the page goes on.

Caching: a request with images must never share a cache key with the same text and other
pictures. `fingerprint()` lists each tile's label and sha256, which is what the cache key holds
of a request's images (GenerateRequest.images; judging/seen.py attaches them)."""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ...errors import MusebenchError
from ..providers.anthropic_convert import image_blocks
from ..providers.base import ImagePart

WIDTHS = (375, 768, 1280)
TILE_HEIGHT = 1568
MAX_TILES = 4


class ScreenshotError(MusebenchError):
    """A render directory without the screenshots a multimodal judge needs."""


@dataclass(frozen=True)
class Tile:
    width: int
    index: int  # 0-based, top to bottom
    count: int  # tiles sent for this width
    more: bool  # the page goes on below the last tile sent
    png: bytes

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.png).hexdigest()

    @property
    def label(self) -> str:
        part = f", part {self.index + 1} of {self.count}" if self.count > 1 else ""
        cut = " (the page goes on; not shown)" if self.more and self.index == self.count - 1 else ""
        return f"Screenshot at {self.width} px wide{part}{cut}"


def tiles(render_dir: Path, widths: tuple[int, ...] = WIDTHS) -> list[Tile]:
    """The screenshots in `render_dir`, each width cut into tiles top to bottom."""
    from PIL import Image

    out: list[Tile] = []
    for width in widths:
        path = render_dir / f"{width}.png"
        try:
            image = Image.open(path)
            image.load()
        except (OSError, ValueError) as err:
            raise ScreenshotError(f"{path}: no usable screenshot ({err})") from None
        height = image.height
        starts = list(range(0, height, TILE_HEIGHT))
        sent = starts[:MAX_TILES]
        for i, top in enumerate(sent):
            buf = io.BytesIO()
            image.crop((0, top, image.width, min(top + TILE_HEIGHT, height))).save(buf, "PNG")
            more = len(starts) > len(sent)
            out.append(Tile(width, i, len(sent), more, buf.getvalue()))
    return out


def fingerprint(shots: list[Tile]) -> list[list[str]]:
    """What the cache key must include: each tile's label and the sha256 of its bytes."""
    return [[t.label, t.sha256] for t in shots]


def parts(shots: list[Tile]) -> tuple[ImagePart, ...]:
    """The tiles as image parts of a GenerateRequest (providers send them; the cache key holds
    each part's label and sha256, as `fingerprint` lists them)."""
    return tuple(ImagePart(t.label, t.png) for t in shots)


def anthropic_content(text: str, shots: list[Tile]) -> list[dict[str, Any]]:
    """A user message's content for the Messages API: the text, then each tile after its label."""
    return image_blocks(text, parts(shots))


def openai_content(text: str, shots: list[Tile]) -> list[dict[str, Any]]:
    """A user message's content for Chat Completions: text parts and `image_url` data URLs."""
    from ..providers.openai_provider import image_url_parts  # the OpenAI SDK only when asked

    return image_url_parts(text, parts(shots))
