"""Typed records of a rendered artefact: what `facts.json` holds (one per rendered HTML).

Boxes are CSS px in document coordinates; colours are [r, g, b, a] (sRGB 0-255, alpha 0-1)
with the element's opacity folded into alpha. `layers` is what paints behind a text, topmost
first, ending with the page canvas and the browser's white (a gradient is one layer listing its
colour stops: the text must contrast with each); `blocked` says why the background
cannot be known (an image, a gradient, a video behind the text), in which case `layers` is
incomplete and the text's contrast is not judged."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

RGBA = tuple[float, float, float, float]
FACTS_VERSION = 2  # 2: element boxes carry parent, id, classes, attrs, text


class _Rec(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")


class Box(_Rec):
    x: float
    y: float
    w: float
    h: float

    @property
    def cx(self) -> float:
        return self.x + self.w / 2

    @property
    def cy(self) -> float:
        return self.y + self.h / 2


class TextFact(_Rec):
    selector: str
    tag: str
    text: str
    box: Box
    color: RGBA
    layers: list[list[RGBA]]  # topmost first; a gradient is one layer of its colour stops
    blocked: str | None = None
    font_size: float
    font_weight: int


class TargetFact(_Rec):
    selector: str
    tag: str
    text: str = ""
    box: Box
    inline: bool = False  # a link inside a sentence (WCAG 2.5.8's inline exception)
    ua_control: bool = False  # a native checkbox/radio drawn by the browser (its UA exception)


class Offender(_Rec):
    selector: str
    box: Box
    outside: bool = False  # wholly right of the viewport (an off-canvas drawer, when clipped)


class Overflow(_Rec):
    viewport_width: float
    scroll_width: float
    root_clips: bool = False  # overflow-x hidden on the viewport: the page cannot scroll sideways
    offenders: list[Offender] = Field(default_factory=list)


class ClippedText(_Rec):
    selector: str
    text: str
    by: str  # the clipping ancestor (or the element itself)
    ellipsis: bool = False
    axis: str = "x"
    box: Box


class ElementBox(_Rec):
    """A rendered element. `parent` is the index (in its width's `boxes`) of the nearest
    recorded ancestor; `text` its whitespace-normalised text when at most 160 characters, else
    empty (so a phrase is found in the innermost elements that hold it)."""

    selector: str
    tag: str
    box: Box
    parent: int | None = None
    id: str = ""
    classes: list[str] = Field(default_factory=list)
    attrs: dict[str, str] = Field(default_factory=dict)
    text: str = ""


class WidthFacts(_Rec):
    """Facts at one viewport width (an error: the page did not render there)."""

    width: int
    error: str | None = None
    texts: list[TextFact] = Field(default_factory=list)
    targets: list[TargetFact] = Field(default_factory=list)
    overflow: Overflow | None = None
    clipped: list[ClippedText] = Field(default_factory=list)
    boxes: list[ElementBox] = Field(default_factory=list)
    page_height: float = 0
    screenshot: str | None = None  # file name beside facts.json
    seconds: float = 0.0  # load, settle, measure, screenshot (and at 1280 px axe and tabbing)


class FocusStop(_Rec):
    selector: str
    tag: str
    text: str = ""
    box: Box
    before: dict[str, str] | None = None  # computed style before any element had focus
    after: dict[str, str]


class AxeNode(_Rec):
    target: str
    html: str = ""
    summary: str = ""


class AxeRule(_Rec):
    id: str
    impact: str | None = None
    help: str = ""
    nodes: list[AxeNode] = Field(default_factory=list)


class AxeResults(_Rec):
    version: str
    width: int
    violations: list[AxeRule] = Field(default_factory=list)
    passes: list[str] = Field(default_factory=list)
    incomplete: list[str] = Field(default_factory=list)
    inapplicable: list[str] = Field(default_factory=list)


class RenderFacts(_Rec):
    """Everything measured on one artefact (facts.json)."""

    facts_version: int = FACTS_VERSION
    html_sha256: str
    chromium: str
    widths: list[WidthFacts]
    focus_width: int
    focus: list[FocusStop] | None = None  # None: tabbing could not run (see focus_error)
    focus_error: str | None = None
    axe: AxeResults | None = None
    axe_error: str | None = None
    blocked_requests: list[str] = Field(default_factory=list)
    seconds: float = 0.0

    def at(self, width: int) -> WidthFacts | None:
        return next((w for w in self.widths if w.width == width), None)
