"""Screenshots of a rendered artefact as image inputs for a multimodal judge, for the items about
how a page looks (hierarchy, spacing rhythm, restraint): Anthropic `image` content blocks and
OpenAI `image_url` parts, built from a render directory (benchmark/render: 375.png, 768.png,
1280.png).

Tall pages are cut into tiles of at most TILE_HEIGHT px, so that no API downscales a long
screenshot until its text is unreadable (Anthropic resizes images whose long edge exceeds about
1568 px); at most MAX_TILES tiles per width are sent, and the text says when the page goes on.

Caching: a request with images must never share a cache key with the same text and other
pictures. `fingerprint()` lists each tile's label and sha256; it belongs in the cache key's
payload beside the messages (the provider interface does not carry images yet: see the
closing note of docs/RENDERING.md)."""

from __future__ import annotations

import base64
import hashlib
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import MusebenchError

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


def _b64(png: bytes) -> str:
    return base64.b64encode(png).decode("ascii")


def anthropic_content(text: str, shots: list[Tile]) -> list[dict[str, Any]]:
    """A user message's content for the Messages API: the text, then each tile after its label."""
    blocks: list[dict[str, Any]] = [{"type": "text", "text": text}]
    for t in shots:
        blocks.append({"type": "text", "text": t.label})
        blocks.append(
            {
                "type": "image",
                "source": {"type": "base64", "media_type": "image/png", "data": _b64(t.png)},
            }
        )
    return blocks


def openai_content(text: str, shots: list[Tile]) -> list[dict[str, Any]]:
    """A user message's content for Chat Completions: text parts and `image_url` data URLs."""
    parts: list[dict[str, Any]] = [{"type": "text", "text": text}]
    for t in shots:
        parts.append({"type": "text", "text": t.label})
        parts.append(
            {
                "type": "image_url",
                "image_url": {"url": f"data:image/png;base64,{_b64(t.png)}", "detail": "high"},
            }
        )
    return parts
