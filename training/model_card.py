"""The training run's record (``reader.json`` metadata) -> ``training/MODEL_CARD.md`` text.

What the shipped reader is, how it was built, its data, and its scores on the held-out
writers, overall and per pattern and side.
"""

from __future__ import annotations

from training.data import Unit
from training.export import OUT
from training.fit import PRECISION_TARGET, RECALL_TARGET


def model_card(meta: dict, test: list[Unit]) -> str:
    rows = []
    for name, s in meta["test"].items():
        rows.append(
            f"| {name} | {s['precision']:.3f} | {s['recall']:.3f} | {s['f1']:.3f} | "
            f"{s.get('silent_on_non_evidence', 0):.3f} |"
        )
    best = meta["test"]["fine-tuned MiniLM (int8 weights, onnxruntime)"]
    per = []
    for pattern in meta["patterns"]:
        for stance in ("warning", "healthy"):
            per.append(
                f"| {pattern} | {stance} | {best[f'precision_{pattern}_{stance}']:.3f} | "
                f"{best[f'recall_{pattern}_{stance}']:.3f} |"
            )
    size = (OUT / "reader.onnx").stat().st_size / 1e6
    industries = len({u.industry for u in test})
    return f"""# Model card: the evidence reader

`app/models/reader.onnx` ({size:.1f} MB, {meta["quantised"]}), sha256 `{meta["sha256"]}`,
checked at load. Rebuilt by `make train` from `training/` (seed {meta["seed"]},
{meta["epochs"]} epochs; this build took {meta["minutes"]} minutes on 2 CPU cores).

## What it does
Reads one sentence of an interview answer or a pilot document, with its context (the
advisor's question or the document section, and the sentence before it), and gives, for each
of the five failure patterns, three probabilities: not evidence, warning (a gap now), healthy
(a control in place now). The app shows a sentence as evidence for a pattern when the likelier
side reaches {meta["threshold"]}, at most two patterns per sentence. The threshold and the epoch
are chosen on the validation writers: the threshold that leaves the most room above both
targets, {PRECISION_TARGET:.0%} of the evidence shown right and {RECALL_TARGET:.0%} of the evidence
found (the larger of the two smaller margins). Writers the reader has never seen read worse
than the validation writers, so a point that sits on one target there falls below it on them.

## Model
{meta["base"]}, fine-tuned end to end with mean pooling and one 3-way linear head per pattern
(cross-entropy), input as a token pair truncated to {meta["max_length"]} tokens (the longer
side first). Exported to ONNX (opset 17); largest difference from torch on the test units:
{meta["onnx_vs_torch_max_abs_diff"]:.2e}. Shipped with int8 weights (one scale per output
channel, per row for the embedding table) and fp32 arithmetic: onnxruntime folds the weights
back at load, so a sentence reads the same whatever else is in its batch. Dynamic int8
quantisation (activations too) was tried and not shipped: on the same held-out writers it
scored precision 0.698 and recall 0.637, and its readings changed with the batch.

## Data
`training/raw/`: {meta["units"]["raw"]} units by independent writers
({meta["units"]["near_copies_dropped"]} near-copies dropped), plus the signs of
`knowledge/patterns.yaml` as seeds. See `training/DATA_CARD.md`.
Train {meta["units"]["train"]}, validation {meta["units"]["validation"]} (every unit of writers
{", ".join(meta["validation_writers"])}), test {meta["units"]["test"]}: every unit of writers
{", ".join(meta["test_writers"])}, never used to train or to choose anything
({industries} industries).

## Held-out writers (sentence level)
An item is (sentence, pattern, stance); precision is the share of items shown that match the
gold pattern and stance, recall the share of gold items found. On the validation writers,
whom it never trained on either, the shipped operating point reads precision
{meta["validation"]["precision"]:.3f} and recall {meta["validation"]["recall"]:.3f}; the gap to
the test writers below is how much one group of writers differs from another.

| reader | precision | recall | F1 | silent on non-evidence |
|---|---|---|---|---|
{chr(10).join(rows)}

Per pattern and side (shipped model):

| pattern | side | precision | recall |
|---|---|---|---|
{chr(10).join(per)}

## Limits
- English only: text in other languages is not read as evidence.
- Written by a handful of writers in one period; idioms, industries and document types they
  did not use are read less well. Sarcasm and heavy understatement remain the hardest cases.
- A sentence is read with one sentence of context: a claim spread over a paragraph, or one
  that needs the whole interview to make sense, may be missed.
- Probabilities are not calibrated beyond the threshold choice; treat them as ranks.
"""
