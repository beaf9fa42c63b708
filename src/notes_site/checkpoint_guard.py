"""Every model load in the worker: safetensors only, no remote code, no silent random weights, one read each.

A load is read from disk once per worker for each checkpoint, model class and set of arguments; a later load
of the same gets a deep copy of what was read, so a snippet that changes its model changes only its copy.
Loads that spell the same thing differently share the read:

- ``pipeline()`` passes the folder's own configuration, ``dtype="auto"``, ``local_files_only=False`` and so
  on; a direct ``from_pretrained`` passes none of them. What is compared is the configuration's JSON and the
  arguments that change what a local folder gives.
- The attention implementation (``attn_implementation="eager"`` to read the attention weights) changes how
  the model computes, not its weights: a copy is switched to the requested one with transformers' own
  ``set_attn_implementation``, which resolves "the default" exactly as a fresh load does.

A load that leaves weights missing (a new head, declared ``random-init``) is never shared: its new weights
are drawn from the random state at that moment, and a copy would repeat another snippet's draw.

Like ``execution.py``, this file is part of every cache key: a shared read must compute what a fresh one does.
"""

from __future__ import annotations

import copy
import os
from dataclasses import dataclass, field
from typing import Any


# Not RuntimeError/ValueError/OSError: pipeline() catches those and silently tries another model class
# (for a checkpoint without its task head, the bare encoder), which would hide the problem.
class IncompleteCheckpoint(Exception):
    """A checkpoint loaded with missing, unexpected-shape or newly initialised weights."""

    __module__ = "__main__"  # a failure reads "IncompleteCheckpoint: ...", not this private module's path


class RefusedCheckpoint(Exception):
    """A load this build does not allow (remote code, pickle weights)."""

    __module__ = "__main__"


@dataclass
class _Snippet:
    """What the guard knows of the snippet that is running."""

    random_init: bool = False
    loads: list[str] = field(default_factory=list)  # "folder (Class)" for each read from disk


@dataclass(frozen=True)
class _Read:
    model: Any
    info: dict
    attention: str | None  # the implementation it was asked for (None: the default)


_current = _Snippet()
_MEMO: dict[tuple, _Read] = {}
# arguments that give the same model from a local folder whatever their value (``_from_auto`` and
# ``_from_pipeline`` tell the Hub who asked, and where to look for a custom generate(), which is remote code)
_SAME_FOR_A_LOCAL_FOLDER = {
    "local_files_only",
    "revision",
    "trust_remote_code",
    "adapter_kwargs",
    "use_safetensors",
    "_from_auto",
    "_from_pipeline",
}


def begin_snippet(*, random_init: bool, forget: bool) -> list[str]:
    """Start counting a snippet's reads (returned, filled as it runs); ``forget`` empties the memo first."""
    global _current
    if forget:
        _MEMO.clear()
    _current = _Snippet(random_init=random_init)
    return _current.loads


def _configuration(cls: type, where: str, given: Any) -> str | None:
    """The JSON of the configuration this load uses: the one given, else the folder's own; None if neither."""
    from transformers import PretrainedConfig

    if isinstance(given, PretrainedConfig):
        return given.to_json_string()
    if given is None and os.path.isdir(where):
        try:
            return cls.config_class.from_pretrained(where).to_json_string()
        except Exception:  # then the load itself says what is wrong with the folder
            return None
    return None


def _memo_key(cls: type, where: Any, args: tuple, kwargs: dict) -> tuple[tuple, str | None] | None:
    """What decides the weights of a load, and the attention implementation asked for; None when an argument
    is too unusual to compare safely."""
    import torch
    from transformers import PretrainedConfig

    if args or not isinstance(where, (str, os.PathLike)):
        return None
    where = os.fspath(where)
    kwargs = {name: value for name, value in kwargs.items() if name not in _SAME_FOR_A_LOCAL_FOLDER}
    given = kwargs.pop("config", None)
    attention = kwargs.pop("attn_implementation", None)
    if attention is None and isinstance(given, PretrainedConfig):
        # AutoModel moves attn_implementation into the config, where it is private and left out of the JSON
        attention = given._attn_implementation_internal
    configuration = _configuration(cls, where, given)
    if configuration is None:
        return None
    kwargs.setdefault("dtype", "auto")  # transformers 5 reads no dtype as "auto"
    parts = []
    for name, value in sorted(kwargs.items()):
        if isinstance(value, torch.dtype):
            value = str(value)
        elif not isinstance(value, (str, int, float, bool, type(None))):
            return None
        parts.append((name, value))
    # Beyond dtype, an argument means something else with a configuration given (passed to the model) than
    # without (it edits the folder's configuration): then the two spellings are not the same load.
    origin = "given" if given is not None else "folder"
    if [name for name, _ in parts] == ["dtype"]:
        origin = "either"
    place: object = where
    if os.path.isdir(where):
        # the folder's files as they are now: a checkpoint rewritten by a recipe is read again
        files = sorted(os.scandir(where), key=lambda e: e.name)
        stats = [(e.name, e.stat().st_size, e.stat().st_mtime_ns) for e in files if e.is_file()]
        place = (os.path.abspath(where), *stats)
    key = (f"{cls.__module__}.{cls.__qualname__}", place, configuration, origin, tuple(parts))
    return key, attention


def _copy(read: _Read, attention: str | None) -> Any:
    """A model of its own for the snippet, computing with the attention implementation it asked for."""
    model = copy.deepcopy(read.model)
    if attention != read.attention:
        model.set_attn_implementation(attention)
    return model


def install() -> None:
    """Wrap ``from_pretrained`` and ``torch.load`` (once per worker, from ``execution.prepare``)."""
    import torch
    from transformers import PreTrainedModel

    original = PreTrainedModel.from_pretrained.__func__

    def from_pretrained(cls, pretrained_model_name_or_path, *args, **kwargs):  # type: ignore[no-untyped-def]
        if kwargs.get("trust_remote_code"):
            raise RefusedCheckpoint(
                "trust_remote_code=True is refused: this build runs no code shipped with a checkpoint"
            )
        if kwargs.get("use_safetensors") is False:
            raise RefusedCheckpoint("use_safetensors=False is refused: this build loads weights from safetensors only")
        kwargs["use_safetensors"] = True
        want_info = kwargs.pop("output_loading_info", False)
        described = _memo_key(cls, pretrained_model_name_or_path, args, kwargs)
        key, attention = described if described is not None else (None, None)
        read = _MEMO.get(key) if key is not None else None
        if read is not None and (attention == read.attention or read.model._can_set_attn_implementation()):
            model = _copy(read, attention)
            return (model, read.info) if want_info else model
        model, info = original(cls, pretrained_model_name_or_path, *args, output_loading_info=True, **kwargs)
        _current.loads.append(f"{pretrained_model_name_or_path} ({cls.__name__})")
        problems = {
            kind: sorted(info.get(kind) or [])
            for kind in ("missing_keys", "mismatched_keys", "unexpected_keys")
            if info.get(kind)
        }
        if (problems.get("missing_keys") or problems.get("mismatched_keys")) and not _current.random_init:
            listed = "; ".join(f"{kind}: {', '.join(map(str, keys[:6]))}" for kind, keys in problems.items())
            raise IncompleteCheckpoint(
                f"{pretrained_model_name_or_path} does not hold every weight of {cls.__name__} ({listed}). "
                "Those weights would be random. Use a checkpoint trained for this task, or declare "
                "'# livenotes: random-init' if the snippet shows random initialisation on purpose."
            )
        if key is not None and not problems:
            _MEMO[key] = _Read(model, info, attention)
            model = copy.deepcopy(model)
        return (model, info) if want_info else model

    PreTrainedModel.from_pretrained = classmethod(from_pretrained)  # type: ignore[method-assign]

    original_load = torch.load

    def load(*args, **kwargs):  # type: ignore[no-untyped-def]
        if kwargs.get("weights_only") is False:
            raise RefusedCheckpoint("torch.load(weights_only=False) is refused: it can run arbitrary pickled code")
        return original_load(*args, **kwargs)

    torch.load = load
