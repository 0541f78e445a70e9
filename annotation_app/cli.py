"""`musebench annotate serve|import|user|export`: the annotation app and its store."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

from benchmark.cli.argtypes import non_negative_float, positive_int
from benchmark.cli.streamlit_exec import exec_streamlit, streamlit_command

DEFAULT_DB = "sqlite:///annotations.sqlite"


def _add_db(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--db",
        default=os.environ.get("MUSEBENCH_ANNOTATION_DB", DEFAULT_DB),
        help="store URL: sqlite:///FILE (default sqlite:///annotations.sqlite, or "
        "$MUSEBENCH_ANNOTATION_DB) or postgresql+psycopg://USER:PASS@HOST/DB",
    )


def register(sub: Any) -> None:
    p = sub.add_parser("annotate", help="the annotation app and its store")
    asub = p.add_subparsers(dest="annotate_command", metavar="SUBCOMMAND")
    asub.required = True

    s = asub.add_parser("serve", help="serve the Streamlit annotation app")
    _add_db(s)
    s.add_argument("--port", type=positive_int("--port"), default=8501)
    s.add_argument(
        "--address", default="127.0.0.1", help="interface to listen on (default loopback)"
    )
    s.add_argument(
        "--timeout-minutes",
        type=non_negative_float("--timeout-minutes"),
        help="take back assignments idle this long (default from settings.yaml: 30)",
    )
    s.add_argument(
        "--min-seconds-per-item",
        type=non_negative_float("--min-seconds-per-item"),
        help="warn when a response is submitted faster than this per rubric item (default 3)",
    )
    s.add_argument(
        "--idle-limit-seconds",
        type=non_negative_float("--idle-limit-seconds"),
        help="stop counting active time after this long without key, pointer or scroll input "
        "(default 120)",
    )
    s.set_defaults(func=cmd_serve)

    i = asub.add_parser("import", help="queue a run's responses with their rubric items")
    i.add_argument("run_dir", metavar="RUN_DIR")
    _add_db(i)
    i.add_argument(
        "--overlap", type=positive_int("--overlap"), help="annotators per response (default 3)"
    )
    i.add_argument(
        "--sample", type=positive_int("--sample"), help="queue a random sample of N responses"
    )
    i.add_argument("--seed", type=int, default=0, help="seeds the sample and the serving order")
    i.add_argument("--suite", help="suite directory the run used (default: the shipped suite)")
    i.add_argument("--gold", help="expert answers: a ratings file (unit_id, criterion, value 0/1)")
    i.add_argument("--json", action="store_true", help="print one JSON document on stdout")
    i.set_defaults(func=cmd_import)

    u = asub.add_parser("user", help="add users and manage their login tokens")
    usub = u.add_subparsers(dest="user_command", metavar="ACTION")
    usub.required = True
    ua = usub.add_parser("add", help="add a user and print their one-time login token")
    ua.add_argument("name")
    ua.add_argument("--role", required=True, choices=["annotator", "admin"])
    _add_db(ua)
    ua.add_argument("--json", action="store_true", help="print one JSON document on stdout")
    ua.set_defaults(func=cmd_user_add)
    ur = usub.add_parser("reset-token", help="replace a user's token and print the new one")
    ur.add_argument("name")
    _add_db(ur)
    ur.add_argument("--json", action="store_true", help="print one JSON document on stdout")
    ur.set_defaults(func=cmd_user_reset)
    for action, active in (("disable", False), ("enable", True)):
        ud = usub.add_parser(action, help=f"{action} a user's login")
        ud.add_argument("name")
        _add_db(ud)
        ud.set_defaults(func=cmd_user_active, active=active)
    ul = usub.add_parser("list", help="list users")
    _add_db(ul)
    ul.add_argument("--json", action="store_true", help="print one JSON document on stdout")
    ul.set_defaults(func=cmd_user_list)

    e = asub.add_parser("export", help="write the ratings long format (CSV, JSONL or Parquet)")
    _add_db(e)
    e.add_argument("--out", required=True, help="FILE.csv, FILE.jsonl or FILE.parquet")
    e.add_argument(
        "--anonymize", action="store_true", help="rater ids rater_NNN instead of user names"
    )
    e.add_argument(
        "--judges",
        action="store_true",
        help="also write the imported LLM judge verdicts (rater_type judge), for "
        "`musebench calibrate --human FILE --judge FILE`",
    )
    e.add_argument(
        "--push", metavar="ORG/NAME", help="also publish as a Hub dataset with a dataset card"
    )
    e.add_argument("--private", action="store_true", help="with --push: a private dataset")
    e.add_argument(
        "--keep-names",
        action="store_true",
        help="with --push: keep user names as rater ids (default: anonymised when pushing)",
    )
    e.add_argument("--json", action="store_true", help="print one JSON document on stdout")
    e.set_defaults(func=cmd_export)


def cmd_serve(args: argparse.Namespace) -> int:
    import annotation_app
    from annotation_app.settings import ENV_DB
    from annotation_app.store import open_store

    store = open_store(args.db)  # fail here, with a one-line message, not inside the app
    store.dispose()
    pkg = Path(annotation_app.__file__).resolve().parent
    env = dict(os.environ)
    env[ENV_DB] = args.db
    env["PYTHONPATH"] = os.pathsep.join(
        [str(pkg.parent), *([env["PYTHONPATH"]] if env.get("PYTHONPATH") else [])]
    )
    if args.timeout_minutes is not None:
        env["MUSEBENCH_ASSIGNMENT_TIMEOUT_MINUTES"] = str(args.timeout_minutes)
    if args.min_seconds_per_item is not None:
        env["MUSEBENCH_MIN_SECONDS_PER_RUBRIC_ITEM"] = str(args.min_seconds_per_item)
    if args.idle_limit_seconds is not None:
        env["MUSEBENCH_IDLE_LIMIT_SECONDS"] = str(args.idle_limit_seconds)
    cmd = streamlit_command(
        pkg / "asgi.py",
        port=args.port,
        address=args.address,
        extra=("--server.fileWatcherType", "none"),
    )
    exec_streamlit(
        cmd, env, f"serving the annotation app on http://{args.address}:{args.port} ({store.label})"
    )


def cmd_import(args: argparse.Namespace) -> int:
    from annotation_app.importer import import_run
    from annotation_app.store import open_store
    from benchmark.records.rundir import RunDir

    RunDir(args.run_dir).require()  # before the store is created: a bad run dir writes nothing
    store = open_store(args.db, create=True)
    try:
        report = import_run(
            store,
            args.run_dir,
            overlap=args.overlap,
            sample=args.sample,
            seed=args.seed,
            suite_dir=args.suite,
            gold=args.gold,
        )
    finally:
        store.dispose()
    if args.json:
        print(json.dumps(report.__dict__, indent=2))
    else:
        print(report.summary())
    return 0


def cmd_user_add(args: argparse.Namespace) -> int:
    from annotation_app.auth import add_user, check_name
    from annotation_app.store import open_store

    check_name(args.name)  # before the store is created
    store = open_store(args.db, create=True)
    try:
        token = add_user(store, args.name, args.role)
    finally:
        store.dispose()
    _print_token(args, token, f"added {args.role} {args.name!r}")
    return 0


def cmd_user_reset(args: argparse.Namespace) -> int:
    from annotation_app.auth import reset_token
    from annotation_app.store import open_store

    store = open_store(args.db)
    try:
        token = reset_token(store, args.name)
    finally:
        store.dispose()
    _print_token(args, token, f"new token for {args.name!r} (the old one no longer works)")
    return 0


def _print_token(args: argparse.Namespace, token: str, what: str) -> None:
    if args.json:
        print(json.dumps({"name": args.name, "role": getattr(args, "role", None), "token": token}))
        return
    print(f"{what}. Login token, shown only this once:", file=sys.stderr)
    print(token)


def cmd_user_active(args: argparse.Namespace) -> int:
    from annotation_app.auth import set_active
    from annotation_app.store import open_store

    store = open_store(args.db)
    try:
        set_active(store, args.name, args.active)
    finally:
        store.dispose()
    print(f"{'enabled' if args.active else 'disabled'} {args.name!r}")
    return 0


def cmd_user_list(args: argparse.Namespace) -> int:
    from annotation_app.auth import list_users
    from annotation_app.store import open_store

    store = open_store(args.db)
    try:
        users = list_users(store)
    finally:
        store.dispose()
    if args.json:
        print(json.dumps([u.__dict__ for u in users], indent=2))
        return 0
    for u in users:
        state = "" if u.active else " (disabled)"
        print(f"{u.id:>4}  {u.name:<24} {u.role}{state}")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from annotation_app.export import export_ratings
    from annotation_app.store import open_store

    push_repo = args.push
    if push_repo is not None:
        from annotation_app.hub_push import check_repo_id

        check_repo_id(push_repo)  # a bad name fails before anything is written
    anonymize = args.anonymize or (push_repo is not None and not args.keep_names)
    store = open_store(args.db)
    try:
        report = export_ratings(store, args.out, anonymize=anonymize, judges=args.judges)
        url = None
        if push_repo is not None:
            from annotation_app.hub_push import push_ratings

            url = push_ratings(store, report.path, push_repo, private=args.private)
    finally:
        store.dispose()
    doc = {
        "out": str(report.path),
        "rows": report.rows,
        "units": report.units,
        "raters": report.raters,
        "criteria": report.criteria,
        "unsure_left_out": report.unsure_left_out,
        "judge_rows": report.judge_rows,
        "anonymized": anonymize,
        "pushed_to": url,
    }
    if args.json:
        print(json.dumps(doc, indent=2))
    else:
        print(
            f"wrote {report.rows} ratings ({report.units} responses, {report.raters} raters, "
            f"{report.criteria} rubric items) to {report.path}; {report.unsure_left_out} "
            "'unsure' verdicts left out" + (f"; pushed to {url}" if url else "")
        )
    return 0
