"""Lexical n-gram diversity: distinct-n and self-BLEU, computed for many sets of texts at once.

A "set" is a group of texts (a prompt's samples, or the cross-prompt set). Both metrics work
on exact n-gram ids from `tokens.ngram_ids` with vectorised numpy, so 5,000 texts take well
under a second per n-gram order.

distinct-n (Li et al., 2016), corpus level: distinct n-grams / n-gram occurrences in the set.

self-BLEU (Zhu et al., 2018): each text is scored with BLEU against every other text of its set
as the references, and the scores are averaged. BLEU here is sentence BLEU over the whole text:
uniform weights over n = 1..max_n, clipped counts against the maximum count in any one
reference, smoothing method 1 of Chen & Cherry (2014) (a zero match count becomes 0.1), and
the brevity penalty against the reference length closest to the hypothesis (ties: shorter).
A text with fewer than max_n tokens uses the orders it has; an empty text scores 0.

Both take the n-gram occurrences of `tokens.ngram_ids` so that one pass serves every view."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from .tokens import IntArray, TokenisedTexts, sorted_unique

FloatArray = npt.NDArray[np.float64]

SMOOTHING_EPSILON = 0.1
DENSE_KEYS_PER_OCCURRENCE = 4  # above this, counting distinct keys sorts them


def _segments(sorted_keys: IntArray) -> IntArray:
    """Start flags (as 0/1 ints) of runs of equal values in an already sorted array."""
    starts = np.ones(len(sorted_keys), dtype=bool)
    starts[1:] = sorted_keys[1:] != sorted_keys[:-1]
    return starts.astype(np.int64)


def distinct_n(
    grams: Sequence[tuple[IntArray, IntArray]], group_of_text: IntArray, n_groups: int
) -> dict[int, list[float | None]]:
    """For each n-gram order in `grams` (from `tokens.ngram_ids`), distinct-n of each group
    (None for a group with no n-grams). `group_of_text[i]` is the group of text i, or -1 for
    a text in no group."""
    result: dict[int, list[float | None]] = {}
    for n, (text, gram) in enumerate(grams, start=1):
        group = group_of_text[text]
        keep = group >= 0
        group, gram = group[keep], gram[keep]
        total = np.bincount(group, minlength=n_groups)
        width = int(gram.max()) + 1 if len(gram) else 1
        keys = group * width + gram
        if n_groups * width <= DENSE_KEYS_PER_OCCURRENCE * len(keys):
            # Few possible keys (e.g. all texts as one group): a bincount instead of a sort.
            present = np.bincount(keys, minlength=n_groups * width) > 0
            unique = present.reshape(n_groups, width).sum(axis=1)
        else:
            unique = np.bincount(sorted_unique(keys) // width, minlength=n_groups)
        result[n] = [float(unique[g] / total[g]) if total[g] else None for g in range(n_groups)]
    return result


# Keys of n-grams are base-`width` numbers of their word ids; before one could pass this, the
# keys are renumbered densely (sort order), which keeps equal n-grams equal and distinct ones apart.
KEY_LIMIT = 2**62


def _count_distinct(keys: IntArray) -> int:
    if not len(keys):
        return 0
    ordered = np.sort(keys)
    return 1 + int(np.count_nonzero(ordered[1:] != ordered[:-1]))


def pooled_ngram_counts(tt: TokenisedTexts, max_n: int) -> list[tuple[int, int]]:
    """For n = 1..max_n: (distinct n-grams, n-gram occurrences) over all the texts, n-grams
    never crossing a text boundary: what `distinct_n` counts for one group holding every text.

    Counting needs no dense ids, only a key per occurrence that is equal exactly when the
    n-grams are: the word ids of the n-gram as the digits of a base-`width` number, built from
    the (n-1)-gram keys with one multiply-add, then counted by one sort."""
    ids, width = tt.ids, max(len(tt.vocab), 1)
    n_pos = len(ids)
    text_end = np.cumsum(tt.lengths)[tt.text_of]  # per position: one past its text's last token
    out = [(len(tt.vocab), n_pos)]  # the ids number the distinct words 0, 1, 2, ...
    key = ids
    for n in range(2, max_n + 1):
        m = max(n_pos - n + 1, 0)  # positions where n tokens follow (maybe in the next text)
        if m and int(key[:m].max()) >= KEY_LIMIT // width:
            key = np.searchsorted(sorted_unique(key), key)  # dense again: same equalities
        key = key[:m] * width + ids[n - 1 :]
        inside = text_end[:m] >= np.arange(n, m + n)  # i + n <= end of the text of i
        valid = key[inside]
        out.append((_count_distinct(valid), len(valid)))
    return out


def _closest_ref_length(lengths: IntArray, group_of_text: IntArray) -> IntArray:
    """Per text, the length of the other text of its group whose length is closest to its own
    (ties: the shorter one), as BLEU's brevity penalty wants; -1 when the group has no other."""
    n = len(lengths)
    out = np.full(n, -1, dtype=np.int64)
    member = np.flatnonzero(group_of_text >= 0)
    if not len(member):
        return out
    order = member[np.lexsort((lengths[member], group_of_text[member]))]
    g, ln = group_of_text[order], lengths[order]
    best = np.full(len(order), -1, dtype=np.int64)
    best_gap = np.full(len(order), np.iinfo(np.int64).max, dtype=np.int64)
    # In length order within a group the closest other text is an immediate neighbour:
    # check the left one first so that a tie goes to the shorter length.
    for shift in (-1, 1):
        idx = np.arange(len(order)) + shift
        ok = (idx >= 0) & (idx < len(order))
        idx_ok = np.where(ok, idx, 0)
        ok &= g[idx_ok] == g
        gap = np.abs(ln[idx_ok] - ln)
        better = ok & (gap < best_gap)
        best = np.where(better, ln[idx_ok], best)
        best_gap = np.where(better, gap, best_gap)
    out[order] = best
    return out


def self_bleu(
    grams: Sequence[tuple[IntArray, IntArray]],
    lengths: IntArray,
    group_of_text: IntArray,
    n_groups: int,
) -> tuple[list[float | None], FloatArray]:
    """Self-BLEU of each group (None for a group of fewer than 2 texts), and the BLEU of each
    text against the rest of its group (NaN for texts in no group or alone in theirs).
    BLEU uses the n-gram orders in `grams` (1..max_n); `lengths` are the texts' token counts."""
    n_texts = len(lengths)
    group_size = np.bincount(group_of_text[group_of_text >= 0], minlength=n_groups)
    in_play = (group_of_text >= 0) & (group_size[np.maximum(group_of_text, 0)] >= 2)
    log_p_sum = np.zeros(n_texts)
    orders = np.zeros(n_texts)
    for text, gram in grams:
        keep = in_play[text]
        text, gram = text[keep], gram[keep]
        width = int(gram.max()) + 1 if len(gram) else 1
        pairs, counts = np.unique(text * width + gram, return_counts=True)
        p_text, p_gram = pairs // width, pairs % width
        p_group = group_of_text[p_text]
        # Per (group, n-gram): the largest count in any text and its owner, and the second
        # largest, so that "max over the other texts" is the largest unless we own it.
        order = np.lexsort((-counts, p_gram, p_group))
        p_text, p_gram, p_group, counts = (
            p_text[order],
            p_gram[order],
            p_group[order],
            counts[order],
        )
        seg_id = np.cumsum(_segments(p_group * width + p_gram)) - 1
        seg_start = np.flatnonzero(_segments(p_group * width + p_gram))
        seg_len = np.diff(np.append(seg_start, len(counts)))
        top1 = counts[seg_start]
        owner = p_text[seg_start]
        top2 = np.where(seg_len >= 2, counts[np.minimum(seg_start + 1, len(counts) - 1)], 0)
        other_max = np.where(p_text == owner[seg_id], top2[seg_id], top1[seg_id])
        matches = np.bincount(p_text, weights=np.minimum(counts, other_max), minlength=n_texts)
        totals = np.bincount(p_text, weights=counts, minlength=n_texts)
        has = totals > 0
        p = np.where(matches > 0, matches, SMOOTHING_EPSILON) / np.where(has, totals, 1)
        log_p_sum += np.where(has, np.log(p), 0.0)
        orders += has
    c = lengths.astype(np.float64)
    r = _closest_ref_length(lengths, np.where(in_play, group_of_text, -1)).astype(np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        log_bp = np.where(c > r, 0.0, 1.0 - r / np.where(c > 0, c, 1))
        bleu = np.where(orders > 0, np.exp(log_p_sum / np.maximum(orders, 1) + log_bp), 0.0)
    bleu = np.where(in_play, bleu, np.nan)
    play = np.flatnonzero(in_play)
    sums = np.bincount(group_of_text[play], weights=bleu[play], minlength=n_groups)
    n_members = np.bincount(group_of_text[play], minlength=n_groups)
    per_group = [float(sums[g] / n_members[g]) if n_members[g] else None for g in range(n_groups)]
    return per_group, bleu
