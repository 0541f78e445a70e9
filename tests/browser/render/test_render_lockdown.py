"""The renderer lets nothing out: a page that tries every way to reach a loopback listener
(subresources, CSS, fonts, scripts, frames, navigation, forms, popups on a key press, sockets)
makes the listener see no connection at all, while the page's inline scripts still run."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.browser.hostile import listening
from tests.browser.render.support import renderer_fixture

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def renderer() -> Iterator[object]:
    yield from renderer_fixture(pages=1)


def hostile_page(url: str) -> str:
    return f"""<!doctype html><html><head>
<meta http-equiv="refresh" content="0;url={url}/meta-refresh">
<link rel="stylesheet" href="{url}/link.css"><link rel="prefetch" href="{url}/prefetch">
<link rel="preload" as="image" href="{url}/preload.png"><link rel="dns-prefetch" href="{url}/">
<link rel="icon" href="{url}/favicon.ico"><link rel="manifest" href="{url}/manifest.json">
<script src="{url}/external.js"></script>
<style>
@import url("{url}/import.css");
@font-face {{ font-family: Leak; src: url("{url}/font.woff2"); }}
body {{ font-family: Leak, sans-serif; background: url("{url}/css-url.png"); }}
h1::after {{ content: url("{url}/content.png"); }}
</style></head><body>
<h1 id="h">static</h1>
<img src="{url}/img.png" srcset="{url}/srcset.png 2x"><picture><source srcset="{url}/source.png"></picture>
<svg><image href="{url}/svg-image.png"/></svg>
<iframe src="{url}/iframe"></iframe><iframe srcdoc="<img src='{url}/srcdoc.png'>"></iframe>
<object data="{url}/object"></object><embed src="{url}/embed">
<video poster="{url}/poster.png" src="{url}/video.mp4"></video><audio src="{url}/audio.mp3"></audio>
<form id="f" action="{url}/form" method="post"><input name="a" value="b"></form>
<a id="first" href="{url}/link">a link</a>
<script>
document.getElementById("h").textContent = "script ran";
document.addEventListener("keydown", () => {{
  window.open("{url}/popup");
  location.href = "{url}/on-key";
}});
try {{ fetch("{url}/fetch"); }} catch (e) {{}}
try {{ const x = new XMLHttpRequest(); x.open("GET", "{url}/xhr"); x.send(); }} catch (e) {{}}
try {{ new WebSocket("{url.replace("http", "ws")}/ws"); }} catch (e) {{}}
try {{ new EventSource("{url}/sse"); }} catch (e) {{}}
try {{ navigator.sendBeacon("{url}/beacon", "x"); }} catch (e) {{}}
try {{ new Worker("{url}/worker.js"); }} catch (e) {{}}
try {{ navigator.serviceWorker.register("{url}/sw.js"); }} catch (e) {{}}
try {{ new Image().src = "{url}/new-image.png"; }} catch (e) {{}}
try {{ document.getElementById("f").submit(); }} catch (e) {{}}
setTimeout(() => {{ location.href = "{url}/later"; }}, 50);
</script></body></html>"""


def test_nothing_reaches_the_listener_and_inline_scripts_run(renderer, tmp_path: Path) -> None:
    with listening() as listener:
        facts = renderer.render(hostile_page(listener.url), tmp_path)  # type: ignore[attr-defined]
        time.sleep(1.0)  # anything still in flight would land now
        assert listener.connections == [], listener.requests
    texts = {t.text for w in facts.widths for t in w.texts}
    assert "script ran" in texts  # the inline script ran, and navigation away did not happen
    assert all(w.error is None for w in facts.widths)
    # The renderer saw (and refused) the page's attempts: some are listed for the record.
    assert any(url.startswith(listener.url) for url in facts.blocked_requests)
    assert (tmp_path / "375.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_a_loopback_listener_does_see_an_ordinary_request() -> None:
    """The listener itself works: the test above could fail."""
    import urllib.request

    with listening() as listener:
        with urllib.request.urlopen(f"{listener.url}/probe", timeout=5):
            pass
        assert listener.requests == ["GET /probe HTTP/1.1"]
