"""Export the fp32 all-MiniLM-L6-v2 weights to ONNX. Runs in the bench-only torch venv.

python bench/export_fp32.py MODEL_DIR OUT.onnx
"""

import sys

import torch
from transformers import AutoModel


class _LastHiddenState(torch.nn.Module):
    def __init__(self, model: torch.nn.Module) -> None:
        super().__init__()
        self.model = model

    def forward(self, ids: torch.Tensor, mask: torch.Tensor, types: torch.Tensor) -> torch.Tensor:
        return self.model(
            input_ids=ids, attention_mask=mask, token_type_ids=types
        ).last_hidden_state


def main() -> None:
    source, out = sys.argv[1], sys.argv[2]
    model = AutoModel.from_pretrained(source).eval()
    ids = torch.ones(2, 16, dtype=torch.long)
    names = ["input_ids", "attention_mask", "token_type_ids", "last_hidden_state"]
    with torch.no_grad():
        torch.onnx.export(
            _LastHiddenState(model),
            (ids, torch.ones_like(ids), torch.zeros_like(ids)),
            out,
            input_names=names[:3],
            output_names=names[3:],
            dynamic_axes={n: {0: "batch", 1: "sequence"} for n in names},
            opset_version=17,
            dynamo=False,
        )


if __name__ == "__main__":
    main()
