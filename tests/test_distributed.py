"""Training under torchrun: 2 CPU processes with gloo (tests/distributed_job.py)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import warnings

import numpy as np
import pytest
import torch
import torch.distributed as dist

from selene_sdk import distributed
from selene_sdk.errors import SeleneWarning
from selene_sdk.forward import to_model_layout
from selene_sdk.models.loading import load_checkpoint
from tests.conftest import REPO
from tests.distributed_job import fingerprint, make_trainer
from tests.training_helpers import MotifSampler, TinyCNN

JOB = REPO / "tests" / "distributed_job.py"

needs_gloo = pytest.mark.skipif(
    not (dist.is_available() and dist.is_gloo_available()), reason="torch.distributed with gloo"
)


#: Failures of the launcher itself, not of our code: such a launch is retried once.
_LAUNCHER_TROUBLE = ("Address already in use", "RendezvousConnectionError", "terminate called")


def _launch(command, cwd=None) -> subprocess.CompletedProcess:
    env = os.environ | {"OMP_NUM_THREADS": "1", "SELENE_SDK_PROGRESS": "0"}
    for attempt in range(2):
        done = subprocess.run(
            command, cwd=cwd, env=env, capture_output=True, text=True, timeout=600
        )
        if done.returncode == 0 or not any(t in done.stderr for t in _LAUNCHER_TROUBLE):
            break
        print(f"torchrun launch {attempt + 1} failed in the launcher:\n{done.stderr[-2000:]}")
    return done


def torchrun(out_dir, steps: int, resume=None, n: int = 2) -> list[dict]:
    """Run the job in ``n`` processes; each rank's record."""
    command = [sys.executable, "-m", "torch.distributed.run", "--standalone"]
    command += [f"--nproc_per_node={n}", str(JOB), str(out_dir), str(steps)]
    if resume is not None:
        command.append(str(resume))
    done = _launch(command)
    assert done.returncode == 0, done.stderr[-3000:]
    parent = os.path.dirname(os.path.abspath(out_dir))
    records = []
    for rank in range(n):
        with open(os.path.join(parent, f"rank{rank}.json")) as handle:
            records.append(json.load(handle))
    return records


@pytest.fixture(scope="module")
def four_steps(tmp_path_factory):
    root = tmp_path_factory.mktemp("ddp")
    return root / "run", torchrun(root / "run", 4)


def test_contiguous_share_covers_everything_in_order():
    for n in (0, 1, 5, 7, 100):
        for world in (1, 2, 3, 8):
            shares = [
                distributed.contiguous_share(n, distributed.Ranks(r, world)) for r in range(world)
            ]
            assert [i for share in shares for i in share] == list(range(n))
            assert max(map(len, shares)) - min(map(len, shares)) <= 1


def test_outside_torchrun_is_rank_0_of_1():
    ranks = distributed.current()
    assert (ranks.rank, ranks.world_size, ranks.is_main) == (0, 1, True)
    assert distributed.all_gather("x") == ["x"]
    assert distributed.broadcast(5) == 5


@needs_gloo
def test_each_rank_trains_on_its_own_stream(four_steps):
    _, (r0, r1) = four_steps
    assert (r0["world_size"], r1["world_size"]) == (2, 2)
    assert len(r0["batches"]) == len(r1["batches"]) == 4
    assert not set(r0["batches"]) & set(r1["batches"])
    # rank r's step s is the sampler's batch s * 2 + r: as one process would see them
    sampler = MotifSampler(seed=3)
    for rank, record in enumerate((r0, r1)):
        for step, got in enumerate(record["batches"]):
            seqs, targets = sampler.sample_for_step(step * 2 + rank, 8)
            x = torch.from_numpy(to_model_layout(seqs))
            assert got == pytest.approx(fingerprint(x, torch.from_numpy(targets)), rel=1e-12)


@needs_gloo
def test_checkpoint_loads_in_one_process_and_gathered_validation_matches(four_steps):
    run, (r0, r1) = four_steps
    checkpoint = load_checkpoint(str(run / "checkpoint.pth.tar"))
    assert not any(key.startswith("module.") for key in checkpoint["state_dict"])
    assert checkpoint["selene_sdk"]["world_size"] == 2
    model = TinyCNN()
    model.load_state_dict(checkpoint["state_dict"])  # strict
    model.eval()
    batches, targets = MotifSampler(seed=3).get_validation_set(8, 50)
    with torch.inference_mode():
        single = np.concatenate(
            [model(torch.from_numpy(to_model_layout(s))).numpy() for s, _ in batches]
        )
    loss = float(torch.nn.BCELoss()(torch.from_numpy(single), torch.from_numpy(targets)))
    for record in (r0, r1):  # every rank got all 50 rows, in order
        np.testing.assert_allclose(record["validation_predictions"], single, rtol=0, atol=1e-6)
        assert record["validation_loss"] == pytest.approx(loss, abs=1e-6)
    # rank 0 alone wrote the logs: one header + one line per report
    lines = (run / "selene_sdk.train_model.validation.txt").read_text().splitlines()
    assert len(lines) == 3 and lines[0].startswith("loss")


@needs_gloo
def test_resume_with_the_same_world_size_is_exact(four_steps, tmp_path):
    run, (r0, r1) = four_steps
    torchrun(tmp_path / "first", 2)
    resumed = torchrun(tmp_path / "second", 4, resume=tmp_path / "first" / "checkpoint.pth.tar")
    assert [r["batches"] for r in resumed] == [r0["batches"][2:], r1["batches"][2:]]
    whole = load_checkpoint(str(run / "checkpoint.pth.tar"))["state_dict"]
    again = load_checkpoint(str(tmp_path / "second" / "checkpoint.pth.tar"))["state_dict"]
    assert whole.keys() == again.keys()
    for key in whole:
        assert torch.equal(whole[key], again[key]), key


@needs_gloo
def test_another_world_size_resumes_with_a_warning(four_steps, tmp_path):
    run, _ = four_steps
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        trainer = make_trainer(str(tmp_path), 6, str(run / "checkpoint.pth.tar"))
    messages = [str(w.message) for w in caught if issubclass(w.category, SeleneWarning)]
    assert any("2 process(es), this run has 1" in m for m in messages), messages
    assert trainer.step == 4


@needs_gloo
def test_torchrun_runs_a_config_unchanged(tmp_path_factory, tmp_path):
    """``torchrun -m selene_sdk CONFIG``: the demo's config (shortened), 2 processes."""
    import shutil

    from tests.demo.quick_run import quick_demo_output

    demo = quick_demo_output(tmp_path_factory)
    work = tmp_path / "demo"
    shutil.copytree(demo, work, ignore=shutil.ignore_patterns("results"))
    text = (work / "demo.yml").read_text()
    for key, value in (("max_steps", 8), ("report_stats_every_n_steps", 4)):
        text = "\n".join(
            f"  {key}: {value}" if line.strip().startswith(f"{key}:") else line
            for line in text.splitlines()
        )
    text = text.replace("n_test_samples: 1500", "n_test_samples: 256")
    (work / "demo.yml").write_text(text + "\n")
    command = [sys.executable, "-m", "torch.distributed.run", "--standalone"]
    command += ["--nproc_per_node=2", "-m", "selene_sdk", "demo.yml"]
    done = _launch(command, cwd=work)
    assert done.returncode == 0, done.stderr[-3000:]
    results = work / "results"
    for name in ("best_model.pth.tar", "test_performance.txt", "configuration.yml"):
        assert (results / name).is_file(), name
    assert (results / "variants" / "variants_abs_diffs.tsv").is_file()
    assert done.stdout.count("selene: done") == 1  # rank 0 alone reports
    checkpoint = load_checkpoint(str(results / "best_model.pth.tar"))
    assert not any(k.startswith("module.") for k in checkpoint["state_dict"])
    assert len((results / "selene_sdk.train_model.validation.txt").read_text().splitlines()) == 3


# -- analysis in shards ----------------------------------------------------------------------
ANALYSIS_JOB = REPO / "tests" / "distributed_analysis_job.py"


def _torchrun_analysis(data, out, mode: str = "") -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "torch.distributed.run", "--standalone"]
    command += ["--nproc_per_node=2", str(ANALYSIS_JOB), str(data), str(out)]
    command += [mode] if mode else []
    env = os.environ | {"OMP_NUM_THREADS": "1", "SELENE_SDK_PROGRESS": "0"}
    if mode != "crash":
        return _launch(command)
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=600)


def _tree(root) -> dict[str, bytes]:
    root = str(root)
    found = {}
    for directory, _, names in os.walk(root):
        for name in names:
            path = os.path.join(directory, name)
            found[os.path.relpath(path, root)] = open(path, "rb").read()
    return found


@pytest.fixture(scope="module")
def analysis_inputs(tmp_path_factory):
    from tests.distributed_analysis_job import analyses, write_inputs

    root = tmp_path_factory.mktemp("shards")
    write_inputs(str(root / "data"))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SeleneWarning)
        analyses(str(root / "data"), str(root / "one"))  # one process: the reference
    return root


@needs_gloo
def test_two_ranks_write_exactly_the_files_of_one_process(analysis_inputs, tmp_path):
    done = _torchrun_analysis(analysis_inputs / "data", tmp_path / "two")
    assert done.returncode == 0, done.stderr[-3000:]
    one, two = _tree(analysis_inputs / "one"), _tree(tmp_path / "two")
    assert len(one) == 25  # TSV, HDF5, row labels, .NA, annotated VCF, ISM per record
    assert sorted(two) == sorted(one)  # no shard directory left behind
    for name in one:
        assert two[name] == one[name], name


@needs_gloo
def test_a_killed_sharded_run_redoes_only_the_unfinished_shards(analysis_inputs, tmp_path):
    out = tmp_path / "two"
    crashed = _torchrun_analysis(analysis_inputs / "data", out, "crash")
    assert crashed.returncode != 0
    root = out / "fa-tsv" / ".selene-shards-records.fa"
    assert (root / "0-of-2" / ".done.json").is_file() and (root / "1-of-2" / ".done.json").is_file()
    assert not (out / "fa-tsv" / "records_predictions.tsv").exists()  # nothing looks complete
    (root / "1-of-2" / ".done.json").unlink()  # as if rank 1 had been killed mid-shard
    done = _torchrun_analysis(analysis_inputs / "data", out, "count")
    assert done.returncode == 0, done.stderr[-3000:]
    work = [json.loads((out / f"work-{r}.json").read_text())["n"] for r in (0, 1)]
    assert work == [7, 8]  # rank 0 skipped its finished shard of records.fa; rank 1 redid it
    for r in (0, 1):
        (out / f"work-{r}.json").unlink()
    one, two = _tree(analysis_inputs / "one"), _tree(out)
    assert sorted(two) == sorted(one)
    for name in one:
        assert two[name] == one[name], name
