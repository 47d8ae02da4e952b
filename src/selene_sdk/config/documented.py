"""The documented selene_sdk names and constructor signatures, as data.

Used to tell "not implemented yet" apart from a typo when a name cannot be imported, to
suggest close names, and to check constructor keywords in a dry run even before the class
itself can be imported. Keep in step with the spec (sections 1, 4, 7, 8, 9.1).
"""

from __future__ import annotations

__all__ = ["DOCUMENTED_NAMES", "DOCUMENTED_SIGNATURES", "REQUIRED", "is_documented"]

#: module -> public names documented for it (submodules included).
DOCUMENTED_NAMES: dict[str, frozenset[str]] = {
    "selene_sdk": frozenset(
        {
            "TrainModel",
            "EvaluateModel",
            "sequences",
            "targets",
            "samplers",
            "utils",
            "predict",
            "interpret",
            "models",
            "__version__",
        }
    ),
    "selene_sdk.sequences": frozenset(
        {
            "Sequence",
            "Genome",
            "Proteome",
            "sequence_to_encoding",
            "encoding_to_sequence",
            "get_reverse_encoding",
        }
    ),
    "selene_sdk.targets": frozenset({"Target", "GenomicFeatures", "genomic_features_h5"}),
    "selene_sdk.targets.genomic_features_h5": frozenset({"GenomicFeaturesH5"}),
    "selene_sdk.samplers": frozenset(
        {
            "Sampler",
            "OnlineSampler",
            "IntervalsSampler",
            "RandomPositionsSampler",
            "MultiSampler",
            "MultiFileSampler",
            "file_samplers",
            "dataloader",
        }
    ),
    "selene_sdk.samplers.file_samplers": frozenset(
        {"FileSampler", "BedFileSampler", "MatFileSampler"}
    ),
    "selene_sdk.samplers.dataloader": frozenset(
        {
            "SamplerDataLoader",
            "H5DataLoader",
            "_H5Dataset",
            "_SamplerDataset",
            "unpackbits_sequence",
            "unpackbits_targets",
        }
    ),
    "selene_sdk.predict": frozenset({"AnalyzeSequences", "predict_handlers", "model_predict"}),
    "selene_sdk.interpret": frozenset(
        {
            "sequence_logo",
            "heatmap",
            "rescale_score_matrix",
            "variant_diffs_scatter_plot",
            "ordered_variants_and_indices",
            "sort_standard_chrs",
            "load_variant_abs_diff_scores",
            "ISMResult",
        }
    ),
    "selene_sdk.utils": frozenset(
        {
            "_is_lua_trained_model",
            "get_indices_and_probabilities",
            "initialize_logger",
            "load_features_list",
            "load_model_from_state_dict",
            "PerformanceMetrics",
            "visualize_roc_curves",
            "visualize_precision_recall_curves",
            "auc_u_test",
            "load",
            "load_path",
            "instantiate",
            "initialize_model",
            "execute",
            "load_and_parse_configs_and_run",
            "parse_configs_and_run",
            "MultiModelWrapper",
            "NonStrandSpecific",
            "DeeperDeepSEA",
            "performance_metrics",
        }
    ),
    "selene_sdk.utils.performance_metrics": frozenset(
        {
            "PerformanceMetrics",
            "compute_score",
            "visualize_roc_curves",
            "visualize_precision_recall_curves",
            "auc_u_test",
        }
    ),
}

_TRAIN = (
    "model",
    "data_sampler",
    "loss_criterion",
    "optimizer_class",
    "optimizer_kwargs",
    "batch_size",
    "max_steps",
    "report_stats_every_n_steps",
    "output_dir",
)
_ONLINE = (
    "seed",
    "validation_holdout",
    "test_holdout",
    "sequence_length",
    "center_bin_to_predict",
    "feature_thresholds",
    "mode",
    "save_datasets",
    "output_dir",
)

#: dotted class name -> (all keyword parameter names, required ones). Only consulted when the
#: class itself cannot be imported; the real signature wins otherwise.
DOCUMENTED_SIGNATURES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "selene_sdk.TrainModel": (
        (
            *_TRAIN,
            "save_checkpoint_every_n_steps",
            "save_new_checkpoints_after_n_steps",
            "report_gt_feature_n_positives",
            "n_validation_samples",
            "n_test_samples",
            "cpu_n_threads",
            "use_cuda",
            "data_parallel",
            "logging_verbosity",
            "checkpoint_resume",
            "metrics",
            "use_scheduler",
            "deterministic",
            "scheduler_kwargs",
            "stopping_criteria",
        ),
        _TRAIN,
    ),
    "selene_sdk.EvaluateModel": (
        (
            "model",
            "criterion",
            "data_sampler",
            "features",
            "trained_model_path",
            "output_dir",
            "batch_size",
            "n_test_samples",
            "report_gt_feature_n_positives",
            "use_cuda",
            "data_parallel",
            "use_features_ord",
            "metrics",
        ),
        ("model", "criterion", "data_sampler", "features", "trained_model_path", "output_dir"),
    ),
    "selene_sdk.predict.AnalyzeSequences": (
        (
            "model",
            "trained_model_path",
            "sequence_length",
            "features",
            "batch_size",
            "use_cuda",
            "data_parallel",
            "reference_sequence",
            "write_mem_limit",
        ),
        ("model", "trained_model_path", "sequence_length", "features"),
    ),
    "selene_sdk.samplers.RandomPositionsSampler": (
        ("reference_sequence", "target_path", "features", "exclude_chrs", *_ONLINE),
        ("reference_sequence", "target_path", "features"),
    ),
    "selene_sdk.samplers.IntervalsSampler": (
        (
            "reference_sequence",
            "target_path",
            "features",
            "intervals_path",
            "sample_negative",
            *_ONLINE,
        ),
        ("reference_sequence", "target_path", "features", "intervals_path"),
    ),
    "selene_sdk.samplers.MultiSampler": (
        (
            "train_sampler",
            "validate_sampler",
            "features",
            "test_sampler",
            "mode",
            "save_datasets",
            "output_dir",
        ),
        ("train_sampler", "validate_sampler", "features"),
    ),
    "selene_sdk.samplers.file_samplers.BedFileSampler": (
        (
            "filepath",
            "reference_sequence",
            "n_samples",
            "sequence_length",
            "targets_avail",
            "n_features",
        ),
        ("filepath", "reference_sequence", "n_samples"),
    ),
    "selene_sdk.samplers.file_samplers.MatFileSampler": (
        (
            "filepath",
            "sequence_key",
            "targets_key",
            "random_seed",
            "shuffle",
            "sequence_batch_axis",
            "sequence_alphabet_axis",
            "targets_batch_axis",
        ),
        ("filepath", "sequence_key"),
    ),
}

#: Shorter aliases under which the same classes are documented.
_ALIASES = {
    "selene_sdk.train_model.TrainModel": "selene_sdk.TrainModel",
    "selene_sdk.evaluate_model.EvaluateModel": "selene_sdk.EvaluateModel",
    "selene_sdk.predict.model_predict.AnalyzeSequences": "selene_sdk.predict.AnalyzeSequences",
    "selene_sdk.samplers.file_samplers.bed_file_sampler.BedFileSampler": (
        "selene_sdk.samplers.file_samplers.BedFileSampler"
    ),
    "selene_sdk.samplers.file_samplers.mat_file_sampler.MatFileSampler": (
        "selene_sdk.samplers.file_samplers.MatFileSampler"
    ),
}
for _alias, _target in _ALIASES.items():
    DOCUMENTED_SIGNATURES[_alias] = DOCUMENTED_SIGNATURES[_target]

#: Shortcut: dotted name -> required keyword names.
REQUIRED: dict[str, tuple[str, ...]] = {k: v[1] for k, v in DOCUMENTED_SIGNATURES.items()}


def is_documented(dotted: str) -> bool:
    """True if ``dotted`` (``module.Name``) is part of the documented selene_sdk interface."""
    if dotted in DOCUMENTED_SIGNATURES or dotted in DOCUMENTED_NAMES:
        return True
    module, _, name = dotted.rpartition(".")
    return name in DOCUMENTED_NAMES.get(module, frozenset())
