"""Engine figures: judge-phase throughput, judge tokens per scored response by judge mode (one
call per response, per dimension or per item, with prompt caching) and by part of the prompt,
judge cost per full-suite evaluation (standard and through the batch API), and repeated calls
after `kill -9` + resume.

    python scripts/bench_engine.py                 # all; figures in docs/ENGINE.md, docs/JUDGING.md
    python scripts/bench_engine.py --only tokens   # judge tokens and cost (about 40 s)
    python scripts/bench_engine.py --only parts    # what the judge input of a response is made of
    python scripts/bench_engine.py --only throughput --calls 1000 --latency 1.0 --concurrency 64

Everything runs offline against the loopback fake Anthropic server (tests/fakes), through the
real SDK. The responses judged are SYNTHETIC: each task gets a bundled illustrative demo reply of
its category (benchmark/data/demo), so lengths are realistic; no figure here says anything about a
real model. The fake counts tokens as characters / 4 and simulates Anthropic prompt caching at
every `cache_control` breakpoint, with the 1,024-token minimum of Sonnet-class models.

Measured on suite v1.0.0 (118 tasks, 3 samples per task), `--only tokens`:
- judge prompt 2.0.0, default mode "response": 3,403 judge input tokens per scored response
  (747 uncached, 1,771 cache reads, 885 cache writes); $1.73 per full-suite sample with a
  Sonnet-class judge, $0.87 through the batch API;
- judge prompt 1.1.0, per dimension (main at 45458d9, the same fake): 5,427 (2,575 uncached,
  1,927 reads, 925 writes); $2.40, $1.20 batched. The issue's 5,335 (docs of 2026-11-22) is
  the same measure before judge prompt 1.1.0 lengthened the cached instructions.
Output is the same estimate in both (80 tokens per judged item, $1.01 of each standard figure)."""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import multiprocessing
import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import anthropic

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from benchmark.engine.judging import judge_groups  # noqa: E402
from benchmark.engine.providers import make_provider  # noqa: E402
from benchmark.engine.providers.replay import ReplayProvider  # noqa: E402
from benchmark.engine.retry import RetryPolicy  # noqa: E402
from benchmark.engine.runner import RunConfig, Runner  # noqa: E402
from benchmark.measure.cost import load_prices, price_usage  # noqa: E402
from benchmark.records.rundir import RunDir  # noqa: E402
from benchmark.records.schemas import Message, ResponseRecord, Usage  # noqa: E402
from benchmark.suite import Suite, load_suite  # noqa: E402
from tests.fakes import FakeAnthropic  # noqa: E402

DEMO = REPO / "benchmark" / "data" / "demo" / "illustrative-careful.jsonl"
SONNET = "anthropic/claude-sonnet-4-5"
# Judge output per judged item (verdict + an evidence quote + a one-sentence rationale): the
# fake's answers carry empty quotes, so output is estimated rather than counted.
OUTPUT_TOKENS_PER_ITEM = 80
# Anthropic's minimum cacheable prompt on Sonnet and Opus 4 models (prompt caching docs).
CACHE_MIN_TOKENS = 1024
MODES = ("response", "dimension", "item")


def synthetic_responses(suite: Suite, samples: int, path: Path) -> None:
    """One reply per task and sample, borrowed from the illustrative demo replies of the
    task's category (turns repeated for longer conversations). Labelled synthetic."""
    by_cat: dict[str, list[ResponseRecord]] = defaultdict(list)
    for line in DEMO.read_text().splitlines():
        rec = ResponseRecord.model_validate_json(line)
        by_cat[suite.task(rec.task_id).category].append(rec)
    with path.open("w") as fh:
        for n, task in enumerate(suite.tasks):
            for s in range(samples):
                src = by_cat[task.category][(n + s) % len(by_cat[task.category])]
                replies = [m.content for m in src.transcript if m.role == "assistant"]
                transcript: list[Message] = []
                for i, user in enumerate([task.prompt, *task.turns]):
                    transcript += [
                        Message(role="user", content=user),
                        Message(role="assistant", content=replies[min(i, len(replies) - 1)]),
                    ]
                text = "\n\n".join(m.content for m in transcript if m.role == "assistant")
                rec = ResponseRecord(
                    task_id=task.id,
                    sample=s,
                    model="replay/synthetic",
                    transcript=transcript,
                    text=text,
                )
                fh.write(rec.model_dump_json() + "\n")


def groups_per_sample(suite: Suite, mode: str) -> int:
    return sum(len(judge_groups(t.items, mode)) for t in suite.tasks)  # type: ignore[arg-type]


def _run(
    suite: Suite,
    replay: Path,
    out: Path,
    *,
    samples: int,
    mode: str,
    concurrency: int,
    env: dict[str, str],
    tasks: str | None = None,
) -> float:
    os.environ.update(env)
    config = RunConfig(
        model="replay/synthetic",
        judge="anthropic/judge-bench",
        samples=samples,
        tasks=tasks,
        judge_mode=mode,  # type: ignore[arg-type]
        concurrency=concurrency,
        progress=False,
        retry=RetryPolicy(max_attempts=3, base_delay=0.05, max_delay=0.2),
    )
    # Providers are made before the clock starts (importing the SDK takes about a second, once
    # per process); scoring and diversity come after the judge phase and are not timed either.
    runner = Runner(
        config,
        out,
        model_provider=ReplayProvider(replay, spec="replay/synthetic"),
        judge_provider=make_provider("anthropic/judge-bench"),
    )
    # The SDK imports its HTTP stack when the first client is made (about 0.2 s, once per
    # process): made here, so that it is not timed either.
    anthropic.AsyncAnthropic(api_key="sk-bench")
    t0 = time.perf_counter()
    asyncio.run(runner.work())
    wall = time.perf_counter() - t0
    runner.finish()
    return wall


def _env(server: FakeAnthropic) -> dict[str, str]:
    return {"ANTHROPIC_BASE_URL": server.url, "ANTHROPIC_API_KEY": "sk-bench"}


def _serve(latency: float, conn: Any) -> None:
    """The fake in a process of its own, so its threads do not share the runner's GIL."""
    with FakeAnthropic(latency=latency) as server:
        conn.send(server.url)
        conn.recv()  # stop
        conn.send(len([r for r in server.requests if r.path.split("?")[0] == "/v1/messages"]))


def throughput(suite: Suite, calls: int, latency: float, concurrency: int) -> dict[str, Any]:
    per_sample = groups_per_sample(suite, "dimension")
    samples = max(1, math.ceil(calls / per_sample))
    chosen: list[str] = []
    total = 0  # the first tasks whose judge calls reach `calls`
    for t in suite.tasks:
        if total >= calls:
            break
        chosen.append(t.id)
        total += len(judge_groups(t.items, "dimension")) * samples
    parent, child = multiprocessing.Pipe()
    proc = multiprocessing.Process(target=_serve, args=(latency, child), daemon=True)
    proc.start()
    url = parent.recv()
    with tempfile.TemporaryDirectory() as tmp:
        replay = Path(tmp) / "responses.jsonl"
        synthetic_responses(suite, samples, replay)
        wall = _run(
            suite,
            replay,
            Path(tmp) / "run",
            samples=samples,
            mode="dimension",
            concurrency=concurrency,
            env={"ANTHROPIC_BASE_URL": url, "ANTHROPIC_API_KEY": "sk-bench"},
            tasks=",".join(chosen),
        )
    parent.send("stop")
    made = int(parent.recv())
    proc.join()
    ideal = made * latency / concurrency
    return {
        "judge_calls": made,
        "latency_s": latency,
        "concurrency": concurrency,
        "wall_s": round(wall, 2),
        "ideal_s": round(ideal, 2),
        "ratio": round(wall / ideal, 3),
        "whole_waves_ratio": round(wall / (math.ceil(made / concurrency) * latency), 3),
    }


def _judged_usage(
    suite: Suite, samples: int, mode: str, *, batch: bool = False
) -> tuple[Usage, int, int]:
    """The summed judge usage of a full run (output estimated), its judged items and calls."""
    with (
        tempfile.TemporaryDirectory() as tmp,
        FakeAnthropic(cache_min_tokens=CACHE_MIN_TOKENS) as server,
    ):
        replay = Path(tmp) / "responses.jsonl"
        synthetic_responses(suite, samples, replay)
        env = _env(server)
        os.environ.update(env)
        config = RunConfig(
            model="replay/synthetic",
            judge="anthropic/judge-bench",
            samples=samples,
            judge_mode=mode,  # type: ignore[arg-type]
            concurrency=32,
            progress=False,
            batch=batch,
            batch_poll_interval=0.0,
            retry=RetryPolicy(max_attempts=3, base_delay=0.05, max_delay=0.2),
        )
        runner = Runner(
            config,
            Path(tmp) / "run",
            model_provider=ReplayProvider(replay, spec="replay/synthetic"),
            judge_provider=make_provider("anthropic/judge-bench"),
        )
        asyncio.run(runner.work())
        runner.finish()
        js = RunDir(Path(tmp) / "run").judgments()
        calls = sum(
            1
            for r in server.requests
            if r.path.split("?")[0] == "/v1/messages" and r.method == "POST"
        ) + sum(len(b.requests) for b in server.batches.values())
    usage = sum((j.usage for j in js if j.usage is not None), Usage())
    llm_items = sum(1 for j in js if j.judge != "check")
    usage = usage.model_copy(update={"output_tokens": OUTPUT_TOKENS_PER_ITEM * llm_items})
    return usage, llm_items, calls


def _per_response(usage: Usage, responses: int, samples: int, prices: Any) -> dict[str, Any]:
    total_in = usage.input_tokens + usage.cache_read_tokens + usage.cache_write_tokens
    dollars = price_usage(SONNET, usage, prices) or 0.0
    batch = price_usage(SONNET, usage, prices, batch=True) or 0.0
    return {
        "input_tokens_per_response": round(total_in / responses),
        "uncached_input_per_response": round(usage.input_tokens / responses),
        "cache_read_per_response": round(usage.cache_read_tokens / responses),
        "cache_write_per_response": round(usage.cache_write_tokens / responses),
        "sonnet_usd_per_suite_sample": round(dollars / samples, 2),
        "sonnet_batch_usd_per_suite_sample": round(batch / samples, 2),
    }


def tokens(suite: Suite, samples: int, modes: list[str]) -> dict[str, Any]:
    """Judge tokens per scored response and cost per full-suite sample, per judge mode, and for
    the first mode through the batch path too (same plan, so the same requests and tokens; its
    `sonnet_batch_usd_per_suite_sample` is the batch price)."""
    prices = load_prices()
    responses = len(suite.tasks) * samples
    out: dict[str, Any] = {"samples_per_task": samples, "cache_min_tokens": CACHE_MIN_TOKENS}
    for mode in modes:
        usage, _, calls = _judged_usage(suite, samples, mode)
        out[mode] = {"judge_calls": calls, **_per_response(usage, responses, samples, prices)}
    if modes:  # the first mode (the default) again, through the batch path
        usage, _, calls = _judged_usage(suite, samples, modes[0], batch=True)
        out[f"{modes[0]}_via_batch_api"] = {
            "judge_calls": calls,
            **_per_response(usage, responses, samples, prices),
        }
    if "item" in modes and "dimension" in modes:
        d, i = out["dimension"], out["item"]
        out["input_ratio_item_over_dimension"] = round(
            i["input_tokens_per_response"] / d["input_tokens_per_response"], 2
        )
    return out


def parts(suite: Suite, mode: str = "response") -> dict[str, Any]:
    """Judge input tokens of one response (first asks, one judge sample, characters / 4,
    averaged over the suite's tasks) by part of the prompt. The request as sent also carries
    JSON syntax around these parts (the fake counts it; about 3%)."""
    from benchmark.engine.judging import build_judge_request
    from benchmark.engine.judging import prompt as P
    from benchmark.engine.providers.anthropic_convert import anthropic_params
    from benchmark.records.runspec import GenerationParams

    with tempfile.TemporaryDirectory() as tmp:
        replay = Path(tmp) / "responses.jsonl"
        synthetic_responses(suite, 1, replay)
        rows = [ResponseRecord.model_validate_json(x) for x in replay.read_text().splitlines()]
    by_task = {r.task_id: r for r in rows}
    chars: dict[str, int] = defaultdict(int)
    calls = 0
    for t in suite.tasks:
        resp = by_task[t.id]
        for _, items in judge_groups(t.items, mode):  # type: ignore[arg-type]
            calls += 1
            req = build_judge_request(t, resp, items, suite.dimensions, GenerationParams())
            task, its = P.render_task(t), "\n".join(P.render_item(it) for it in items)
            response, user = P.render_response(resp), req.messages[0].content
            chars["tool definition (name, description, schema)"] += len(
                json.dumps(anthropic_params(req, "m")["tools"])
            )
            chars["instructions"] += len(req.system[0].text)
            chars["task"] += len(task)
            chars["items (statement, kind, guidance, examples)"] += len(its)
            chars["dimension descriptions, guidance and tags"] += (
                len(req.system[1].text) - len(task) - len(its)
            )
            chars["response"] += len(response)
            chars["response tags and reminder"] += len(user) - len(response)
    n = len(suite.tasks)
    per = {k: round(v / n / 4) for k, v in chars.items()}
    return {
        "mode": mode,
        "calls_per_response": round(calls / n, 2),
        "tokens": per,
        "total": sum(per.values()),
    }


def kill_resume(suite: Suite) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp, FakeAnthropic(latency=0.1) as server:
        tmpdir = Path(tmp)
        replay = tmpdir / "responses.jsonl"
        synthetic_responses(suite, 1, replay)
        out = tmpdir / "run"
        env = {**os.environ, **_env(server), "PYTHONPATH": str(REPO)}
        cmd = [
            sys.executable,
            "-m",
            "benchmark",
            "run",
            "--model",
            f"replay/{replay}",
            "--judge",
            "anthropic/judge-bench",
            "--out",
            str(out),
            "--concurrency",
            "16",
            "--no-progress",
        ]
        proc = subprocess.Popen(
            cmd, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        jpath = out / "judgments.jsonl"
        while not jpath.exists() or jpath.read_text().count("\n") < 300:
            time.sleep(0.05)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        time.sleep(0.5)  # let the server finish recording what the dead client had sent

        def cached() -> int:
            with sqlite3.connect(out / "cache.sqlite") as conn:
                return int(conn.execute("SELECT COUNT(*) FROM completions").fetchone()[0])

        at_kill, before = cached(), len(server.requests)
        subprocess.run(cmd, cwd=REPO, env=env, check=True, capture_output=True)
        total, resumed = cached(), len(server.requests) - before
    return {
        "calls_cached_at_kill": at_kill,
        "calls_in_full_run": total,
        "calls_made_on_resume": resumed,
        "completed_calls_repeated": resumed - (total - at_kill),
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--only", choices=["throughput", "tokens", "parts", "kill"], action="append")
    ap.add_argument("--calls", type=int, default=1000)
    ap.add_argument("--latency", type=float, default=1.0)
    ap.add_argument("--concurrency", type=int, default=64)
    ap.add_argument("--samples", type=int, default=3, help="samples per task for token figures")
    ap.add_argument(
        "--modes", default=",".join(MODES), help="judge modes for token figures, comma-separated"
    )
    args = ap.parse_args()
    suite = load_suite()
    wanted = args.only or ["throughput", "tokens", "parts", "kill"]
    report: dict[str, Any] = {
        "suite": f"{suite.info.name} v{suite.version}",
        "tasks": len(suite.tasks),
    }
    if "throughput" in wanted:
        report["throughput"] = throughput(suite, args.calls, args.latency, args.concurrency)
    if "tokens" in wanted:
        report["tokens"] = tokens(suite, args.samples, args.modes.split(","))
    if "parts" in wanted:
        report["parts"] = parts(suite)
    if "kill" in wanted:
        report["kill_resume"] = kill_resume(suite)
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
