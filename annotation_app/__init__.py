"""The musebench annotation app: a Streamlit app where annotators rate responses against rubric
items, backed by a SQLAlchemy store (SQLite by default, PostgreSQL by URL).

Modules: `store` (tables, engine, schema upgrades), `auth` (users and tokens), `assignments`
(assignments with overlap K), `importer` (run dir -> store), `export` (store -> ratings long
format), `hub_push` (ratings -> Hub dataset), `reports` (admin tables), `metrics` (adapter to
benchmark.measure.agreement / benchmark.measure.calibration). The Streamlit UI is `app.py`, `pages/`, `views/`."""
