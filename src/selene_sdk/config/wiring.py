"""Run the operations of a loaded config: inject arguments, build objects, call them.

Injection rules (docs/configuration.md has the full table):

* ``train``: the model from ``model:`` (wrapped in ``NonStrandSpecific`` when asked), its
  ``criterion()`` and ``get_optimizer(lr)`` go into ``train_model`` as ``model``,
  ``loss_criterion``, ``optimizer_class``, ``optimizer_kwargs``; the built ``sampler`` as
  ``data_sampler``; ``deterministic=True`` when ``random_seed`` is set.
* ``evaluate``: ``TrainModel.evaluate()`` if this run trained; with ``evaluate_model``, a
  fresh sampler plus ``model``, ``criterion``, ``data_sampler`` (and, after training in the
  same run, ``trained_model_path`` = the run's ``best_model.pth.tar`` and ``features`` from
  the sampler, when not written).
* ``analyze``: ``model`` (and after training, ``trained_model_path`` / ``features``) into
  ``analyze_sequences``; then variant effect prediction (one call per ``vcf_files`` entry),
  in-silico mutagenesis, prediction, attribution (``AnalyzeSequences.attribution``, run
  by rank 0 alone under torchrun) -- in that order.
* A top-level ``output_dir`` (the run directory) is given to the sampler, ``train_model``
  and ``evaluate_model`` and **overrides** an ``output_dir`` written inside them.

Values written in the file otherwise win over injected ones (``ObjProxy.bind``).
"""

from __future__ import annotations

import inspect
import logging
import os
import warnings
from collections.abc import Mapping, Sequence
from typing import Any

from selene_sdk import distributed
from selene_sdk.config.errors import ConfigError
from selene_sdk.config.model_section import initialize_model
from selene_sdk.config.proxy import ObjProxy, instantiate
from selene_sdk.errors import SeleneWarning

__all__ = ["OPS", "execute"]

OPS = ("train", "evaluate", "analyze")
logger = logging.getLogger("selene")


def section_error(configs: Mapping[str, Any], key: str, message: str) -> ConfigError:
    line_of = getattr(configs, "line_of", None)
    return ConfigError(
        message,
        getattr(configs, "source", None),
        line_of(key) if line_of else None,
        key=key,
    )


def _proxy(configs: Mapping[str, Any], key: str, op: str) -> ObjProxy:
    """A copy of the ``!obj:`` section ``key`` (so injection never edits the loaded config)."""
    if key not in configs:
        raise section_error(configs, key, f"ops includes {op!r} but the config has no `{key}`")
    value = configs[key]
    if not isinstance(value, ObjProxy):
        raise section_error(
            configs,
            key,
            f"`{key}` must be an !obj: tag (e.g. `{key}: !obj:package.Class {{...}}`), "
            f"got {type(value).__name__}",
        )
    return value.copy()


def _mapping(configs: Mapping[str, Any], key: str) -> dict[str, Any]:
    value = configs[key]
    if not isinstance(value, Mapping):
        raise section_error(configs, key, f"`{key}` must be a mapping, got {value!r}")
    return dict(value)


def accepts(proxy: ObjProxy, name: str) -> bool:
    """True if the proxy's callable takes keyword ``name`` (or ``**kwargs``, or is opaque)."""
    try:
        params = inspect.signature(proxy.callable).parameters
    except (TypeError, ValueError):
        return True
    return name in params or any(p.kind is p.VAR_KEYWORD for p in params.values())


def _set_output_dir(proxy: ObjProxy, output_dir: str | None) -> None:
    """The top-level output directory wins over one written in the section.

    Constructors without an ``output_dir`` parameter (e.g. the file samplers) get none.
    """
    if output_dir is None or not accepts(proxy, "output_dir"):
        return
    written = proxy.keywords.get("output_dir")
    if written is not None and os.path.abspath(str(written)) != os.path.abspath(output_dir):
        warnings.warn(
            f"{proxy.location}: output_dir {written!r} in !obj:{proxy.name} is replaced by "
            f"the top-level output_dir ({output_dir})",
            SeleneWarning,
            stacklevel=3,
        )
    proxy.set(output_dir=output_dir)


def _sampler_features(sampler: Any) -> list[str] | None:
    for attr in ("_features", "features"):
        value = getattr(sampler, attr, None)
        if isinstance(value, Sequence) and not isinstance(value, str):
            return list(value)
    return None


class _Run:
    """State shared by the operations of one ``execute`` call."""

    def __init__(self, operations: Sequence[str], configs: Mapping[str, Any], output_dir):
        self.operations = list(operations)
        self.configs = configs
        self.output_dir = None if output_dir is None else os.fspath(output_dir)
        self.model: Any = None
        self.criterion: Any = None
        self.trainer: Any = None
        self.sampler: Any = None
        self.trained_weights: str | None = None

    def model_section(self, op: str) -> Any:
        if "model" not in self.configs:
            raise section_error(
                self.configs, "ops", f"ops includes {op!r} but the config has no `model`"
            )
        return self.configs["model"]

    def ensure_model(self, op: str) -> None:
        if self.model is None:
            self.model, self.criterion = initialize_model(self.model_section(op), train=False)

    def _after_training(self, proxy: ObjProxy) -> None:
        if self.trained_weights is not None:
            proxy.bind(trained_model_path=self.trained_weights)
        features = _sampler_features(self.sampler) if self.sampler is not None else None
        if features is not None:
            proxy.bind(features=features)

    def _build_sampler(self, op: str) -> Any:
        proxy = _proxy(self.configs, "sampler", op)
        _set_output_dir(proxy, self.output_dir)
        return instantiate(proxy)

    # -- operations ------------------------------------------------------------------------
    def train(self) -> None:
        configs = self.configs
        proxy = _proxy(configs, "train_model", "train")
        self.model, self.criterion, optim_class, optim_kwargs = initialize_model(
            self.model_section("train"), train=True, lr=configs.get("lr")
        )
        self.sampler = self._build_sampler("train")
        proxy.bind(
            model=self.model,
            data_sampler=self.sampler,
            loss_criterion=self.criterion,
            optimizer_class=optim_class,
            optimizer_kwargs=optim_kwargs,
        )
        _set_output_dir(proxy, self.output_dir)
        if "random_seed" in configs:
            proxy.bind(deterministic=True)
        if proxy.keywords.get("checkpoint_resume") is False:
            proxy.set(checkpoint_resume=None)  # "False" means "do not resume"
        self.trainer = instantiate(proxy)
        trainer_dir = proxy.keywords.get("output_dir")
        if trainer_dir is not None:
            self.trained_weights = os.path.join(os.fspath(trainer_dir), "best_model.pth.tar")
        if configs.get("load_test_set") and "evaluate" in self.operations:
            self.trainer.create_test_set()
        self.trainer.train_and_validate()

    def evaluate(self) -> None:
        configs = self.configs
        if self.trainer is not None:
            self.trainer.evaluate()
        if "evaluate_model" not in configs:
            if self.trainer is None:
                raise section_error(
                    configs,
                    "ops",
                    "ops includes 'evaluate' but the config has no `evaluate_model` (and "
                    "no `train` before it whose model could be evaluated)",
                )
            return
        if _not_main("evaluate_model"):
            return
        proxy = _proxy(configs, "evaluate_model", "evaluate")
        self.ensure_model("evaluate")
        sampler = self._build_sampler("evaluate")
        proxy.bind(model=self.model, criterion=self.criterion, data_sampler=sampler)
        _set_output_dir(proxy, self.output_dir)
        if self.sampler is None:
            self.sampler = sampler
        self._after_training(proxy)
        instantiate(proxy).evaluate()

    def analyze(self) -> None:
        configs = self.configs
        proxy = _proxy(configs, "analyze_sequences", "analyze")
        self.ensure_model("analyze")
        proxy.bind(model=self.model)
        self._after_training(proxy)
        analyzer = instantiate(proxy)
        ran = False
        if "variant_effect_prediction" in configs:
            ran = True
            vep = _mapping(configs, "variant_effect_prediction")
            files = vep.pop("vcf_files", None)
            if files is None:
                raise section_error(
                    configs,
                    "variant_effect_prediction",
                    "`variant_effect_prediction` needs `vcf_files: [file.vcf, ...]`",
                )
            for vcf in [files] if isinstance(files, str | os.PathLike) else files:
                analyzer.variant_effect_prediction(vcf, **vep)
        if "in_silico_mutagenesis" in configs:
            ran = True
            self._ism(analyzer)
        if "prediction" in configs:
            ran = True
            analyzer.get_predictions(**_mapping(configs, "prediction"))
        if "attribution" in configs:
            ran = True
            self._attribution(analyzer)
        if not ran:
            warnings.warn(
                "ops includes 'analyze' but none of prediction, variant_effect_prediction, "
                "in_silico_mutagenesis, attribution is configured: nothing was analysed",
                SeleneWarning,
                stacklevel=3,
            )

    def _attribution(self, analyzer: Any) -> None:
        """The ``attribution`` section: one file of attributions (rank 0 only under
        torchrun; ``AnalyzeSequences.attribution`` returns at once in the other ranks)."""
        section = _mapping(self.configs, "attribution")
        for key in ("input_path", "output_dir"):
            if key not in section:
                raise section_error(self.configs, "attribution", f"`attribution` needs `{key}`")
        analyzer.attribution(**section)

    def _ism(self, analyzer: Any) -> None:
        ism = _mapping(self.configs, "in_silico_mutagenesis")
        if "input_sequence" in ism and "sequence" not in ism:
            ism["sequence"] = ism.pop("input_sequence")  # the key the Selene docs use
        if "sequence" in ism:
            analyzer.in_silico_mutagenesis(**ism)
        elif "input_path" in ism:
            analyzer.in_silico_mutagenesis_from_file(**ism)
        elif "fa_files" in ism:
            files = ism.pop("fa_files")
            for path in [files] if isinstance(files, str | os.PathLike) else files:
                analyzer.in_silico_mutagenesis_from_file(path, **ism)
        else:
            raise section_error(
                self.configs,
                "in_silico_mutagenesis",
                "`in_silico_mutagenesis` needs one of `sequence` (or `input_sequence`), "
                "`input_path` or `fa_files`",
            )


def _not_main(what: str) -> bool:
    """Under torchrun, whether this rank leaves ``what`` to rank 0 (training and the
    file analyses are spread over the ranks; a separate evaluation runs in rank 0)."""
    ranks = distributed.current()
    if ranks.is_main:
        return False
    logger.debug("selene_sdk: %s runs in rank 0; %s has nothing more to do", what, ranks)
    return True


def execute(
    operations: Sequence[str], configs: Mapping[str, Any], output_dir: str | os.PathLike | None
) -> None:
    """Run ``operations`` (any of train, evaluate, analyze, in the given order).

    Parameters
    ----------
    operations
        The ``ops`` list.
    configs
        The loaded config (``!obj:`` sections as proxies; they are copied, not modified).
    output_dir
        The run directory, or None when the config has no top-level ``output_dir``.
    """
    if isinstance(operations, str):
        operations = [operations]
    unknown = [op for op in operations if op not in OPS]
    if unknown:
        raise section_error(
            configs, "ops", f"unknown operation(s) {unknown}; ops may contain {', '.join(OPS)}"
        )
    run = _Run(operations, configs, output_dir)
    for op in operations:
        logger.info("selene_sdk: running %s", op)
        getattr(run, op)()
