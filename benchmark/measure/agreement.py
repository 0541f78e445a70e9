"""Inter-rater agreement on long-format ratings: Krippendorff's alpha with bootstrap CIs, Cohen's
kappa for two raters, Gwet's AC1 for nominal data, and each rater's agreement with the
leave-one-out consensus of the others (to find unreliable annotators).

Undefined statistics (one rater, one value, no unit rated twice) are `None` with a `note`, never
NaN and never an exception.

Bootstrap: units are resampled with replacement (units with at least two ratings; for the pooled
alpha a unit carries all its criteria), and alpha is recomputed on each resample; the CI is the
2.5-97.5 percentile interval. Alpha's coincidence matrix is a sum of per-unit contributions, so a
resample is a reweighting of per-unit sums and all resamples are computed as one matrix product
(no per-resample loop). Resamples where alpha is undefined are dropped and counted in the note.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from typing import Any

import krippendorff
import numpy as np
import pandas as pd
from scipy import sparse

from ..errors import RatingsError, UsageError

LEVELS = ("nominal", "ordinal", "interval", "ratio")
# sklearn's kappa weights per level (ordinal: linear, interval/ratio: quadratic).
KAPPA_WEIGHTS: dict[str, str | None] = {
    "nominal": None,
    "ordinal": "linear",
    "interval": "quadratic",
    "ratio": "quadratic",
}
# The package builds a dense units x values x values tensor; above this many cells it is slow
# (and eventually too big), and our exact coincidence-sum core, tested equal to the package on
# the published vectors and random data, computes the point estimate instead.
_PACKAGE_MAX_CELLS = 500_000
_BOOT_CHUNK_CELLS = 4_000_000
# Ordinal and ratio resamples need a values x values matrix each; beyond these sizes (continuous
# data, where interval is the right level anyway) the CI / ratio alpha are skipped with a note.
_BOOT_MAX_VALUES = 400
_RATIO_MAX_VALUES = 5_000
_ROUND = 6


def check_level(level: str) -> str:
    """Return `level` or raise a `UsageError` naming the --level flag."""
    if level not in LEVELS:
        raise UsageError(f"--level: unknown level {level!r}; use one of {', '.join(LEVELS)}")
    return level


def _num(x: float | None) -> float | None:
    """JSON-safe float: None for missing / NaN / inf, rounded for readability."""
    if x is None:
        return None
    xf = float(x)
    if math.isnan(xf) or math.isinf(xf):
        return None
    return round(xf, _ROUND)


# --------------------------------------------------------------------------- value counts


@dataclass(frozen=True)
class UnitCounts:
    """Ratings of one criterion as a sparse units x values count matrix (Krippendorff's n_uc)."""

    counts: sparse.csr_matrix  # (U, V) number of raters giving value v to unit u
    domain: np.ndarray  # (V,) sorted values (float, or object/str for nominal text)
    clusters: np.ndarray  # (U,) bootstrap cluster of each unit (the unit itself by default)
    n_raters: int

    @property
    def per_unit(self) -> np.ndarray:
        return np.asarray(self.counts.sum(axis=1)).ravel()

    @property
    def pairable(self) -> np.ndarray:
        return np.asarray(self.per_unit >= 2)


def _csr(units: np.ndarray, values: np.ndarray, shape: tuple[int, int]) -> sparse.csr_matrix:
    m = sparse.coo_matrix((np.ones(len(units)), (units, values)), shape=shape).tocsr()
    m.sum_duplicates()
    return m


def _has_text(values: pd.Series) -> bool:
    return values.dtype == object and bool(values.map(lambda v: isinstance(v, str)).any())


def _domain_and_codes(values: pd.Series, level: str, source: str) -> tuple[np.ndarray, np.ndarray]:
    if _has_text(values):
        if level != "nominal":
            raise RatingsError(
                f"{source}: column 'value' holds text; --level {level} needs numbers "
                "(use --level nominal)"
            )
        codes, uniques = pd.factorize(values.astype(str), sort=True)
        return np.asarray(uniques, dtype=object), codes
    floats = values.astype(float)
    if level == "ratio" and (floats < 0).any():
        raise RatingsError(f"{source}: column 'value': --level ratio needs values >= 0")
    codes, uniques = pd.factorize(floats, sort=True)
    return np.asarray(uniques, dtype=float), codes


def unit_counts(
    df: pd.DataFrame, level: str, *, unit_col: str = "unit_id", cluster_col: str | None = None
) -> UnitCounts:
    """Build the count matrix from long ratings of a single criterion (or a pooled frame)."""
    source = str(df.attrs.get("source", "ratings"))
    dup = df.duplicated([unit_col, "rater_id"])
    if dup.any():
        row = df.loc[dup].iloc[0]
        raise RatingsError(
            f"{source}: rater {row['rater_id']!r} rated unit {row[unit_col]!r} more than once "
            "(repeated judge samples belong in `musebench calibrate`)"
        )
    domain, vcodes = _domain_and_codes(df["value"], level, source)
    ucodes, units = pd.factorize(df[unit_col])
    counts = _csr(ucodes, vcodes, (len(units), len(domain)))
    if cluster_col is None:
        clusters = np.arange(len(units))
    else:
        first = df.groupby(ucodes, sort=True)[cluster_col].first()
        clusters = pd.factorize(first.to_numpy())[0]
    return UnitCounts(counts, domain, np.asarray(clusters), int(df["rater_id"].nunique()))


def _is_missing(v: Any) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v))


def _counts_from_matrix(
    reliability_data: Any, value_domain: Any | None
) -> tuple[sparse.csr_matrix, np.ndarray]:
    """raters x units matrix (None / NaN = missing) -> (units x values counts, domain)."""
    rows = [list(r) for r in reliability_data]
    cells = [(u, v) for r in rows for u, v in enumerate(r) if not _is_missing(v)]
    n_units = max((len(r) for r in rows), default=0)
    if value_domain is not None:
        present = list(value_domain)
        unknown = [v for _, v in cells if v not in present]
        if unknown:
            raise UsageError(f"value {unknown[0]!r} is not in value_domain")
    else:
        present = sorted({v for _, v in cells})
    index = {v: i for i, v in enumerate(present)}
    counts = _csr(
        np.array([u for u, _ in cells], dtype=int),
        np.array([index[v] for _, v in cells], dtype=int),
        (n_units, len(present)),
    )
    numeric = all(isinstance(v, int | float) and not isinstance(v, bool) for v in present)
    domain = np.asarray(present, dtype=float if numeric else object)
    return counts, domain


# --------------------------------------------------------------------------- alpha core


def _pair_entries(counts: sparse.csr_matrix) -> tuple[np.ndarray, ...]:
    """Non-zero per-unit coincidences: (unit, c, k, o_u[c, k]) with
    o_u[c, k] = (n_uc n_uk - [c = k] n_uc) / (m_u - 1), for pairable units."""
    indptr, idx, data = counts.indptr, counts.indices, counts.data.astype(float)
    lengths = np.diff(indptr)
    m = np.asarray(counts.sum(axis=1)).ravel()
    unit = np.repeat(np.arange(len(lengths)), lengths**2)
    first = np.repeat(np.cumsum(lengths**2) - lengths**2, lengths**2)
    t = np.arange(len(unit)) - first
    size = lengths[unit]
    a = indptr[unit] + t // np.maximum(size, 1)
    b = indptr[unit] + t % np.maximum(size, 1)
    c, k = idx[a], idx[b]
    weight = (data[a] * data[b] - np.where(c == k, data[a], 0.0)) / (m[unit] - 1)
    return unit, c, k, weight


def _ratio_delta(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    total = x + y
    return np.asarray(np.divide(x - y, total, out=np.zeros_like(total), where=total != 0) ** 2)


def _ordinal_distance(n: np.ndarray) -> np.ndarray:
    """Krippendorff's ordinal delta^2 from the value marginals n, batched: (B, V) -> (B, V, V)."""
    cum = np.cumsum(n, axis=1)
    # between[c, k] = sum of n_g for g in c..k (c <= k)
    between = cum[:, None, :] - cum[:, :, None] + n[:, :, None]
    half = (n[:, :, None] + n[:, None, :]) / 2.0
    upper = np.triu(np.ones(n.shape[1], dtype=bool))
    d = np.where(upper[None], (between - half) ** 2, 0.0)
    return np.asarray(d + np.transpose(d, (0, 2, 1)))


class _AlphaStats:
    """Per-unit additive statistics of alpha at one level: a weighted sum over units (a bootstrap
    resample, or all ones) gives alpha exactly, so resamples are one matrix product."""

    def __init__(self, uc: UnitCounts, level: str):
        keep = uc.pairable
        counts = uc.counts[keep]
        self.level = level
        self.clusters = pd.factorize(uc.clusters[keep])[0]
        self.n_c = counts.astype(float).tocsr()  # (U, V) pairable value counts
        self.V = counts.shape[1]
        m = np.asarray(counts.sum(axis=1)).ravel().astype(float)
        x = uc.domain.astype(float) if uc.domain.dtype != object else None
        if level == "interval":
            assert x is not None
            s1 = self.n_c @ x
            s2 = self.n_c @ (x**2)
            self.scalars = np.column_stack([m, s1, s2, 2.0 * (m * s2 - s1**2) / (m - 1)])
        elif level == "nominal":
            sq = np.asarray(self.n_c.multiply(self.n_c).sum(axis=1)).ravel()
            self.scalars = np.column_stack([m, (m**2 - sq) / (m - 1)])
        else:
            unit, c, k, weight = _pair_entries(counts)
            if level == "ordinal":
                self.o_u = sparse.csr_matrix(
                    (weight, (unit, c * self.V + k)), shape=(counts.shape[0], self.V * self.V)
                )
                self.scalars = m[:, None]
            else:  # ratio
                assert x is not None
                self.delta = _ratio_delta(x[:, None], x[None, :])
                d_u = np.bincount(
                    unit, weights=weight * _ratio_delta(x[c], x[k]), minlength=counts.shape[0]
                )
                self.scalars = np.column_stack([m, d_u])

    @property
    def n_units(self) -> int:
        return int(self.scalars.shape[0])

    def alpha(self, w: np.ndarray) -> np.ndarray:
        """alpha for each row of unit weights w (B, U); NaN where undefined."""
        sc = w @ self.scalars
        n = sc[:, 0]
        if self.level == "interval":
            t1, t2, d_obs = sc[:, 1], sc[:, 2], sc[:, 3]
            d_exp = 2.0 * (n * t2 - t1**2)
        else:
            nv = np.asarray((self.n_c.T @ w.T).T)  # (B, V) value marginals
            if self.level == "nominal":
                d_obs = sc[:, 1]
                d_exp = n**2 - (nv**2).sum(axis=1)
            elif self.level == "ordinal":
                o = np.asarray((self.o_u.T @ w.T).T).reshape(-1, self.V, self.V)
                delta = _ordinal_distance(nv)
                d_obs = np.einsum("bck,bck->b", o, delta)
                d_exp = np.einsum("bc,bck,bk->b", nv, delta, nv)
            else:
                d_obs = sc[:, 1]
                d_exp = np.einsum("bc,bc->b", nv @ self.delta, nv)
        with np.errstate(divide="ignore", invalid="ignore"):
            a = 1.0 - (n - 1.0) * d_obs / d_exp
        tiny = 1e-12 * np.maximum(n, 1.0) ** 2
        return np.asarray(np.where(d_exp > tiny, a, np.nan))

    def bootstrap(self, n_boot: int, seed: int) -> np.ndarray:
        """n_boot alphas on units (clusters) resampled with replacement."""
        n_clusters = int(self.clusters.max()) + 1
        # cluster membership as a sparse (clusters x units) map: a resample's unit weights are
        # its cluster counts spread to the cluster's units.
        member = sparse.csr_matrix(
            (np.ones(self.n_units), (self.clusters, np.arange(self.n_units))),
            shape=(n_clusters, self.n_units),
        )
        rng = np.random.default_rng(seed)
        extra = {"interval": 0, "ordinal": self.V * self.V}.get(self.level, self.V)
        per_row = self.n_units + n_clusters + extra
        chunk = max(1, min(n_boot, _BOOT_CHUNK_CELLS // max(per_row, 1)))
        out = []
        done = 0
        while done < n_boot:
            b = min(chunk, n_boot - done)
            idx = rng.integers(0, n_clusters, size=(b, n_clusters))
            flat = (idx + (np.arange(b) * n_clusters)[:, None]).ravel()
            cw = np.bincount(flat, minlength=b * n_clusters).reshape(b, n_clusters)
            w = np.asarray((member.T @ cw.T.astype(float)).T)
            out.append(self.alpha(w))
            done += b
        return np.concatenate(out)


def _degenerate(uc: UnitCounts) -> str | None:
    if uc.n_raters < 2:
        return "only one rater: agreement is undefined"
    pairable = uc.pairable
    if not pairable.any():
        return "no unit was rated by two or more raters: nothing to pair"
    used = np.asarray(uc.counts[pairable].sum(axis=0)).ravel() > 0
    if used.sum() < 2:
        value = uc.domain[np.flatnonzero(used)[0]]
        shown = f"{value:g}" if isinstance(value, float) else repr(value)
        return f"every paired rating is the same value ({shown}): alpha is undefined"
    return None


def _package_alpha(uc: UnitCounts, level: str) -> float:
    keep = uc.pairable
    domain = uc.domain
    if domain.dtype == object:
        domain = np.arange(len(domain))  # nominal text: identity of the index is all that matters
    return float(
        krippendorff.alpha(
            value_counts=uc.counts[keep].toarray(),
            value_domain=domain,
            level_of_measurement=level,  # type: ignore[arg-type]  # checked by check_level
        )
    )


def alpha_from_counts(uc: UnitCounts, level: str) -> tuple[float | None, str | None]:
    """Point alpha (package when it fits in memory, else the equal exact core) and a note."""
    reason = _degenerate(uc)
    if reason:
        return None, reason
    if level == "ratio" and len(uc.domain) > _RATIO_MAX_VALUES:
        return None, f"{len(uc.domain)} distinct values: too many for the ratio metric"
    keep = uc.pairable
    if int(keep.sum()) * len(uc.domain) ** 2 <= _PACKAGE_MAX_CELLS:
        value = _package_alpha(uc, level)
    else:
        value = float(_AlphaStats(uc, level).alpha(np.ones((1, int(keep.sum()))))[0])
    if math.isnan(value):
        return None, "expected disagreement is zero: alpha is undefined"
    return value, None


def krippendorff_alpha(
    reliability_data: Any, level: str = "interval", *, value_domain: Any | None = None
) -> float | None:
    """Krippendorff's alpha of a raters x units matrix (None / NaN = missing), or None when it
    is undefined. `value_domain` orders text values for ordinal data."""
    check_level(level)
    counts, domain = _counts_from_matrix(reliability_data, value_domain)
    n_raters = sum(1 for r in reliability_data if any(v is not None and v == v for v in r))
    if domain.dtype == object and level != "nominal":
        if value_domain is None or level != "ordinal":
            raise UsageError(
                f"text values need level ordinal with an ordered value_domain ({level})"
            )
        domain = np.arange(len(domain), dtype=float)  # ordinal ranks; metric uses indices only
    uc = UnitCounts(counts, domain, np.arange(counts.shape[0]), n_raters)
    return alpha_from_counts(uc, level)[0]


def alpha_with_ci(
    uc: UnitCounts, level: str, *, n_boot: int = 1000, seed: int = 0, ci: float = 0.95
) -> dict[str, Any]:
    """{"alpha", "ci_low", "ci_high", "n_units", "n_raters", "note"} for one count matrix."""
    value, note = alpha_from_counts(uc, level)
    out: dict[str, Any] = {
        "alpha": _num(value),
        "ci_low": None,
        "ci_high": None,
        "n_units": int(uc.pairable.sum()),
        "n_raters": uc.n_raters,
        "note": note,
    }
    if value is None or n_boot <= 0:
        return out
    boots = _AlphaStats(uc, level)
    if boots.n_units < 2 or int(boots.clusters.max()) < 1:
        out["note"] = "too few units for a bootstrap CI"
        return out
    if level in ("ordinal", "ratio") and boots.V > _BOOT_MAX_VALUES:
        out["note"] = f"{boots.V} distinct {level} values: bootstrap CI skipped"
        return out
    samples = boots.bootstrap(n_boot, seed)
    ok = samples[~np.isnan(samples)]
    tail = (1.0 - ci) / 2.0 * 100.0
    if len(ok) >= 2:
        out["ci_low"] = _num(np.percentile(ok, tail))
        out["ci_high"] = _num(np.percentile(ok, 100.0 - tail))
    if len(ok) < len(samples):
        out["note"] = f"{len(samples) - len(ok)} of {len(samples)} resamples had undefined alpha"
    return out


# --------------------------------------------------------------------------- other coefficients


def cohen_kappa(a: Any, b: Any, level: str = "nominal") -> float | None:
    """Cohen's kappa of two raters' paired ratings: unweighted for nominal, linear weights for
    ordinal, quadratic for interval/ratio. None when undefined (e.g. one category only)."""
    check_level(level)
    a_arr, b_arr = np.asarray(list(a), dtype=object), np.asarray(list(b), dtype=object)
    if len(a_arr) == 0 or len(a_arr) != len(b_arr):
        return None
    from sklearn.metrics import cohen_kappa_score  # lazy: sklearn is slow to import

    labels = sorted(set(a_arr.tolist()) | set(b_arr.tolist()))
    if len(labels) < 2:
        return None
    with np.errstate(divide="ignore", invalid="ignore"):
        value = cohen_kappa_score(
            [labels.index(x) for x in a_arr],
            [labels.index(x) for x in b_arr],
            labels=list(range(len(labels))),
            weights=KAPPA_WEIGHTS[level],
        )
    return None if math.isnan(float(value)) else float(value)


def gwet_ac1(counts: np.ndarray, confidence: float = 0.95) -> dict[str, Any]:
    """Gwet's AC1 (Gwet 2008) for nominal ratings from a units x categories count matrix, with
    the variance and t-based CI of Gwet (2014) as implemented in irrCAC's gwet.ac1.raw.

    Returns {"ac1", "ci_low", "ci_high", "note"}. With a single observed category AC1 equals
    percent agreement (pe taken as 0, irrCAC's convention) and no CI exists.
    """
    c = np.asarray(counts, dtype=float)
    c = c[c.sum(axis=1) > 0][:, c.sum(axis=0) > 0]
    n, q = c.shape
    r = c.sum(axis=1)
    two = r >= 2
    if n == 0 or not two.any():
        return {"ac1": None, "ci_low": None, "ci_high": None, "note": "no unit rated twice"}
    n2 = int(two.sum())
    den = np.where(two, r * (r - 1), 1.0)
    pa_i = np.where(two, (c * (c - 1)).sum(axis=1) / den, 0.0)
    pa = pa_i[two].sum() / n2
    pi = (c / r[:, None]).mean(axis=0)
    if q < 2:
        return {
            "ac1": _num(pa),
            "ci_low": None,
            "ci_high": None,
            "note": "one category observed: AC1 equals percent agreement, no CI",
        }
    pe = float((pi * (1 - pi)).sum() / (q - 1))
    ac1 = (pa - pe) / (1 - pe)
    ac1_i = (n / n2) * (pa_i - pe * two) / (1 - pe)
    pe_i = (c @ (1 - pi)) / r / (q - 1)
    ac1_ix = ac1_i - 2 * (1 - ac1) * (pe_i - pe) / (1 - pe)
    out: dict[str, Any] = {"ac1": _num(ac1), "ci_low": None, "ci_high": None, "note": None}
    if n >= 2:
        se = math.sqrt(((ac1_ix - ac1) ** 2).sum() / (n * (n - 1)))
        from scipy import stats  # lazy: scipy.stats is slow to import

        t = float(stats.t.ppf(1 - (1 - confidence) / 2, n - 1))
        out["ci_low"] = _num(ac1 - t * se)
        out["ci_high"] = _num(min(1.0, ac1 + t * se))
    return out


# --------------------------------------------------------------------------- per-rater consensus


def _pair_alpha(a: np.ndarray, b: np.ndarray, level: str) -> tuple[float | None, str | None]:
    """alpha of two aligned rating vectors (one unit per position)."""
    domain, inverse = np.unique(np.concatenate([a, b]), return_inverse=True)
    n = len(a)
    units = np.concatenate([np.arange(n), np.arange(n)])
    counts = _csr(units, inverse.ravel(), (n, len(domain)))
    return alpha_from_counts(UnitCounts(counts, domain.astype(float), np.arange(n), 2), level)


def rater_consensus(df: pd.DataFrame, level: str) -> dict[str, dict[str, Any]]:
    """Each rater's alpha against the leave-one-out consensus of the other raters on the units
    both cover: mode (nominal; units where the others tie have no consensus), median (ordinal)
    or mean (interval, ratio). A low value flags an annotator who disagrees with the group.
    `df` holds one criterion's ratings."""
    check_level(level)
    ucodes, units = pd.factorize(df["unit_id"])
    rcodes, raters = pd.factorize(df["rater_id"])
    n_units, n_raters = len(units), len(raters)
    out: dict[str, dict[str, Any]] = {}
    if level == "nominal":
        vcodes, domain = pd.factorize(df["value"], sort=True)
        counts = np.zeros((n_units, len(domain)))
        np.add.at(counts, (ucodes, vcodes), 1)
        own = np.full((n_units, n_raters), -1)
        own[ucodes, rcodes] = vcodes
    else:
        x = np.full((n_units, n_raters), np.nan)
        x[ucodes, rcodes] = df["value"].to_numpy(dtype=float)
    for j, rater in enumerate(raters):
        if level == "nominal":
            has = own[:, j] >= 0
            others = counts.copy()
            others[has, own[has, j]] -= 1
            top = others.max(axis=1)
            unique = (others == top[:, None]).sum(axis=1) == 1
            both = has & (top > 0) & unique
            mine, cons = own[both, j].astype(float), others[both].argmax(axis=1).astype(float)
        else:
            rest = np.delete(x, j, axis=1)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN rows: no consensus
                pooled = (
                    np.nanmedian(rest, axis=1) if level == "ordinal" else np.nanmean(rest, axis=1)
                )
            both = ~np.isnan(x[:, j]) & ~np.isnan(pooled)
            mine, cons = x[both, j], pooled[both]
        entry: dict[str, Any] = {"alpha": None, "n_units": int(both.sum()), "note": None}
        if not both.any():
            entry["note"] = "no unit shared with other raters"
        else:
            value, note = _pair_alpha(mine, cons, level)
            entry["alpha"], entry["note"] = _num(value), note
        out[str(rater)] = entry
    return out


# --------------------------------------------------------------------------- the table


def _entry(
    df: pd.DataFrame,
    level: str,
    n_boot: int,
    seed: int,
    *,
    cluster_col: str | None = None,
    with_raters: bool = True,
) -> dict[str, Any]:
    uc = unit_counts(df, level, cluster_col=cluster_col)
    entry = alpha_with_ci(uc, level, n_boot=n_boot, seed=seed)
    notes = [entry["note"]] if entry["note"] else []
    single = int((uc.per_unit == 1).sum())
    if single and entry["alpha"] is not None:
        notes.append(f"{single} unit(s) with a single rating ignored")

    entry["cohen_kappa"] = None
    if uc.n_raters == 2:
        wide = df.pivot(index="unit_id", columns="rater_id", values="value").dropna()
        if len(wide):
            entry["cohen_kappa"] = _num(
                cohen_kappa(wide.iloc[:, 0].tolist(), wide.iloc[:, 1].tolist(), level)
            )
        if entry["cohen_kappa"] is None:
            notes.append("Cohen's kappa undefined (no shared units or a single category)")

    entry["gwet_ac1"] = entry["gwet_ac1_ci_low"] = entry["gwet_ac1_ci_high"] = None
    if level == "nominal":
        ac1 = gwet_ac1(uc.counts.toarray())
        entry["gwet_ac1"] = ac1["ac1"]
        entry["gwet_ac1_ci_low"], entry["gwet_ac1_ci_high"] = ac1["ci_low"], ac1["ci_high"]
        if ac1["note"]:
            notes.append(f"AC1: {ac1['note']}")
    entry["note"] = "; ".join(notes) or None
    if with_raters:
        entry["raters"] = rater_consensus(df, level) if uc.n_raters >= 2 else {}
    return entry


def alpha_table(
    df: pd.DataFrame, level: str = "ordinal", *, n_boot: int = 1000, seed: int = 0
) -> dict[str, Any]:
    """Agreement per criterion and pooled over criteria, as the `musebench agreement --json`
    document: {"level", "n_boot", "seed", "criteria": {name: {"alpha", "ci_low", "ci_high",
    "n_units", "n_raters", "note", "cohen_kappa", "gwet_ac1", "gwet_ac1_ci_low",
    "gwet_ac1_ci_high", "raters": {rater_id: {"alpha", "n_units", "note"}}}}, "pooled": {...}}.

    `df` is a validated long frame (see `benchmark.measure.ratings`).
    """
    check_level(level)
    criteria: dict[str, Any] = {}
    for name, part in df.groupby("criterion", sort=True):
        part = part.copy()
        part.attrs = {**df.attrs, "source": f"{df.attrs.get('source', 'ratings')} [{name}]"}
        criteria[str(name)] = _entry(part, level, n_boot, seed)
    pooled: dict[str, Any] | None = None
    if len(criteria) > 1:
        kinds = df.groupby("criterion")["value"].agg(_has_text)
        if kinds.nunique() > 1:
            pooled = {"alpha": None, "note": "criteria mix numbers and text: no pooled alpha"}
        else:
            pool = df.assign(
                cluster=df["unit_id"], unit_id=df["unit_id"] + "\x1f" + df["criterion"]
            )
            pool.attrs = {**df.attrs, "source": f"{df.attrs.get('source', 'ratings')} [pooled]"}
            pooled = _entry(pool, level, n_boot, seed, cluster_col="cluster", with_raters=False)
    return {"level": level, "n_boot": n_boot, "seed": seed, "criteria": criteria, "pooled": pooled}
