"""YAML data files validated by a pydantic model: the packaged default, or a user's file given
by a flag. Every problem is one line naming the file (or flag) and the field."""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from .errors import UsageError

M = TypeVar("M", bound=BaseModel)


def load_yaml_data(
    model: type[M], *, package: str, resource: str, path: str | Path | None, flag: str
) -> M:
    """`path` (given with `flag`) or, when None, `package`'s own `resource`."""
    if path is None:
        text = resources.files(package).joinpath(resource).read_text("utf-8")
        where = f"{package}/{resource}"
    else:
        p = Path(path)
        if not p.is_file():
            raise UsageError(f"{flag}: file not found: {p}")
        text, where = p.read_text("utf-8"), f"{flag} {p}"
    try:
        return model.model_validate(yaml.safe_load(text))
    except yaml.YAMLError as err:
        # PyYAML's message spans lines (with a caret under the column): one line here.
        raise UsageError(f"{where}: not valid YAML ({' '.join(str(err).split())})") from None
    except ValidationError as err:
        first = err.errors()[0]
        field = ".".join(str(x) for x in first["loc"]) or "(root)"
        raise UsageError(f"{where}:{field}: {first['msg']}") from None
