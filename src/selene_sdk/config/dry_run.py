"""The dry run of ``selene validate``: build the model and push one zero batch through it.

Catches, before any long work, the mistakes that would otherwise reach torch as a raw
shape error minutes into a run: a model whose input length differs from the sampler's or
``analyze_sequences``' ``sequence_length``, whose first layer does not take the reference
sequence's alphabet, whose output width differs from the features list, and a checkpoint
whose tensors do not fit the model built from ``class_args`` (explained in words: which
input length it was trained for). CPU only, no weights needed; a few seconds at most.
"""

from __future__ import annotations

import inspect
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from selene_sdk.config._analysis_checks import _line
from selene_sdk.config.errors import Problem
from selene_sdk.config.proxy import ObjProxy, instantiate

__all__ = ["check_shapes"]


@dataclass
class _Site:
    """Where the config says what the model will be fed and what it must return."""

    section: str  # "sampler", "evaluate_model" or "analyze_sequences"
    length: int | None
    length_key: str
    length_line: int | None
    width: int
    width_text: str  # e.g. "the 4 letters of Genome (ACGT)"
    features: int | None
    features_key: str
    features_line: int | None


def _default(proxy: ObjProxy, name: str) -> Any:
    try:
        param = inspect.signature(proxy.callable).parameters.get(name)
    except (TypeError, ValueError):
        return None
    if param is None or param.default is param.empty:
        return None
    return param.default


def _argument(proxy: ObjProxy, name: str) -> tuple[Any, bool]:
    """(value, written): the keyword as written, else the class's default."""
    if name in proxy.keywords:
        return proxy.keywords[name], True
    return _default(proxy, name), False


def _alphabet(reference: Any) -> tuple[int, str]:
    """(width, words) of a reference sequence as the config gives it (a proxy or a class)."""
    cls = reference.callable if isinstance(reference, ObjProxy) else reference
    alphabet = getattr(cls, "ALPHABET", None)
    letters = tuple(getattr(alphabet, "letters", ()) or ())
    if isinstance(reference, ObjProxy) and reference.keywords.get("bases_order"):
        letters = tuple(str(b) for b in reference.keywords["bases_order"])
    if not letters:
        return 4, "4 letters (ACGT)"
    name = getattr(cls, "__name__", "the reference")
    shown = "".join(letters) if len(letters) <= 8 else f"{''.join(letters[:8])}..."
    return len(letters), f"the {len(letters)} letters of {name} ({shown})"


def _count_features(value: Any) -> int | None:
    if isinstance(value, list | tuple):
        return len(value)
    try:
        if isinstance(value, ObjProxy):
            if value.callable is None:
                return None
            built = instantiate(value.copy())
            return len(built) if isinstance(built, list | tuple) else None
        if isinstance(value, str | os.PathLike) and os.path.isfile(value):
            from selene_sdk.utils.features import load_features_list

            return len(load_features_list(value))
    except Exception:  # reported by the other checks (missing file, bad arguments)
        return None
    return None


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else None


def _sites(configs: Mapping[str, Any], ops: list[str]) -> list[_Site]:
    sites = []
    sampler = configs.get("sampler")
    uses_sampler = "train" in ops or ("evaluate" in ops and "evaluate_model" in configs)
    if isinstance(sampler, ObjProxy) and sampler.callable is not None and uses_sampler:
        length, _ = _argument(sampler, "sequence_length")
        width, words = _alphabet(_argument(sampler, "reference_sequence")[0])
        features = sampler.keywords.get("features")
        sites.append(
            _Site(
                "sampler",
                _int(length),
                "sampler.sequence_length",
                sampler.line_of("sequence_length"),
                width,
                words,
                _count_features(features),
                "sampler.features",
                sampler.line_of("features"),
            )
        )
        evaluate = configs.get("evaluate_model")
        if "evaluate" in ops and isinstance(evaluate, ObjProxy) and "features" in evaluate.keywords:
            sites.append(
                _Site(
                    "evaluate_model",
                    _int(length),
                    "sampler.sequence_length",
                    sampler.line_of("sequence_length"),
                    width,
                    words,
                    _count_features(evaluate.keywords["features"]),
                    "evaluate_model.features",
                    evaluate.line_of("features"),
                )
            )
    analyze = configs.get("analyze_sequences")
    if "analyze" in ops and isinstance(analyze, ObjProxy) and analyze.callable is not None:
        reference, _ = _argument(analyze, "reference_sequence")
        width, words = _alphabet(reference)
        sites.append(
            _Site(
                "analyze_sequences",
                _int(analyze.keywords.get("sequence_length")),
                "analyze_sequences.sequence_length",
                analyze.line_of("sequence_length"),
                width,
                words,
                _count_features(analyze.keywords.get("features")),
                "analyze_sequences.features",
                analyze.line_of("features"),
            )
        )
    return sites


class _ShapeChecks:
    def __init__(self, configs: Mapping[str, Any], ops: list[str], source: str | None):
        self.configs = configs
        self.ops = ops
        self.source = source
        self.problems: list[Problem] = []
        self.model_line = _line(configs, "model")

    def add(self, message: str, key: str | None, line: int | None) -> None:
        self.problems.append(Problem("error", message, self.source, line, None, key, "shape"))

    def run(self) -> list[Problem]:
        from selene_sdk.config.model_section import build_model

        sites = _sites(self.configs, self.ops)
        checkpoints = self.checkpoints()
        if not any(s.length for s in sites) and not checkpoints:
            return []
        model_cfg = self.configs["model"]
        try:
            model = build_model(model_cfg)
        except Exception as exc:
            text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
            self.add(
                f"the model could not be built for the dry run: {type(exc).__name__}: {text}",
                "model.class_args",
                _line(model_cfg, "class_args") or self.model_line,
            )
            return self.problems
        fitted = [s for s in sites if s.length and self.check_site(model, s)]
        for key, line, path in checkpoints:
            self.check_checkpoint(model, key, line, path, fitted or sites)
        return self.problems

    # -- one dry forward pass per place that feeds the model ----------------------------------
    def check_site(self, model: Any, site: _Site) -> bool:
        from selene_sdk.forward.probe import describe_lengths, lengths_giving, probe_model

        probe = probe_model(model, site.length, site.width)
        if probe.ok:
            if site.features is not None and probe.output_width != site.features:
                self.add(
                    f"the model returns {probe.output_width} values per sequence (dry run at "
                    f"input length {site.length}) but {site.features_key} lists "
                    f"{site.features} features: make the model's class_args (e.g. its number "
                    "of outputs) and the features list agree",
                    site.features_key,
                    site.features_line,
                )
                return False
            return True
        mismatch = probe.mismatch
        if mismatch is not None and mismatch.kind == "channels":
            self.add(
                f"the model's layer {mismatch.name} takes {mismatch.expected} input channels, "
                f"but {site.section} feeds it one-hot sequences of {site.width_text}: use a "
                "model built for this alphabet, or the reference sequence it was built for",
                site.section,
                _line(self.configs, site.section),
            )
            return False
        if mismatch is not None:
            span = lengths_giving(
                model, mismatch.name, mismatch.expected, site.width, start=site.length
            )
            expects = (
                f"expects input length {describe_lengths(span)}"
                if span
                else "does not take this input length"
            )
            self.add(
                f"the model built from model.class_args {expects}: its layer {mismatch.name} "
                f"takes {mismatch.expected} inputs and gets {mismatch.got} at input length "
                f"{site.length} ({site.length_key}); make the model's class_args and "
                f"{site.length_key} agree",
                site.length_key,
                site.length_line,
            )
            return False
        self.add(
            f"a dry run of the model on one sequence of length {site.length} ({site.length_key}) "
            f"with {site.width} channels failed: {probe.error}",
            site.length_key,
            site.length_line,
        )
        return False

    # -- checkpoints the run will load --------------------------------------------------------
    def checkpoints(self) -> list[tuple[str, int | None, str]]:
        found = []
        wanted = [("train_model", "checkpoint_resume", "train")]
        if "train" not in self.ops:  # otherwise the training in this run writes them
            wanted += [
                ("evaluate_model", "trained_model_path", "evaluate"),
                ("analyze_sequences", "trained_model_path", "analyze"),
            ]
        for section, key, op in wanted:
            proxy = self.configs.get(section)
            if op not in self.ops or not isinstance(proxy, ObjProxy):
                continue
            value = proxy.keywords.get(key)
            if isinstance(value, str | os.PathLike) and os.path.isfile(os.path.expanduser(value)):
                found.append((f"{section}.{key}", proxy.line_of(key), os.path.expanduser(value)))
        return found

    def check_checkpoint(
        self, model: Any, key: str, line: int | None, path: str, sites: list[_Site]
    ) -> None:
        from selene_sdk.models.loading import (
            StateDictMismatchError,
            load_checkpoint,
            load_model_from_state_dict,
            match_state_dict,
            shape_mismatches,
        )

        try:
            saved = load_checkpoint(path)
        except ValueError as exc:
            self.add(str(exc), key, line)
            return
        if not isinstance(saved, Mapping):
            return  # a whole pickled model: reported when it is loaded
        translated, _, _ = match_state_dict(saved, model)
        wrong = shape_mismatches(translated, model)
        if not wrong:
            try:
                load_model_from_state_dict(saved, model)
            except StateDictMismatchError as exc:
                self.add(f"{path}: {exc}", key, line)
            return
        self.add(f"{path}: {self.explain(model, wrong, sites)}", key, line)

    def explain(self, model: Any, wrong: list, sites: list[_Site]) -> str:
        """The first shape difference in words (the rest follow from it, usually)."""
        import torch

        from selene_sdk.forward.probe import describe_lengths, lengths_giving

        modules = dict(model.named_modules())
        site = next((s for s in sites if s.length), None)
        for name_key, saved, own in wrong:
            name, _, leaf = name_key.rpartition(".")
            layer = modules.get(name)
            conv = isinstance(layer, torch.nn.modules.conv._ConvNd)
            if leaf == "weight" and conv and saved[1] != own[1]:
                return (
                    f"the checkpoint's layer {name} takes {saved[1]} input channels (it was "
                    f"trained on a {saved[1]}-letter alphabet) but the model built from "
                    f"model.class_args takes {own[1]}"
                )
            if leaf != "weight" or not isinstance(layer, torch.nn.Linear):
                continue
            if saved[1] != own[1] and site is not None:
                span = lengths_giving(model, name, saved[1], site.width, start=site.length)
                trained = (
                    f"was trained for input length {describe_lengths(span)}"
                    if span
                    else "was trained for another input length or alphabet"
                )
                return (
                    f"the checkpoint {trained} ({name} expects {saved[1]} inputs; the model "
                    f"built here gives it {own[1]}); this config says {site.length} "
                    f"({site.length_key}): set the sequence length and the model's class_args "
                    "to what the checkpoint was trained with"
                )
            if saved[0] != own[0]:
                return (
                    f"the checkpoint's layer {name} has {saved[0]} outputs but the model "
                    f"built from model.class_args has {own[0]} (a different number of "
                    "features?)"
                )
        shown = "; ".join(f"{k}: checkpoint {list(a)}, model {list(b)}" for k, a, b in wrong[:4])
        more = f" ... ({len(wrong)} tensors in all)" if len(wrong) > 4 else ""
        return (
            f"the checkpoint's tensor shapes do not fit the model built from model.class_args "
            f"({shown}{more})"
        )


def check_shapes(configs: Mapping[str, Any], ops: list[str], source: str | None) -> list[Problem]:
    """Shape problems between the model, the config's lengths, alphabet, features and the
    checkpoints it loads (empty when they fit or cannot be checked)."""
    return _ShapeChecks(configs, ops, source).run()
