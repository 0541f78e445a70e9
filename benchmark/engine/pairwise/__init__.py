"""Pairwise comparisons of runs and the ratings built on them (docs/PAIRWISE.md).

- `records`: the typed lines of comparisons.jsonl, ratings.json and pairwise.json;
- `prompt`: the judge request for one ordered pair (task, response A, response B);
- `parse`: the judge's structured answer, criterion by criterion;
- `plan`: which runs, which pairs, how many calls, what they may cost (before any call);
- `runner`: the resumable, cached execution that appends comparisons.jsonl;
- `outcomes`: both orders of a pair folded into one outcome; position statistics;
- `bradley_terry`: the fit, the Elo-like anchored scale, bootstrap CIs, length control;
- `sparse`: comparing a new run with anchors and neighbours only;
- `bias_card`: `musebench audit judge`."""
