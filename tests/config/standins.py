"""Stand-ins for TrainModel, EvaluateModel, AnalyzeSequences and samplers.

They record how the wiring calls them (constructor keywords, method calls, order) in
``CALLS`` so tests can assert the injection rules without the real engines. Their
signatures follow the documented ones (spec sections 7, 8, 9.1).
"""

from __future__ import annotations

from typing import Any

CALLS: list[tuple[str, str, Any]] = []


def reset() -> None:
    CALLS.clear()


def calls(kind: str | None = None) -> list[tuple[str, str, Any]]:
    return [c for c in CALLS if kind is None or c[0] == kind]


class FakeSampler:
    def __init__(self, features, seed=436, mode="train", save_datasets=(), output_dir=None):
        self._features = list(features)
        self.seed = seed
        self.mode = mode
        self.output_dir = output_dir
        CALLS.append(("sampler", "__init__", {"output_dir": output_dir, "seed": seed}))


class FakeFileSampler:
    def __init__(self, filepath, sequence_key, targets_key=None, shuffle=True):
        self.filepath = filepath
        CALLS.append(("file_sampler", "__init__", {"filepath": filepath}))


class FakeTrainModel:
    def __init__(
        self,
        model,
        data_sampler,
        loss_criterion,
        optimizer_class,
        optimizer_kwargs,
        batch_size,
        max_steps,
        report_stats_every_n_steps,
        output_dir,
        n_test_samples=None,
        use_cuda=False,
        checkpoint_resume=None,
        deterministic=False,
        metrics=None,
    ):
        self.kwargs = dict(locals())
        self.kwargs.pop("self")
        CALLS.append(("train", "__init__", self.kwargs))

    def create_test_set(self):
        CALLS.append(("train", "create_test_set", None))

    def train_and_validate(self):
        CALLS.append(("train", "train_and_validate", None))

    def evaluate(self):
        CALLS.append(("train", "evaluate", None))


class FakeEvaluateModel:
    def __init__(
        self,
        model,
        criterion,
        data_sampler,
        features,
        trained_model_path,
        output_dir,
        batch_size=64,
        n_test_samples=None,
        use_cuda=False,
    ):
        self.kwargs = dict(locals())
        self.kwargs.pop("self")
        CALLS.append(("evaluate", "__init__", self.kwargs))

    def evaluate(self):
        CALLS.append(("evaluate", "evaluate", None))


class FakeAnalyzeSequences:
    def __init__(
        self,
        model,
        trained_model_path,
        sequence_length,
        features,
        batch_size=64,
        use_cuda=False,
        data_parallel=False,
        reference_sequence=None,
        write_mem_limit=1500,
    ):
        self.kwargs = dict(locals())
        self.kwargs.pop("self")
        CALLS.append(("analyze", "__init__", self.kwargs))

    def get_predictions(self, input_path, output_dir=None, output_format="tsv", strand_index=None):
        CALLS.append(("analyze", "get_predictions", dict(locals(), self=None)))

    def variant_effect_prediction(
        self,
        vcf_file,
        save_data,
        output_dir=None,
        output_format="tsv",
        strand_index=None,
        require_strand=False,
    ):
        CALLS.append(("analyze", "variant_effect_prediction", dict(locals(), self=None)))

    def in_silico_mutagenesis(
        self,
        sequence,
        save_data,
        output_path_prefix="ism",
        mutate_n_bases=1,
        output_format="tsv",
        start_position=0,
        end_position=None,
    ):
        CALLS.append(("analyze", "in_silico_mutagenesis", dict(locals(), self=None)))

    def in_silico_mutagenesis_from_file(
        self,
        input_path,
        save_data,
        output_dir,
        mutate_n_bases=1,
        use_sequence_name=True,
        output_format="tsv",
        start_position=0,
        end_position=None,
    ):
        CALLS.append(("analyze", "in_silico_mutagenesis_from_file", dict(locals(), self=None)))


def make_features(n=3):
    return [f"feature{i}" for i in range(n)]
