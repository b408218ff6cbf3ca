"""The ONNX Runtime backend (``DESK_EMBEDDING_BACKEND=onnx``): the same sentence-transformers model, faster.

On first use the model is exported from its local files (the bundled model by default; nothing is downloaded)
to ONNX with torch, then quantised to int8 (per-channel dynamic quantisation) for the CPU, and cached under
``<data_dir>/models/``. Later starts load only ONNX Runtime and the tokenizer: no torch, no
sentence-transformers, which also makes a cold `bot.py ask` much faster. On CUDA the fp32 export is used
(int8 dynamic quantisation is a CPU feature).

Vectors are the model's mean-pooled, normalised sentence embeddings like the torch backend's; int8 moves them
by a cosine of about 0.995, so an index built with one backend still answers with the other. The index records
the backend its vectors came from, and the next ingest after a switch re-encodes every chunk with the new one.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
import warnings
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from dispute_desk.embedding import ModelUnavailable, onnx_backend, resolve_model_path
from dispute_desk.threads import usable_cores

log = logging.getLogger(__name__)

EXPORT_VERSION = 1


def _model_dir(model: str) -> Path:
    folder = Path(resolve_model_path(model))
    if not (folder / "tokenizer.json").is_file() or not (folder / "config.json").is_file():
        raise ModelUnavailable(
            f"the onnx backend needs a local sentence-transformers folder with tokenizer.json and config.json; "
            f"{model!r} is not one (use DESK_EMBEDDING_BACKEND=torch, or a local path)"
        )
    return folder


def _pooling(folder: Path) -> dict[str, Any]:
    modules = json.loads((folder / "modules.json").read_text()) if (folder / "modules.json").is_file() else []
    for module in modules:
        if module.get("type", "").endswith("Pooling"):
            config: dict[str, Any] = json.loads((folder / module["path"] / "config.json").read_text())
            if not config.get("pooling_mode_mean_tokens"):
                raise ModelUnavailable("the onnx backend supports mean-pooling models only; use the torch backend")
            return config
    raise ModelUnavailable(f"{folder} has no mean-pooling module; use DESK_EMBEDDING_BACKEND=torch")


def _max_length(folder: Path) -> int:
    config = folder / "sentence_bert_config.json"
    if config.is_file():
        return int(json.loads(config.read_text()).get("max_seq_length", 256))
    return 256


def _export_key(folder: Path, quantize: bool) -> str:
    digest = hashlib.sha256(f"{EXPORT_VERSION}:{quantize}:{folder.resolve()}".encode())
    for name in ("config.json", "tokenizer.json"):
        digest.update((folder / name).read_bytes())
    for weights in sorted(folder.glob("*.safetensors")) + sorted(folder.glob("*.bin")):
        stat = weights.stat()
        digest.update(f"{weights.name}:{stat.st_size}".encode())
    return digest.hexdigest()[:16]


def export_model(folder: Path, target: Path, *, quantize: bool) -> None:
    """Export ``folder``'s transformer to ONNX (and quantise it) into ``target``, atomically.

    The exporter's tracer warnings and the quantiser's advice (logged on the root logger) are expected for
    this model and would only clutter a user's terminal, so they are silenced here.
    """
    root = logging.getLogger()
    level = root.level
    root.setLevel(logging.ERROR)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            _export(folder, target, quantize=quantize)
    finally:
        root.setLevel(level)


def _export(folder: Path, target: Path, *, quantize: bool) -> None:
    import torch
    from transformers import AutoModel

    class _Encoder(torch.nn.Module):
        def __init__(self, inner: torch.nn.Module) -> None:
            super().__init__()
            self.inner = inner

        def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor,
                    token_type_ids: torch.Tensor) -> torch.Tensor:
            hidden: torch.Tensor = self.inner(input_ids=input_ids, attention_mask=attention_mask,
                                              token_type_ids=token_type_ids).last_hidden_state
            return hidden

    encoder = _Encoder(AutoModel.from_pretrained(str(folder)).eval())
    sample = torch.ones(2, 16, dtype=torch.long)
    axes = {0: "batch", 1: "tokens"}
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".export-") as scratch:
        fp32 = Path(scratch) / "model.onnx"
        with torch.no_grad():
            torch.onnx.export(
                encoder, (sample, sample, torch.zeros_like(sample)), str(fp32),
                input_names=["input_ids", "attention_mask", "token_type_ids"], output_names=["last_hidden_state"],
                dynamic_axes={"input_ids": axes, "attention_mask": axes, "token_type_ids": axes,
                              "last_hidden_state": axes},
                opset_version=17, dynamo=False,
            )
        done = fp32
        if quantize:
            from onnxruntime.quantization import QuantType, quantize_dynamic

            done = Path(scratch) / "model.int8.onnx"
            quantize_dynamic(str(fp32), str(done), weight_type=QuantType.QInt8, per_channel=True)
        os.replace(done, target)


class OnnxEmbedder:
    """Mean-pooled, normalised sentence embeddings from an ONNX export of a sentence-transformers model.

    Thread-safe: front ends call it from several worker threads at once, and the calls run in parallel.
    """

    def __init__(self, model: str, *, cache_dir: Path, device: str = "cpu") -> None:
        # Questions are a few short texts: the tokenizer's thread pool costs more than it saves, and spins
        # against the encoder's threads on a small machine.
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
        import numpy as np
        import onnxruntime as ort
        from tokenizers import Tokenizer

        self._np = np
        folder = _model_dir(model)
        pooling = _pooling(folder)
        cuda = device.startswith("cuda")
        quantize = onnx_backend(device) == "onnx-int8"  # int8 dynamic quantisation is a CPU feature
        target = cache_dir / f"{folder.name}-{_export_key(folder, quantize)}" / (
            "model.int8.onnx" if quantize else "model.onnx")
        if not target.is_file():
            from filelock import FileLock

            target.parent.mkdir(parents=True, exist_ok=True)
            with FileLock(str(target.parent / ".export.lock")):
                if not target.is_file():
                    log.info("exporting %s to ONNX (once; cached in %s)", model, target.parent)
                    try:
                        export_model(folder, target, quantize=quantize)
                    except Exception as exc:
                        raise ModelUnavailable(f"could not export {model!r} to ONNX ({type(exc).__name__}: {exc}); "
                                               "use DESK_EMBEDDING_BACKEND=torch") from exc
        providers = ["CPUExecutionProvider"]
        if cuda:
            if "CUDAExecutionProvider" not in ort.get_available_providers():
                raise ModelUnavailable("DESK_EMBEDDING_DEVICE=cuda but this ONNX Runtime has no CUDA support; "
                                       "install onnxruntime-gpu or use DESK_EMBEDDING_DEVICE=cpu")
            providers = ["CUDAExecutionProvider", "CPUExecutionProvider"]
        options = ort.SessionOptions()
        options.log_severity_level = 3
        # One thread per model call, and as many calls at once as this process has cores. Splitting one short
        # call across threads costs more in hand-offs than it saves (a member's question: 3.1 ms on one thread,
        # 3.7 on two, 7.1 with spinning threads); concurrent questions, and ingest's batches, each get a core
        # instead. ONNX Runtime releases the GIL while it runs, so calls from several threads do overlap.
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        self._pool = ThreadPoolExecutor(usable_cores(), thread_name_prefix="onnx-encode")  # threads start on use
        self._session = ort.InferenceSession(str(target), options, providers=providers)
        self._inputs = {i.name for i in self._session.get_inputs()}
        self._tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self._tokenizer.enable_truncation(_max_length(folder))
        pad = self._tokenizer.token_to_id("[PAD]") or 0
        self._tokenizer.enable_padding(pad_id=pad, pad_token=self._tokenizer.id_to_token(pad) or "[PAD]")
        self.name = model
        self.backend = onnx_backend(device)  # "onnx-int8" or "onnx-fp32", as ``quantize`` chose
        self.dimension = int(pooling.get("word_embedding_dimension", 0)) or len(self._encode(["x"])[0])
        self.path = target

    def _encode(self, texts: Sequence[str]) -> list[list[float]]:
        np = self._np
        encoded = self._tokenizer.encode_batch(list(texts))
        ids = np.array([e.ids for e in encoded], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encoded], dtype=np.int64)
        feed = {"input_ids": ids, "attention_mask": mask}
        if "token_type_ids" in self._inputs:
            feed["token_type_ids"] = np.zeros_like(ids)
        hidden = self._session.run(None, feed)[0]
        weights = mask[..., None].astype(np.float32)
        vectors = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
        vectors /= np.clip(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12, None)
        rows: list[list[float]] = vectors.tolist()
        return rows

    def embed_documents(self, texts: Sequence[str]) -> list[list[float]]:
        """Each text in a call of its own, so a text gets the same vector here as in ``embed_query``: int8
        quantises activations per call, so padding a text to a longer neighbour's length moved its vector by a
        cosine of up to 0.02, and a passage indexed that way no longer matched the question that quotes it as
        well. One text per call is also no slower on a CPU (3.1 ms against 3.4 ms per short text in batches of
        16). Two texts or more are spread over the cores: a story's whole text and its asks at once (a long post's
        p95 went from 35 to 27 ms on two cores), and ingest's lists.
        """
        if len(texts) <= 1:
            return [self._encode([text])[0] for text in texts]
        return list(self._pool.map(lambda text: self._encode([text])[0], texts))

    def embed_query(self, text: str) -> list[float]:
        return self._encode([text])[0]
