"""Rehearse the leaderboard Space's Docker image on this machine, without Docker.

No Docker engine runs here (`docker` is only the client) and the base image's registry is out
of reach, so the image itself cannot be built. This script does what the Dockerfile does, step
by step, to the assembled build context:

1. `musebench leaderboard space --out CONTEXT` (the folder pushed to the Space);
2. a fresh Python 3.11 virtual environment (the base image is python:3.11-slim) into which
   CONTEXT/requirements.txt is installed from CONTEXT, as `RUN pip install -r
   requirements.txt` does (so the copied source really installs, suite data included);
3. a board built with that install from the offline demo (labelled illustrative);
4. the Dockerfile's ENV lines and its CMD, read from the Dockerfile and run as written (port
   8501, address 0.0.0.0) with HOME in a temporary folder and MUSEBENCH_BOARD_DATA set, as a
   Space variable would;
5. Streamlit's health endpoint, then the page in Debian's headless chromium until the table
   and a chart are drawn; screenshot in test-artifacts/space-rehearsal.png.

Not covered: the base image's own contents, `useradd` and running as uid 1000, and the
Space's build and network. `.ci/run` runs this after the tests.

    python scripts/rehearse_space.py [--keep]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from tests.browser import chromium  # noqa: E402

PORT = 8501  # the Dockerfile's; checked below against its EXPOSE and CMD
ARTIFACT = REPO / "test-artifacts" / "space-rehearsal.png"


class RehearsalError(RuntimeError):
    """A step of the image's recipe that did not work here."""


def run(cmd: list[str], **kwargs: object) -> None:
    print("+", " ".join(cmd), flush=True)
    subprocess.run(cmd, check=True, **kwargs)  # type: ignore[call-overload]


def dockerfile_env_and_cmd(dockerfile: Path) -> tuple[list[tuple[str, str]], list[str]]:
    """The ENV assignments (in order) and the CMD (exec form) of the Dockerfile."""
    text = dockerfile.read_text(encoding="utf-8").replace("\\\n", " ")
    env: list[tuple[str, str]] = []
    cmd: list[str] | None = None
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("ENV "):
            env += re.findall(r"(\w+)=(\S+)", line[4:])
        elif line.startswith("CMD "):
            cmd = json.loads(line[4:])
    if cmd is None:
        raise RehearsalError(f"{dockerfile}: no CMD in exec form")
    return env, cmd


def port_free(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind(("0.0.0.0", port))
        except OSError:
            return False
    return True


def expand(value: str, env: dict[str, str]) -> str:
    return re.sub(r"\$(\w+)|\$\{(\w+)\}", lambda m: env.get(m[1] or m[2], ""), value)


def check_page() -> str:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    drv = chromium.headless_chrome()
    try:
        drv.get(f"http://127.0.0.1:{PORT}")
        wait = WebDriverWait(drv, 90)
        for css in (
            '[data-testid="stDataFrame"]',
            '[data-testid="stVegaLiteChart"] canvas, [data-testid="stVegaLiteChart"] svg',
        ):
            wait.until(ec.visibility_of_element_located((By.CSS_SELECTOR, css)))
        ARTIFACT.parent.mkdir(parents=True, exist_ok=True)
        drv.save_screenshot(str(ARTIFACT))
        body = str(drv.find_element(By.TAG_NAME, "body").text)
        if "illustrative" not in body:
            raise RehearsalError("the served board does not show the demo runs' label")
        return body
    finally:
        drv.quit()


def rehearse(work: Path) -> None:
    context, venv, home = work / "context", work / "venv", work / "home"
    run(
        [sys.executable, "-m", "benchmark", "leaderboard", "space", "--out", str(context)], cwd=REPO
    )
    dockerfile = context / "Dockerfile"
    if f"EXPOSE {PORT}" not in dockerfile.read_text(encoding="utf-8"):
        raise RehearsalError(f"{dockerfile}: EXPOSE {PORT} missing")

    run([sys.executable, "-m", "venv", str(venv)])
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "-q"]
    run([*pip, "--upgrade", "pip"])
    run([*pip, "-r", "requirements.txt"], cwd=context)  # RUN pip install -r requirements.txt

    musebench = str(venv / "bin" / "musebench")
    run([musebench, "demo", "--out", str(work / "demo")], cwd=work, stdout=subprocess.DEVNULL)
    board = work / "board"
    run([musebench, "leaderboard", "build", str(work / "demo"), "--out", str(board),
         "--min-coverage", "0", "--min-samples", "1", "--cache", str(work / "cache")],
        cwd=work)  # fmt: skip

    home.mkdir()
    env = {
        "PATH": f"{venv / 'bin'}:{os.environ['PATH']}",
        "HOME": str(home),
        "MUSEBENCH_BOARD_DATA": str(board),  # a Space variable in production
    }
    declared, cmd = dockerfile_env_and_cmd(dockerfile)
    for key, value in declared:
        if key != "HOME":  # the image's /home/user is this rehearsal's temporary home
            env[key] = expand(value, env)
    if str(PORT) not in " ".join(cmd):
        raise RehearsalError(f"{dockerfile}: CMD does not serve on port {PORT}")
    if not port_free(PORT):
        raise RehearsalError(f"port {PORT} is busy: stop what listens there and run again")
    print("+ (CMD)", json.dumps(cmd), flush=True)
    proc = subprocess.Popen(cmd, cwd=context, env=env, start_new_session=True)
    try:
        chromium.wait_healthy(f"http://127.0.0.1:{PORT}", proc, timeout=90)
        check_page()
    finally:
        chromium.stop_session(proc, timeout=15)
    print(f"space rehearsal ok: installed from {context.name}/requirements.txt, served by the "
          f"Dockerfile's CMD on port {PORT}, rendered in chromium ({ARTIFACT})")  # fmt: skip


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = ap.parse_args()
    if not chromium.available():
        print(f"space rehearsal: {chromium.MISSING}", file=sys.stderr)
        return 2
    work = Path(tempfile.mkdtemp(prefix="musebench-space-"))
    try:
        rehearse(work)
    except (RehearsalError, chromium.NotServing, subprocess.CalledProcessError) as err:
        print(f"space rehearsal failed: {err}", file=sys.stderr)
        return 1
    finally:
        if args.keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
