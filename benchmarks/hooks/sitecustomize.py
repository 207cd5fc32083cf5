"""Times every forward pass of the sentence encoder in this process, for ``benchmarks/throughput.py``.

Loaded by Python at start-up when this folder is on PYTHONPATH; does nothing unless
``QUOTETRACE_ENCODER_LOG`` names a file. Wraps PyTorch's XLM-RoBERTa model and onnxruntime sessions
when (and if) they are imported, and appends a line per pass to the file: pid, tokens, padded
tokens, seconds, precision, transformer layers run.
"""

from __future__ import annotations

import importlib.abc
import importlib.util
import os
import sys
import time
from typing import Any

LOG = os.environ.get("QUOTETRACE_ENCODER_LOG")


def _write(tokens: int, padded: int, seconds: float, precision: str, layers: int) -> None:
    with open(LOG, "a", encoding="utf-8") as out:  # type: ignore[arg-type]
        out.write(f"{os.getpid()} {tokens} {padded} {seconds:.6f} {precision} {layers}\n")


def _patch_torch(module: Any) -> None:
    forward = module.XLMRobertaModel.forward

    def timed(self: Any, *args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        out = forward(self, *args, **kwargs)
        mask = kwargs.get("attention_mask")
        if mask is not None:
            _write(int(mask.sum()), int(mask.numel()), time.perf_counter() - started, "fp32",
                   self.config.num_hidden_layers)  # fmt: skip
        return out

    module.XLMRobertaModel.forward = timed


def _patch_onnxruntime(module: Any) -> None:
    run = module.InferenceSession.run

    def timed(self: Any, output_names: Any, input_feed: dict[str, Any], *args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        out = run(self, output_names, input_feed, *args, **kwargs)
        mask = input_feed.get("attention_mask")
        if mask is not None:
            meta = self.get_modelmeta().custom_metadata_map
            _write(int(mask.sum()), int(mask.size), time.perf_counter() - started, meta.get("precision", "fp32"),
                   int(meta.get("layers", 12)))  # fmt: skip
        return out

    module.InferenceSession.run = timed


_PATCHES = {
    "transformers.models.xlm_roberta.modeling_xlm_roberta": _patch_torch,
    "onnxruntime.capi.onnxruntime_inference_collection": _patch_onnxruntime,
}


class _Finder(importlib.abc.MetaPathFinder):
    def find_spec(self, name: str, path: Any, target: Any = None) -> Any:
        if name not in _PATCHES:
            return None
        sys.meta_path.remove(self)
        try:
            spec = importlib.util.find_spec(name)
        finally:
            sys.meta_path.insert(0, self)
        if spec is None or spec.loader is None:
            return spec
        execute = spec.loader.exec_module

        def exec_module(module: Any) -> None:
            execute(module)
            _PATCHES[name](module)

        spec.loader.exec_module = exec_module  # type: ignore[method-assign]
        return spec


if LOG:
    sys.meta_path.insert(0, _Finder())
