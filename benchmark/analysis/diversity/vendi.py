"""The Vendi score (Friedman & Dieng, 2023) and NoveltyBench-style equivalence classes.

Vendi score of n items with similarity matrix K (PSD, unit diagonal):
exp(-sum_i l_i ln l_i) over the eigenvalues l_i of K / n (0 ln 0 = 0), i.e. the exponential of
the Shannon entropy of the eigenvalues: 1 when all items are identical, n when they are all
orthogonal; it reads as an "effective number of distinct items".

distinct_k (Zhang et al., 2025, NoveltyBench): the items are visited in order; an item joins
the first existing class whose representative (its first member) it is equivalent to, else it
founds a new class; distinct_k is the number of classes. NoveltyBench decides equivalence with
a trained classifier; here two items are equivalent when their cosine similarity exceeds a
documented threshold."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt


def _exp_entropy(eig: npt.NDArray[np.float64]) -> float:
    eig = eig[eig > 0]  # round-off can give tiny negatives; 0 ln 0 = 0
    return float(np.exp(-np.sum(eig * np.log(eig))))


def vendi_score(similarity: npt.NDArray[np.float64]) -> float:
    n = similarity.shape[0]
    if n == 0:
        raise ValueError("the Vendi score of an empty set is undefined")
    return _exp_entropy(np.linalg.eigvalsh(similarity / n))


def vendi_scores(similarities: Sequence[npt.NDArray[np.float64]]) -> list[float]:
    """vendi_score of each matrix, the same floats: the matrices of one size are stacked and
    given to one eigvalsh call, which runs LAPACK on each matrix of the stack as it would on
    that matrix alone (a prompt's few samples made ~100 tiny calls whose overhead dominated)."""
    by_size: dict[int, list[int]] = {}
    for i, similarity in enumerate(similarities):
        by_size.setdefault(similarity.shape[0], []).append(i)
    if 0 in by_size:
        raise ValueError("the Vendi score of an empty set is undefined")
    out = [0.0] * len(similarities)
    for n, members in by_size.items():
        eigs = np.linalg.eigvalsh(np.stack([similarities[i] for i in members]) / n)
        for i, eig in zip(members, eigs, strict=True):
            out[i] = _exp_entropy(eig)
    return out


SMALL_SET = 64  # up to this many items, Python floats beat numpy calls per item


def equivalence_classes(similarity: npt.NDArray[np.float64], threshold: float) -> list[list[int]]:
    """Greedy partition: item i joins the first class whose first member has similarity
    > threshold with it."""
    if similarity.shape[0] <= SMALL_SET:  # a prompt's few samples
        return _classes_of_rows(similarity.tolist(), threshold)
    classes: list[list[int]] = []
    reps: list[int] = []
    for i in range(similarity.shape[0]):
        if reps:
            hits = np.flatnonzero(similarity[i, reps] > threshold)
            if len(hits):
                classes[int(hits[0])].append(i)
                continue
        reps.append(i)
        classes.append([i])
    return classes


def _classes_of_rows(rows: list[list[float]], threshold: float) -> list[list[int]]:
    """equivalence_classes on the matrix as Python floats (they compare as the float64s do)."""
    classes: list[list[int]] = []
    reps: list[int] = []
    for i, row in enumerate(rows):
        for c, rep in enumerate(reps):
            if row[rep] > threshold:
                classes[c].append(i)
                break
        else:
            reps.append(i)
            classes.append([i])
    return classes
