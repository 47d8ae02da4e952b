"""The shell commands in README.md, docs/ and the examples' READMEs run as written.

Convention (docs/testing.md): a fenced block whose info string is ``bash runnable`` runs, as
written, from the root of a checkout after ``make demo`` (``.venv/`` installed,
``demo_output/`` present). :func:`test_runnable_block_runs` runs each such block with
``bash -e`` in a temporary copy of that layout (the demo's outputs come from one
``--quick`` demo run per session) and checks the files it names with ``-o``.

Every other shell block (``bash``, ``sh``, ``shell``) needs the reader's own files, the
network or a long run; its commands are still checked without running them
(:func:`test_shell_commands_parse`): ``selene`` / ``selene_sdk`` / ``python -m selene_sdk``
command lines go through the real argument parsers, ``python -m selene_sdk.demo`` through
the demo's, ``make`` lines through ``make -n``, scripts and the virtualenv's programs must
be where the line says.
"""

from __future__ import annotations

import contextlib
import io
import itertools
import os
import re
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from selene_sdk import cli
from selene_sdk.demo.__main__ import build_parser as demo_parser
from tests.conftest import REPO
from tests.demo.quick_run import quick_demo_output

DOC_FILES = sorted(
    [
        REPO / "README.md",
        *(REPO / "docs").glob("*.md"),
        *(REPO / "examples").glob("**/README.md"),
    ]
)
FENCE = re.compile(r"^```(bash|sh|shell)([^\n]*)\n(.*?)^```", re.M | re.S)
SEPARATORS = {"&&", "||", ";", "|"}
PYTHONS = {"python", "python3", "python3.11"}


@dataclass(frozen=True)
class Block:
    path: Path
    line: int  # first line inside the fence
    runnable: bool
    text: str

    @property
    def where(self) -> str:
        return f"{self.path.relative_to(REPO)}:{self.line}"


def shell_blocks() -> list[Block]:
    blocks = []
    for path in DOC_FILES:
        text = path.read_text(encoding="utf-8")
        for match in FENCE.finditer(text):
            words = match.group(2).split()
            line = text.count("\n", 0, match.start()) + 2
            blocks.append(Block(path, line, "runnable" in words, match.group(3)))
    return blocks


def commands(text: str) -> list[list[str]]:
    """The simple commands of a shell block: continuations joined, comments dropped, split at
    newlines, ``&&``, ``||``, ``;`` and ``|``; leading ``NAME=value`` assignments removed."""
    found = []
    for line in text.replace("\\\n", " ").splitlines():
        lexer = shlex.shlex(line, posix=True, punctuation_chars=";&|")
        lexer.whitespace_split = True
        lexer.commenters = "#"
        current: list[str] = []
        for token in lexer:
            if token in SEPARATORS:
                found.append(current)
                current = []
            else:
                current.append(token)
        found.append(current)
    result = []
    for argv in found:
        while argv and re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*=\S*", argv[0]):
            argv = argv[1:]
        if argv:
            result.append(argv)
    return result


def block_commands(block: Block) -> list[list[str]]:
    return commands(block.text)


BLOCKS = shell_blocks()
RUNNABLE = [b for b in BLOCKS if b.runnable]


# -- checking a command line without running it ---------------------------------------------


def _parse_selene(argv: list[str], legacy: bool, monkeypatch) -> tuple[int, str]:
    """Exit status and stderr of the real ``selene`` (or ``selene_sdk``) parser on ``argv``;
    the chosen subcommand is not run."""
    monkeypatch.setattr(cli, "_dispatch", lambda *args, **kwargs: 0)
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        status = (cli.legacy_main if legacy else cli.main)(argv)
    return status, err.getvalue()


def _venv_program(program: str, cwds: list[Path]) -> str | None:
    """For ``.venv/bin/NAME`` or ``../../.venv/bin/NAME``: NAME, after checking that the path
    leads to this checkout's ``.venv`` from one of ``cwds``; None for a bare program name."""
    if "/" not in program:
        return None
    targets = [Path(os.path.normpath(cwd / program)) for cwd in cwds]
    assert any(t.parent == REPO / ".venv" / "bin" for t in targets), (
        f"{program} does not lead to the checkout's .venv/bin from {', '.join(map(str, cwds))}"
    )
    return targets[0].name


def check_command(argv: list[str], cwds: list[Path], monkeypatch) -> list[Path]:
    """Assert that ``argv`` would start correctly from one of the directories ``cwds`` (the
    checkout's root and the page's directory, at first); return the directories after it."""
    program = argv[0]
    name = _venv_program(program, cwds) or program
    if name == "cd":
        targets = [Path(os.path.normpath(cwd / argv[1])) for cwd in cwds]
        found = [t for t in targets if t.is_dir()]
        # demo_output/ is the one directory a page may cd into before `make demo` made it
        assert found or argv[1] == "demo_output", f"cd {argv[1]}: no such directory"
        return found or [cwds[0] / argv[1]]
    if name in PYTHONS:
        rest = argv[1:]
        if rest[:2] == ["-m", "selene_sdk"]:
            status, err = _parse_selene(rest[2:], legacy=True, monkeypatch=monkeypatch)
            assert status == 0, err
        elif rest[:2] == ["-m", "selene_sdk.demo"]:
            demo_parser().parse_args(rest[2:])
        elif rest[:1] == ["-m"]:
            pass  # pip and other modules: not ours to check
        else:
            script = rest[0]
            assert any((cwd / script).is_file() for cwd in cwds), (
                f"script {script} not found from {', '.join(map(str, cwds))}"
            )
        return cwds
    if name in ("selene", "selene_sdk"):
        status, err = _parse_selene(argv[1:], legacy=name == "selene_sdk", monkeypatch=monkeypatch)
        assert status == 0, err
        return cwds
    if name == "make":
        if shutil.which("make") is None:
            pytest.skip("make is not installed")
        result = subprocess.run(
            ["make", "-n", *argv[1:]], cwd=REPO, capture_output=True, text=True, check=False
        )
        assert result.returncode == 0, result.stderr
    return cwds


@pytest.mark.parametrize("block", BLOCKS, ids=lambda b: b.where)
def test_shell_commands_parse(block, monkeypatch):
    cwds = [REPO] if block.path.parent == REPO else [REPO, block.path.parent]
    for argv in block_commands(block):
        try:
            cwds = check_command(argv, cwds, monkeypatch)
        except (AssertionError, SystemExit) as exc:
            raise AssertionError(f"{block.where}: `{shlex.join(argv)}`: {exc}") from None


def test_the_readme_has_runnable_blocks():
    readme = [b for b in RUNNABLE if b.path == REPO / "README.md"]
    assert len(readme) >= 1
    programs = {shlex.join(argv[:3]) for b in RUNNABLE for argv in block_commands(b)}
    assert ".venv/bin/selene plot ism" in programs, programs


def test_commands_split_as_the_shell_would():
    text = (
        "cd demo_output && ../.venv/bin/selene validate demo.yml   # check\n"
        ".venv/bin/selene plot ism a.tsv \\\n    --feature X -o 'my file.png'\n"
        "TORCH_INDEX=u make demo; echo done\n"
    )
    assert commands(text) == [
        ["cd", "demo_output"],
        ["../.venv/bin/selene", "validate", "demo.yml"],
        [".venv/bin/selene", "plot", "ism", "a.tsv", "--feature", "X", "-o", "my file.png"],
        ["make", "demo"],
        ["echo", "done"],
    ]


def test_a_wrong_option_fails_the_parse_check(monkeypatch):
    argv = ["selene", "plot", "ism", "x.tsv", "--colour", "red"]
    with pytest.raises(AssertionError, match="unrecognized arguments: --colour"):
        check_command(argv, [REPO], monkeypatch)
    with pytest.raises(AssertionError, match="not found"):
        check_command(["python", "no_such_script.py"], [REPO], monkeypatch)
    with pytest.raises(AssertionError, match="does not lead to"):
        check_command(["../.venv/bin/selene", "--version"], [REPO], monkeypatch)


# -- the Makefile's torch index ---------------------------------------------------------------


def _dry_run(*variables: str) -> list[str]:
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    result = subprocess.run(
        ["make", "-n", "-B", "PYTHON=python3", *variables, "venv"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.splitlines()


def test_make_installs_torch_from_the_configured_index_by_default():
    lines = _dry_run()
    torch = [line for line in lines if '"torch==' in line]
    assert torch == ['.venv/bin/python -m pip install --quiet "torch==2.13.0"'], lines


def test_make_torch_index_applies_to_torch_only():
    url = "https://download.pytorch.org/whl/cpu"
    lines = _dry_run(f"TORCH_INDEX={url}")
    torch = [line for line in lines if '"torch==' in line]
    assert torch == [f'.venv/bin/python -m pip install --quiet --index-url {url} "torch==2.13.0"']
    package = [line for line in lines if "-e " in line]
    assert package and all("--index-url" not in line for line in package), lines


# -- running the runnable blocks --------------------------------------------------------------


@pytest.fixture(scope="module")
def checkout(tmp_path_factory):
    """A directory laid out like a checkout after ``make demo``: links to the repository's
    files and its virtualenv, and a private copy of a quick demo run as ``demo_output/``."""
    venv = Path(sys.prefix)
    if not (venv / "bin" / "selene").exists():
        pytest.skip(f"the tests do not run from a virtualenv with `selene` ({venv})")
    demo = quick_demo_output(tmp_path_factory)
    root = tmp_path_factory.mktemp("checkout")
    for name in ("src", "tests", "tools", "docs", "examples", "pyproject.toml", "Makefile"):
        (root / name).symlink_to(REPO / name)
    (root / ".venv").symlink_to(venv)
    return root, demo


def _output_files(block: Block, root: Path) -> list[Path]:
    """The files a block's commands name with ``-o`` / ``--output``, where they will be."""
    cwd, outputs = root, []
    for argv in block_commands(block):
        if argv[0] == "cd":
            cwd = cwd / argv[1]
        for flag, value in itertools.pairwise(argv):
            if flag in ("-o", "--output"):
                outputs.append(cwd / value)
    return outputs


@pytest.mark.parametrize("block", RUNNABLE, ids=lambda b: b.where)
def test_runnable_block_runs(block, checkout, tmp_path):
    root, demo = checkout
    work = tmp_path / "checkout"
    shutil.copytree(root, work, symlinks=True)
    shutil.copytree(demo, work / "demo_output")
    result = subprocess.run(
        ["bash", "-e", "-o", "pipefail", "-c", block.text],
        cwd=work,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, f"{block.where}\n{result.stdout}\n{result.stderr}"
    for output in _output_files(block, work):
        assert output.is_file() and output.stat().st_size > 0, f"{block.where}: no {output}"
        if output.suffix == ".png":
            assert output.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", output
        if output.suffix == ".html":
            assert "<html" in output.read_text(encoding="utf-8").lower(), output
