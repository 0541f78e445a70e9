"""`musebench view RUN_DIR...`: a local Streamlit page for run directories, built from the
leaderboard's model-page pieces (leaderboard/sample_view.py, leaderboard/ui.py) and served with
the same security headers (benchmark/webapp/security.py)."""
