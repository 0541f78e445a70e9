"""Text vectors and cosine similarity: TF-IDF by default, sentence-transformers optionally.

Every vector is L2-normalised, so a dot product is a cosine and the Gram matrix of a set is a
PSD similarity matrix with unit diagonal (what the Vendi score wants). Mean pairwise
similarities are computed from group sums (sum over pairs i != j of v_i.v_j =
|sum v|^2 - k), so they never build an n x n matrix.

TF-IDF, exactly: unigrams from `tokens.words` minus scikit-learn's English stop words
(benchmark/data/stop_words_en.yaml);
tf = 1 + ln(count) (sublinear); idf = ln((1 + n) / (1 + df)) + 1 with n and df counted over
the texts of the one model being measured (so a model's numbers depend only on its own texts);
rows L2-normalised. These are scikit-learn's TfidfVectorizer(sublinear_tf=True) formulas.
A text with no content word gets a unit vector on a private "empty" axis: similarity 1 to
another empty text, 0 to anything else."""

from __future__ import annotations

import importlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, TypeAlias

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
import yaml

from ...errors import UsageError
from .tokens import IntArray, TokenisedTexts

# A scipy CSR matrix (TF-IDF) or a dense float32 array (embeddings); scipy is untyped.
Vectors: TypeAlias = Any

DEFAULT_ST_MODEL = "all-MiniLM-L6-v2"
STOP_WORDS_FILE = Path(__file__).resolve().parents[2] / "data" / "stop_words_en.yaml"


@cache
def stop_words() -> frozenset[str]:
    return frozenset(yaml.safe_load(STOP_WORDS_FILE.read_text(encoding="utf-8"))["words"])


class EmbeddingsError(UsageError):
    """An --embeddings value that cannot be used (unknown, or its extra is not installed)."""


@dataclass(frozen=True)
class Backend:
    kind: str  # "tfidf" | "sentence-transformers"
    model: str | None = None

    @property
    def label(self) -> str:
        return self.kind if self.model is None else f"{self.kind}:{self.model}"


def parse_backend(spec: str) -> Backend:
    """`tfidf`, `sentence-transformers` or `sentence-transformers:MODEL`."""
    kind, _, model = spec.partition(":")
    if kind == "tfidf" and not model:
        return Backend("tfidf")
    if kind == "sentence-transformers":
        return Backend(kind, model or DEFAULT_ST_MODEL)
    raise EmbeddingsError(
        f"--embeddings: unknown backend {spec!r} (use tfidf or sentence-transformers[:MODEL])"
    )


def count_matrix(rows: IntArray, cols: IntArray, shape: tuple[int, int]) -> sp.csr_matrix:
    """How often each (row, col) pair occurs, as a CSR matrix in canonical form (each row's
    columns sorted, once each): what csr_matrix((ones, (rows, cols)), shape) gives after
    sum_duplicates(), from one numpy sort of the pairs as row * n_cols + col instead of scipy's
    sort of each row (the counts are the same whole numbers)."""
    n_rows, n_cols = shape
    keys = np.sort(rows * n_cols + cols)
    first = np.ones(len(keys), dtype=bool)  # the first of each run of equal keys
    first[1:] = keys[1:] != keys[:-1]
    starts = np.flatnonzero(first)
    counts = np.diff(np.append(starts, len(keys))).astype(np.float64)
    pairs = keys[starts]
    indptr = np.concatenate([[0], np.cumsum(np.bincount(pairs // n_cols, minlength=n_rows))])
    return sp.csr_matrix((counts, pairs % n_cols, indptr), shape=shape)


def tfidf_vectors(tt: TokenisedTexts) -> sp.csr_matrix:
    # Columns: the content words in order of first appearance (tt.vocab's order without the
    # stop words), then the "empty" axis; built from the token ids without a Python loop.
    stop = stop_words()
    stopped = np.fromiter(map(stop.__contains__, tt.vocab), dtype=bool, count=len(tt.vocab))
    content = ~stopped
    column = np.cumsum(content) - 1
    keep = content[tt.ids]
    rows = tt.text_of[keep]
    cols = column[tt.ids[keep]]
    empty_axis = int(content.sum())
    n = tt.n_texts
    empty = np.flatnonzero(np.bincount(rows, minlength=n) == 0)
    rows = np.concatenate([rows, empty])
    cols = np.concatenate([cols, np.full(len(empty), empty_axis, dtype=np.int64)])
    counts = count_matrix(rows, cols, (n, empty_axis + 1))
    df = np.bincount(counts.indices, minlength=empty_axis + 1)
    idf = np.log((1.0 + n) / (1.0 + df)) + 1.0
    weights = counts.copy()
    weights.data = (1.0 + np.log(weights.data)) * idf[weights.indices]
    norms = np.sqrt(np.asarray(weights.multiply(weights).sum(axis=1)).ravel())
    return sp.csr_matrix((sp.diags(1.0 / norms) @ weights).astype(np.float32))


def sentence_transformer_vectors(texts: Sequence[str], model: str) -> npt.NDArray[np.float32]:
    try:
        st = importlib.import_module("sentence_transformers")
    except ImportError:
        raise EmbeddingsError(
            "--embeddings sentence-transformers needs the optional extra: "
            "pip install 'musebench[embeddings]'"
        ) from None
    encoder = st.SentenceTransformer(model)
    vecs = np.asarray(encoder.encode(list(texts), normalize_embeddings=True), dtype=np.float32)
    norms = np.linalg.norm(vecs, axis=1, keepdims=True)
    return np.asarray(vecs / np.where(norms > 0, norms, 1.0), dtype=np.float32)


def text_vectors(texts: Sequence[str], tt: TokenisedTexts, backend: Backend) -> Vectors:
    if backend.kind == "tfidf":
        return tfidf_vectors(tt)
    assert backend.model is not None
    return sentence_transformer_vectors(texts, backend.model)


def gram(vectors: Vectors, rows: IntArray) -> npt.NDArray[np.float64]:
    """Dense cosine similarity matrix of the given rows, clipped to [-1, 1], unit diagonal."""
    sub = vectors[rows]
    k = sub @ sub.T
    dense = k.toarray() if sp.issparse(k) else np.asarray(k)
    dense = np.clip(dense.astype(np.float64), -1.0, 1.0)
    np.fill_diagonal(dense, 1.0)
    return dense


GRAM_BATCH_ROWS = 512  # rows per product in group_grams: a 512 x 512 block is 2 MB


def _batches(groups: Sequence[IntArray], max_rows: int) -> Iterator[list[IntArray]]:
    """Consecutive groups, packed into batches of at most max_rows rows (a larger group alone)."""
    batch: list[IntArray] = []
    rows = 0
    for members in groups:
        if batch and rows + len(members) > max_rows:
            yield batch
            batch, rows = [], 0
        batch.append(members)
        rows += len(members)
    if batch:
        yield batch


def _diagonal_blocks_gram(
    vectors: Vectors, batch: list[IntArray], rows: IntArray
) -> npt.NDArray[np.float64]:
    """gram(vectors, rows) on the diagonal blocks of the batch's groups (zeros elsewhere).

    Each group's rows are moved to columns of their own, so the sparse product pairs rows of
    one group only, instead of every pair of the batch. The entries are the same floats:
    scipy's sparse product adds the terms of entry (i, j) in the order of row i's columns,
    and a shift of all of a row's columns keeps that order."""
    sub = sp.csr_matrix(vectors[rows])
    n_cols = sub.shape[1]
    group = np.repeat(np.arange(len(batch), dtype=np.int64), [len(m) for m in batch])
    shift = np.repeat(group * n_cols, np.diff(sub.indptr))
    moved = sp.csr_matrix(
        (sub.data, sub.indices.astype(np.int64) + shift, sub.indptr),
        shape=(sub.shape[0], n_cols * len(batch)),
    )
    dense = (moved @ moved.T).toarray()
    dense = np.clip(dense.astype(np.float64), -1.0, 1.0)
    np.fill_diagonal(dense, 1.0)
    return dense


def group_grams(vectors: Vectors, groups: Sequence[IntArray]) -> Iterator[npt.NDArray[np.float64]]:
    """gram(vectors, g) for each group in turn, from one product per batch of groups rather
    than one per group: a prompt's few samples make tiny products whose fixed cost dominated."""
    for batch in _batches(groups, GRAM_BATCH_ROWS):
        rows = np.concatenate(batch)
        block = _diagonal_blocks_gram(vectors, batch, rows) if sp.issparse(vectors) else None
        if block is None:
            block = gram(vectors, rows)
        at = 0
        for members in batch:
            k = len(members)
            yield block[at : at + k, at : at + k]
            at += k


def _group_sums_sq(
    vectors: Vectors, group_of_text: IntArray, n_groups: int
) -> npt.NDArray[np.float64]:
    """|sum of the vectors of group g|^2 for every group g (texts with group -1 left out)."""
    member = np.flatnonzero(group_of_text >= 0)
    indicator = sp.csr_matrix(
        (np.ones(len(member)), (group_of_text[member], member)),
        shape=(n_groups, vectors.shape[0]),
    )
    sums = indicator @ vectors.astype(np.float64)
    if sp.issparse(sums):
        return np.asarray(sums.multiply(sums).sum(axis=1), dtype=np.float64).ravel()
    return np.asarray((sums**2).sum(axis=1), dtype=np.float64)


def group_mean_similarity(
    vectors: Vectors, group_of_text: IntArray, n_groups: int
) -> list[float | None]:
    """Mean cosine similarity over the pairs of texts inside each group (None below 2 texts)."""
    sq = _group_sums_sq(vectors, group_of_text, n_groups)
    size = np.bincount(group_of_text[group_of_text >= 0], minlength=n_groups)
    out: list[float | None] = []
    for g in range(n_groups):
        k = int(size[g])
        out.append(float(np.clip((sq[g] - k) / (k * (k - 1)), -1, 1)) if k >= 2 else None)
    return out


def cross_group_similarity(
    vectors: Vectors, group_of_text: IntArray, n_groups: int
) -> float | None:
    """Mean cosine similarity over all pairs of texts that belong to different groups."""
    size = np.bincount(group_of_text[group_of_text >= 0], minlength=n_groups).astype(np.float64)
    n = size.sum()
    pairs = n * n - (size**2).sum()
    if pairs <= 0:
        return None
    total_sq = _group_sums_sq(vectors, np.where(group_of_text >= 0, 0, -1), 1)[0]
    within_sq = _group_sums_sq(vectors, group_of_text, n_groups).sum()
    return float(np.clip((total_sq - within_sq) / pairs, -1, 1))
