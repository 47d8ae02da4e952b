"""``selene write-h5``: its help says what each MODE draws, and only those modes are taken."""

from __future__ import annotations

from selene_sdk.cli import main


def test_mode_help_names_each_partition(capsys):
    assert main(["write-h5", "--help"]) == 0
    text = " ".join(capsys.readouterr().out.split())  # argparse wraps the help
    assert "MODE the partition to draw from: `train`" in text
    for part in ("`validate` (the validation_holdout", "`test` (test_holdout, or test_sampler"):
        assert part in text
    assert "no test partition" in text and "A file sampler serves one set and ignores MODE" in text
    assert "the file holds N_STEPS x batch size samples" in text


def test_unknown_mode_is_refused(capsys):
    assert main(["write-h5", "c.yml", "training", "3"]) == 2
    err = capsys.readouterr().err
    assert "invalid choice: 'training' (choose from 'train', 'validate', 'test')" in err
