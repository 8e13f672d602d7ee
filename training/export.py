"""A fitted reader -> ONNX: the fp32 export, its int8-weight copy, and onnxruntime's readings.

``export`` traces the torch model to ONNX (opset 17); ``quantize_weights`` stores its large
weights as int8 behind DequantizeLinear nodes; ``onnx_predict`` reads units with either file,
so each can be checked against torch and scored like it.
"""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import torch
from tokenizers import Tokenizer

from training.data import REPO, Unit
from training.fit import Reader
from training.inputs import batches, encode, pad

OUT = REPO / "app" / "models"


def export(model: Reader, tokenizer: Tokenizer, sample: list[Unit], target: Path) -> None:
    feeds = pad(encode(tokenizer, sample[:4]))
    torch.onnx.export(
        model,
        (feeds["input_ids"], feeds["attention_mask"], feeds["token_type_ids"]),
        str(target),
        input_names=["input_ids", "attention_mask", "token_type_ids"],
        output_names=["probabilities"],
        dynamic_axes={
            "input_ids": {0: "batch", 1: "tokens"},
            "attention_mask": {0: "batch", 1: "tokens"},
            "token_type_ids": {0: "batch", 1: "tokens"},
            "probabilities": {0: "batch"},
        },
        opset_version=17,
        dynamo=False,
    )


def onnx_predict(path: Path, tokenizer: Tokenizer, units: list[Unit]) -> np.ndarray:
    import onnxruntime as ort

    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    rows = encode(tokenizer, units)
    out: np.ndarray | None = None
    for group in batches(rows, 64, False, random.Random(0)):
        feeds = {k: v.numpy() for k, v in pad([rows[i] for i in group]).items()}
        result = session.run(None, feeds)[0]
        if out is None:
            out = np.zeros((len(rows), *result.shape[1:]), dtype=np.float32)
        out[group] = result
    assert out is not None
    return out


def quantize_weights(source: Path, target: Path, least: int = 4096) -> None:
    """int8 weights, fp32 arithmetic: each large MatMul weight and the embedding table is
    stored as int8 with one scale per output channel (per row for the table) behind a
    DequantizeLinear node. Unlike dynamic quantisation, activations stay fp32, so a sentence
    reads the same whatever else is in its batch; onnxruntime folds the weights back to fp32
    when it loads the model."""
    import onnx
    from onnx import helper, numpy_helper

    model = onnx.load(str(source))
    graph = model.graph
    users: dict[str, set[str]] = {}
    for node in graph.node:
        for name in node.input:
            users.setdefault(name, set()).add(node.op_type)
    kept, dequantise = [], []
    for init in graph.initializer:
        array = numpy_helper.to_array(init)
        kinds = users.get(init.name, set())
        if (
            array.dtype != np.float32
            or array.ndim != 2
            or array.size < least
            or not kinds <= {"MatMul", "Gather", "Gemm"}
        ):
            kept.append(init)
            continue
        axis = 0 if "Gather" in kinds else 1
        peak = np.abs(array).max(axis=1 - axis, keepdims=True)
        scale = np.where(peak > 0, peak / 127.0, 1.0).astype(np.float32)
        values = np.clip(np.round(array / scale), -127, 127).astype(np.int8)
        names = (init.name + "_q", init.name + "_scale", init.name + "_zero")
        kept.append(numpy_helper.from_array(values, names[0]))
        kept.append(numpy_helper.from_array(scale.reshape(-1), names[1]))
        kept.append(numpy_helper.from_array(np.zeros(scale.size, dtype=np.int8), names[2]))
        dequantise.append(helper.make_node("DequantizeLinear", list(names), [init.name], axis=axis))
    del graph.initializer[:]
    graph.initializer.extend(kept)
    nodes = list(graph.node)
    del graph.node[:]
    graph.node.extend(dequantise + nodes)
    onnx.checker.check_model(model)
    onnx.save(model, str(target))
