"""Links from the board's tables to a run's page. The link is relative and same-origin by
construction: `model?run=` followed by the run key percent-encoded whole, so no key (they come
from submitted run ids) can turn it into a javascript:, data: or external URL."""

from __future__ import annotations

from urllib.parse import quote

MODEL_PAGE = "model"  # url_path of the model page in leaderboard/app.py


def model_page_url(run_key: str) -> str:
    return f"{MODEL_PAGE}?run={quote(run_key, safe='')}"
