"""Dry run of a config (``selene validate``): find every problem at once, build nothing.

Checks: YAML syntax; every ``!obj:``/``!import`` name resolves; top-level keys are known
(typos get a suggestion); ``ops`` is present and valid and every op has its sections;
value types; the model file, class, ``class_args``, ``criterion`` and ``get_optimizer``;
keyword names and required arguments of every ``!obj:`` (taking injected arguments into
account); input paths exist. The model is built from ``class_args`` and run once on a
zero batch (:mod:`~selene_sdk.config.dry_run`) to check input length, alphabet width,
output width and the checkpoints the run loads; no sampler, genome or trainer is
constructed.
"""

from __future__ import annotations

import inspect
import os
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from selene_sdk.config._analysis_checks import AnalysisChecks, _line
from selene_sdk.config._attribution_checks import AttributionChecks
from selene_sdk.config.documented import DOCUMENTED_SIGNATURES
from selene_sdk.config.errors import ConfigError, NotImplementedYetError, Problem
from selene_sdk.config.loader import parse, read_config_text
from selene_sdk.config.names import closest, suggestion_text
from selene_sdk.config.proxy import ObjProxy

__all__ = ["KNOWN_TOP_LEVEL_KEYS", "check_config", "validate_path"]

KNOWN_TOP_LEVEL_KEYS = (
    "ops",
    "model",
    "sampler",
    "train_model",
    "evaluate_model",
    "analyze_sequences",
    "prediction",
    "variant_effect_prediction",
    "in_silico_mutagenesis",
    "attribution",
    "output_dir",
    "create_subdirectory",
    "random_seed",
    "lr",
    "load_test_set",
    "batch_size",
    "selene_sdk_version",
)
OPS = ("train", "evaluate", "analyze")
_PROXY_SECTIONS = ("sampler", "train_model", "evaluate_model", "analyze_sequences")
_MODEL_KEYS = ("path", "file", "class", "class_args", "non_strand_specific")

#: Keyword names whose string values are input files or directories that must exist.
INPUT_PATH_KEYS = frozenset(
    {
        "input_path",
        "target_path",
        "intervals_path",
        "filepath",
        "trained_model_path",
        "tabix_path",
        "h5_path",
        "checkpoint_resume",
        "blacklist_regions",
    }
)
#: Paths that a training run in the same config may create.
_MAYBE_PRODUCED = frozenset({"trained_model_path", "checkpoint_resume"})


_ANALYSES = ("prediction", "variant_effect_prediction", "in_silico_mutagenesis", "attribution")
#: Keys of the analysis sections (a mapping with one of them is meant as one).
_ANALYSIS_KEYS = frozenset(
    {"vcf_files", "save_data", "input_path", "sequence", "input_sequence", "mutate_n_bases"}
)


def _sections_wanted(ops: list[str]) -> dict[str, str]:
    """Top-level sections the ops use -> the (first) op that uses each."""
    wanted: dict[str, str] = {}
    for op in ops:
        names = {
            "train": ("model", "sampler", "train_model"),
            "evaluate": ("model", "sampler", "evaluate_model"),
            "analyze": ("model", "analyze_sequences", *_ANALYSES),
        }[op]
        for name in names:
            wanted.setdefault(name, op)
    return wanted


def _as_warning(problem: Problem) -> Problem:
    if problem.severity == "warning":
        return problem
    return replace(
        problem, severity="warning", message=problem.message + " (section not used by ops)"
    )


class _Checker(AnalysisChecks, AttributionChecks):
    def __init__(self, configs: Any, source: str | None, lr: float | None):
        self.configs = configs
        self.source = source
        self.cli_lr = lr
        self.problems: list[Problem] = []
        self.misspelled: set[str] = set()  # sections whose name has a typo (already reported)

    # -- recording ---------------------------------------------------------------------------
    def add(
        self,
        message: str,
        key: str | None = None,
        line: int | None = None,
        kind: str = "other",
        severity: str = "error",
    ) -> None:
        self.problems.append(Problem(severity, message, self.source, line, None, key, kind))

    def warn(self, message: str, key: str | None = None, line: int | None = None, kind="other"):
        self.add(message, key, line, kind, "warning")

    def top_line(self, key: str) -> int | None:
        return _line(self.configs, key)

    # -- top level ----------------------------------------------------------------------------
    def run(self) -> list[Problem]:
        configs = self.configs
        if not isinstance(configs, Mapping):
            self.add(
                "the configuration must be a mapping of top-level keys (ops, model, ...), "
                f"got {type(configs).__name__}",
                kind="type",
            )
            return self.problems
        ops = self.check_ops()
        for key in configs:
            if key not in KNOWN_TOP_LEVEL_KEYS:
                self.check_unknown_key(key, ops)
        self.check_types()
        self.check_sections(ops)
        if "model" in configs and any(op in OPS for op in ops):
            before = len(self.problems)
            self.check_model("train" in ops)
            if not any(p.severity == "error" for p in self.problems[before:]):
                from selene_sdk.config.dry_run import check_shapes

                self.problems += check_shapes(configs, ops, self.source)
        injected = self.injected(ops)
        used = self.used_sections(ops)
        for key in _PROXY_SECTIONS:
            value = configs.get(key)
            if isinstance(value, ObjProxy):
                start = len(self.problems)
                self.check_proxy(value, key, injected.get(key, set()), key in used, ops)
                if key not in used:
                    # Problems in a section no op uses cannot break the run.
                    self.problems[start:] = [_as_warning(p) for p in self.problems[start:]]
        if "analyze" in ops:
            self.check_analysis_sections()
            self.check_attribution_section()
        from selene_sdk.config.output_checks import check_output_dirs

        self.problems += check_output_dirs(configs, ops, self.source)
        return self.problems

    def check_unknown_key(self, key: Any, ops: list[str]) -> None:
        """A warning, or an error when the key stands for a section an op needs and the
        config lacks (a misspelled section would otherwise be silently skipped)."""
        configs = self.configs
        match = closest(str(key), KNOWN_TOP_LEVEL_KEYS, n=1)
        hint = suggestion_text(match)
        wanted = _sections_wanted(ops)
        meant = next((m for m in match if m in wanted and m not in configs), None)
        line = self.top_line(key)
        if meant is not None:
            self.misspelled.add(meant)  # this error replaces "the config has no `meant`"
            self.add(
                f"unknown top-level key {key!r}{hint}: ops includes {wanted[meant]!r}, which "
                f"uses `{meant}`, and the config has none; as written, it would be skipped",
                str(key),
                line,
                "unknown-key",
            )
            return
        value = configs[key]
        if "analyze" in ops and isinstance(value, Mapping):
            looks = sorted(set(map(str, value)) & _ANALYSIS_KEYS)
            if looks:
                self.misspelled.update(_ANALYSES)
                self.add(
                    f"unknown top-level key {key!r}: it has {', '.join(looks)} like an "
                    f"analysis section, but analyses are named {', '.join(_ANALYSES)}; as "
                    "written, it would be skipped",
                    str(key),
                    line,
                    "unknown-key",
                )
                return
        self.warn(
            f"unknown top-level key {key!r}{hint}; it is ignored", str(key), line, "unknown-key"
        )

    def check_ops(self) -> list[str]:
        configs = self.configs
        if "ops" not in configs:
            self.add(
                "`ops` is missing: add e.g. `ops: [train, evaluate]` (any of train, "
                "evaluate, analyze)",
                "ops",
                kind="missing-key",
            )
            return []
        ops = configs["ops"]
        line = self.top_line("ops")
        if isinstance(ops, str):
            ops = [ops]
        if not isinstance(ops, list) or not ops:
            self.add(
                f"`ops` must be a non-empty list such as [train, evaluate], got {ops!r}",
                "ops",
                line,
                "type",
            )
            return []
        valid = []
        for op in ops:
            if op in OPS:
                if op in valid:
                    self.warn(f"operation {op!r} is listed twice in ops", "ops", line)
                valid.append(op)
                continue
            hint = suggestion_text(closest(str(op), OPS, n=1))
            self.add(
                f"unknown operation {op!r} in ops{hint}; ops may contain {', '.join(OPS)}",
                "ops",
                line,
                "unknown-op",
            )
        return valid

    def check_types(self) -> None:
        configs = self.configs
        expectations = {
            "create_subdirectory": (bool, "true or false"),
            "load_test_set": (bool, "true or false"),
            "random_seed": (int, "an integer"),
            "batch_size": (int, "an integer"),
            "output_dir": (str, "a directory path"),
            "model": (Mapping, "a mapping with path, class, class_args"),
            "prediction": (Mapping, "a mapping"),
            "variant_effect_prediction": (Mapping, "a mapping"),
            "in_silico_mutagenesis": (Mapping, "a mapping"),
            "attribution": (Mapping, "a mapping"),
        }
        for key, (kind, text) in expectations.items():
            if key not in configs or (configs[key] is None and key == "output_dir"):
                continue
            value = configs[key]
            bad = not isinstance(value, kind) or (kind is int and isinstance(value, bool))
            if bad:
                self.add(f"`{key}` must be {text}, got {value!r}", key, self.top_line(key), "type")
        if "lr" in configs and configs["lr"] is not None:
            lr = configs["lr"]
            ok = isinstance(lr, int | float) and not isinstance(lr, bool) and lr > 0
            if not ok:
                self.add(
                    f"`lr` must be a positive number such as 0.01 or 1e-3, got {lr!r}",
                    "lr",
                    self.top_line("lr"),
                    "type",
                )
        for key in _PROXY_SECTIONS:
            if key in configs and not isinstance(configs[key], ObjProxy):
                self.add(
                    f"`{key}` must be an !obj: tag, e.g. `{key}: !obj:package.Class "
                    f"{{...}}`, got {type(configs[key]).__name__}",
                    key,
                    self.top_line(key),
                    "type",
                )

    def used_sections(self, ops: list[str]) -> set[str]:
        used = {"model"} if ops else set()
        if "train" in ops:
            used |= {"sampler", "train_model"}
        if "evaluate" in ops and "evaluate_model" in self.configs:
            used |= {"sampler", "evaluate_model"}
        if "analyze" in ops:
            used |= {"analyze_sequences"}
        return used

    def check_sections(self, ops: list[str]) -> None:
        configs = self.configs
        line = self.top_line("ops")

        def need(op: str, key: str, why: str = "") -> None:
            if key not in configs and key not in self.misspelled:
                self.add(
                    f"ops includes {op!r} but the config has no `{key}` section{why}",
                    key,
                    line,
                    "missing-section",
                )

        for op in dict.fromkeys(ops):
            need(op, "model")
        if "train" in ops:
            need("train", "sampler")
            need("train", "train_model")
            if configs.get("lr") is None and self.cli_lr is None:
                self.add(
                    "ops includes 'train' but no learning rate is given: add `lr: 0.01` "
                    "at the top level or pass --lr",
                    "lr",
                    line,
                    "missing-key",
                )
        if "evaluate" in ops:
            trained_before = "train" in ops and ops.index("train") < ops.index("evaluate")
            if "evaluate_model" in configs:
                need("evaluate", "sampler")
            elif not trained_before:
                need("evaluate", "evaluate_model", " (and no train before it)")
        if "analyze" in ops:
            need("analyze", "analyze_sequences")
            if not any(k in configs or k in self.misspelled for k in _ANALYSES):
                self.add(
                    "ops includes 'analyze' but none of prediction, "
                    "variant_effect_prediction, in_silico_mutagenesis, attribution is "
                    "configured",
                    "ops",
                    line,
                    "missing-section",
                )
        used = self.used_sections(ops)
        analysis = _ANALYSES
        for key in (*_PROXY_SECTIONS, *analysis):
            section_used = key in used or (key in analysis and "analyze" in ops)
            if key in configs and ops and not section_used:
                self.warn(f"`{key}` is not used by ops {ops}", key, self.top_line(key), "unused")

    def injected(self, ops: list[str]) -> dict[str, set[str]]:
        configs = self.configs
        top_dir = {"output_dir"} if configs.get("output_dir") else set()
        trained = {"trained_model_path", "features"} if "train" in ops else set()
        sampler = configs.get("sampler")
        sampler_features = (
            {"features"}
            if isinstance(sampler, ObjProxy) and "features" in sampler.keywords
            else set()
        )
        train_model = {
            "model",
            "data_sampler",
            "loss_criterion",
            "optimizer_class",
            "optimizer_kwargs",
        }
        if "random_seed" in configs:
            train_model.add("deterministic")
        return {
            "sampler": set(),  # output_dir is optional for samplers
            "train_model": train_model | top_dir,
            "evaluate_model": {"model", "criterion", "data_sampler"}
            | top_dir
            | trained
            | sampler_features,
            "analyze_sequences": {"model"} | trained,
        }

    # -- model ---------------------------------------------------------------------------------
    def check_model(self, train: bool) -> None:
        from selene_sdk.config.model_section import (
            _module_function,
            check_class_args,
            resolve_model,
        )

        model = self.configs["model"]
        if not isinstance(model, Mapping):
            return  # reported by check_types
        for key in model:
            if key not in _MODEL_KEYS:
                hint = suggestion_text(closest(str(key), _MODEL_KEYS, n=1))
                self.add(
                    f"unknown key {key!r} in model{hint}; model takes {', '.join(_MODEL_KEYS)}",
                    f"model.{key}",
                    _line(model, key),
                    "unknown-key",
                )
        if "file" in model and "path" not in model:
            self.warn(
                "`model.file` is the pre-2018 spelling of `model.path`; it still works",
                "model.file",
                _line(model, "file"),
            )
        try:
            spec = resolve_model(model)
        except ConfigError as exc:
            kind = "missing-file" if "not found:" in exc.bare_message else "model"
            self.problems.append(Problem.from_error(exc, kind))
            return
        checks = [lambda: check_class_args(spec, model)]
        checks.append(lambda: _module_function(spec, model, "criterion", "def criterion(): ..."))
        if train:
            checks.append(
                lambda: _module_function(spec, model, "get_optimizer", "def get_optimizer(lr):")
            )
        for check in checks:
            try:
                check()
            except ConfigError as exc:
                self.problems.append(Problem.from_error(exc, "model"))
        mode = model.get("non_strand_specific")
        if mode is not None and mode not in ("mean", "max"):
            self.add(
                f"`model.non_strand_specific` must be mean or max, got {mode!r}",
                "model.non_strand_specific",
                _line(model, "non_strand_specific"),
                "type",
            )

    # -- !obj: sections ------------------------------------------------------------------------
    def _signature(self, proxy: ObjProxy) -> tuple[set[str] | None, set[str], dict[str, Any]]:
        """(accepted names or None for **kwargs, required names, defaults)."""
        if proxy.callable is not None:
            try:
                sig = inspect.signature(proxy.callable)
            except (TypeError, ValueError):
                return None, set(), {}
            params = sig.parameters.values()
            if any(p.kind is p.VAR_KEYWORD for p in params):
                accepted = None
            else:
                accepted = {p.name for p in params if p.kind is not p.VAR_POSITIONAL}
            required = {
                p.name
                for p in params
                if p.default is p.empty and p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)
            }
            defaults = {p.name: p.default for p in params if p.default is not p.empty}
            return accepted, required, defaults
        documented = DOCUMENTED_SIGNATURES.get(proxy.name)
        if documented is None:
            return None, set(), {}
        return set(documented[0]), set(documented[1]), {}

    def check_proxy(
        self, proxy: ObjProxy, path: str, injected: set[str], used: bool, ops: list[str]
    ) -> None:
        if proxy.callable is None and isinstance(proxy.problem, NotImplementedYetError):
            message = proxy.problem.bare_message
            self.add(message, path, proxy.line, "not-implemented")
        accepted, required, defaults = self._signature(proxy)
        for key, value in proxy.keywords.items():
            line = proxy.line_of(key)
            where = f"{path}.{key}"
            if accepted is not None and key not in accepted:
                hint = suggestion_text(closest(key, accepted, n=1))
                self.add(
                    f"!obj:{proxy.name} has no argument {key!r}{hint}",
                    where,
                    line,
                    "unknown-key",
                )
            if key in defaults:
                self.check_value_type(proxy, key, value, defaults[key], where, line)
            if key in INPUT_PATH_KEYS:
                self.check_path(key, value, where, line, ops)
            self.check_nested(value, where, ops)
        if used:
            for name in sorted(required - set(proxy.keywords) - injected):
                self.add(
                    f"!obj:{proxy.name} needs the argument {name!r}",
                    f"{path}.{name}",
                    proxy.line,
                    "missing-key",
                )

    def check_nested(self, value: Any, path: str, ops: list[str]) -> None:
        if isinstance(value, ObjProxy):
            self.check_proxy(value, path, set(), True, ops)
        elif isinstance(value, Mapping):
            for k, v in value.items():
                self.check_nested(v, f"{path}.{k}", ops)
        elif isinstance(value, list | tuple):
            for i, v in enumerate(value):
                self.check_nested(v, f"{path}[{i}]", ops)

    def check_value_type(
        self, proxy: ObjProxy, key: str, value: Any, default: Any, where: str, line
    ) -> None:
        if value is None or isinstance(value, ObjProxy):
            return
        if isinstance(default, bool) and not isinstance(value, bool):
            self.add(
                f"!obj:{proxy.name} argument {key!r} must be true or false, got {value!r}",
                where,
                line,
                "type",
            )
        elif (
            isinstance(default, int | float)
            and not isinstance(default, bool)
            and isinstance(value, str)
        ):
            self.add(
                f"!obj:{proxy.name} argument {key!r} must be a number, got {value!r}",
                where,
                line,
                "type",
            )

    def check_path(self, key: str, value: Any, where: str, line, ops: list[str]) -> None:
        if value is None or value is False:
            return
        values = value if isinstance(value, list) else [value]
        for item in values:
            if not isinstance(item, str | os.PathLike):
                continue
            item = os.fspath(item)
            if key == "blacklist_regions":
                from selene_sdk.sequences._resources import BLACKLISTS

                if item in BLACKLISTS:
                    continue
            if os.path.exists(os.path.expanduser(item)):
                continue
            if key in _MAYBE_PRODUCED and "train" in ops:
                self.warn(
                    f"{key} {item} does not exist yet (fine if the training in this run writes it)",
                    where,
                    line,
                    "missing-file",
                )
                continue
            self.add(f"{key}: file not found: {item}", where, line, "missing-file")


def check_config(configs: Any, lr: float | None = None, source: str | None = None) -> list[Problem]:
    """All problems of a loaded config (errors and warnings), in file order.

    ``lr`` is the command-line learning rate, if any (it satisfies the need for ``lr``).
    """
    source = source or getattr(configs, "source", None)
    problems = _Checker(configs, source, lr).run()
    return sorted(problems, key=lambda p: (p.line or 0, p.severity != "error"))


def validate_path(path: str | os.PathLike, lr: float | None = None) -> list[Problem]:
    """Dry-run a config file: every problem found, in file order (empty list = all good)."""
    try:
        path, text = read_config_text(path)
    except ConfigError as exc:
        return [Problem.from_error(exc, "missing-file")]
    from selene_sdk.config.loader import _config_dir_on_path

    _config_dir_on_path(path)
    loaded = parse(text, path)
    if loaded.data is None and loaded.problems:
        return loaded.problems
    problems = list(loaded.problems) + check_config(loaded.data, lr, path)
    return sorted(problems, key=lambda p: (p.line or 0, p.severity != "error"))
