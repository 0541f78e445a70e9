"""`musebench schema NAME`: the JSON Schema of one file format (docs/FORMATS.md)."""

from __future__ import annotations

import argparse
import json
from typing import Any


def register(sub: Any) -> None:
    p = sub.add_parser("schema", help="print the JSON Schema of a file format (docs/FORMATS.md)")
    p.add_argument("name", nargs="?", help="format name (see --list)")
    p.add_argument("--list", action="store_true", help="list the format names and their files")
    p.set_defaults(func=cmd_schema)


def cmd_schema(args: argparse.Namespace) -> int:
    from ..engine.formats import FORMATS, json_schema
    from ..errors import UsageError

    if args.list or args.name is None:
        if not args.list:
            raise UsageError("schema: give a format NAME, or --list for the names")
        width = max(len(n) for n in FORMATS)
        for fmt in FORMATS.values():
            print(f"{fmt.name:<{width}}  {fmt.files}")
        return 0
    print(json.dumps(json_schema(args.name), indent=2, ensure_ascii=False))
    return 0
