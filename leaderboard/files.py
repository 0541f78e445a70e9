"""File names of a built board (written by build.py, read by the app), and board.json's note
for a board built without screenshots (here, so the build need not import the renderer)."""

from __future__ import annotations

BOARD_FILE = "leaderboard.parquet"
REJECTED_FILE = "rejected.json"
META_FILE = "board.json"
TASKS_FILE = "tasks.parquet"
DETAILS_DIR = "details"
NOT_ASKED = "the board was built without --screenshots"  # board.json: screenshots.note
