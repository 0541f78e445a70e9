"""`musebench render RUN_DIR`: render every HTML artefact of a run's responses in headless
chromium (docs/RENDERING.md) into RUN/render/, and list them in RUN/render/index.jsonl."""

from __future__ import annotations

import argparse
import fnmatch
import json
import sys
from typing import Any

from ..errors import RunDirError, UsageError
from ..records.rundir import RunDir


def register(sub: Any) -> None:
    p = sub.add_parser(
        "render",
        help="screenshots (375, 768, 1280 px) and computed facts of a run's HTML artefacts",
        description=(
            "Render the HTML of every successful response (visual-design tasks by default) in "
            "locked-down headless chromium; write RUN_DIR/render/<sha>/{375,768,1280}.png and "
            "facts.json, and RUN_DIR/render/index.jsonl (task_id, sample, html_sha256, dir, "
            "errors). Already rendered artefacts are reused."
        ),
    )
    p.add_argument("run_dir", metavar="RUN_DIR")
    p.add_argument("--tasks", default="vd_*", help="task-id glob (default: vd_*)")
    p.add_argument("--pages", type=int, default=2, help="browser tabs rendering at once (1-8)")
    p.set_defaults(func=cmd_render)


def cmd_render(args: argparse.Namespace) -> int:
    from ..analysis.html_extract import extract_html
    from ..checks.render import store
    from ..checks.render.browser import ChromiumNotFound

    if not 1 <= args.pages <= 8:
        raise UsageError(f"--pages: {args.pages} is not between 1 and 8")
    run = RunDir(args.run_dir)
    run.require()
    root = run.path / "render"
    todo = []
    for r in run.responses():
        if r.error is None and fnmatch.fnmatchcase(r.task_id, args.tasks):
            html = extract_html(r.text)
            if html is not None:
                todo.append((r.task_id, r.sample, html))
    if not todo:
        print(f"no HTML artefact in {run.responses_path} for tasks {args.tasks!r}")
        return 0
    try:
        store.POOL_PAGES = args.pages
        if any(not store.is_stored(html, root) for _, _, html in todo):
            store.shared_renderer()
    except ChromiumNotFound as err:
        print(f"musebench: visual checks not run: {err}", file=sys.stderr)
        return 1
    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise RunDirError(f"{root}: cannot be created ({err.strerror})") from None
    lines = []
    for i, (task_id, sample, html) in enumerate(todo, 1):
        facts = store.facts_for(html, root)
        if isinstance(facts, str):  # chromium went missing mid-way
            print(f"musebench: {facts}", file=sys.stderr)
            return 1
        errors = [w.error for w in facts.widths if w.error]
        lines.append(
            {
                "task_id": task_id,
                "sample": sample,
                "html_sha256": facts.html_sha256,
                "dir": store.render_dir(root, html).name,
                "errors": errors,
            }
        )
        print(f"[{i}/{len(todo)}] {task_id}/{sample}: " + ("; ".join(errors) or "ok"))
    index = root / "index.jsonl"
    tmp = index.with_suffix(".jsonl.tmp")
    tmp.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    tmp.replace(index)
    print(f"{len(lines)} artefact(s) rendered into {root} (index: {index})")
    return 0
