"""Command line: ``selene run|validate|... `` and the original ``selene_sdk CONFIG [--lr]``.

Argument parsing and error presentation only. Subcommands live in their own modules, listed
in :data:`SUBCOMMANDS` and imported only when used; each module provides
``add_arguments(parser)`` and ``run(args) -> int``. A subcommand whose module is missing
reports that it is not available in this installation.

Exit codes: 0 success, 1 any error (one paragraph on stderr; the traceback only with
``--debug``), 2 command-line usage errors, 130 interrupted.
"""

from __future__ import annotations

import argparse
import contextlib
import difflib
import importlib
import logging
import os
import sys
import traceback
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from types import ModuleType

from selene_sdk._version import __version__

__all__ = ["SUBCOMMANDS", "Subcommand", "legacy_main", "main", "register_subcommand"]


@dataclass(frozen=True)
class Subcommand:
    """A ``selene`` subcommand: the module implementing it and its one-line help."""

    module: str
    help: str


#: name -> subcommand. Other packages may add entries with :func:`register_subcommand`.
SUBCOMMANDS: dict[str, Subcommand] = {
    "run": Subcommand("selene_sdk.config.run_command", "run a configuration file"),
    "validate": Subcommand(
        "selene_sdk.config.validate_command",
        "check a configuration file and report every problem, without running it",
    ),
    "plot": Subcommand("selene_sdk.interpret.plot_command", "plot analysis results"),
    "attribution-to-modisco": Subcommand(
        "selene_sdk.interpret.modisco_command",
        "write the sequences and contributions of an attribution output for modisco",
    ),
    "write-h5": Subcommand(
        "selene_sdk.config.write_h5_command",
        "write batches drawn from a config's sampler to an HDF5 file",
    ),
}


def register_subcommand(name: str, module: str, help: str) -> None:
    """Add (or replace) a subcommand implemented by ``module``."""
    SUBCOMMANDS[name] = Subcommand(module, help)


class _Unavailable(Exception):
    """The module of a subcommand cannot be imported."""


def _load(name: str) -> ModuleType:
    entry = SUBCOMMANDS[name]
    try:
        module = importlib.import_module(entry.module)
    except ImportError as exc:
        raise _Unavailable(
            f"`selene {name}` is not available in this installation: its module "
            f"{entry.module} cannot be imported ({exc})"
        ) from exc
    if not (
        callable(getattr(module, "add_arguments", None)) and callable(getattr(module, "run", None))
    ):
        raise _Unavailable(
            f"`selene {name}` is not available: {entry.module} does not provide "
            "add_arguments(parser) and run(args)"
        )
    return module


def _one_paragraph(exc: BaseException) -> str:
    from selene_sdk.config.errors import ConfigError, ConfigProblems

    if isinstance(exc, ConfigProblems):
        return str(exc)  # one line per problem is clearer than a paragraph
    if isinstance(exc, ConfigError):
        text = str(exc)
    elif isinstance(exc, OSError) and exc.filename is not None:
        text = f"{exc.strerror or type(exc).__name__}: {exc.filename}"
    else:
        text = f"{type(exc).__name__}: {exc}"
    notes = getattr(exc, "__notes__", None) or []
    text = " ".join([text, *notes])
    return " ".join(text.split())


def _report(exc: BaseException, debug: bool, prog: str) -> int:
    if debug:
        traceback.print_exception(exc)
    else:
        print(f"{prog}: error: {_one_paragraph(exc)}", file=sys.stderr)
        print(f"(run `{prog} --debug ...` to see the traceback)", file=sys.stderr)
    return 1


@contextlib.contextmanager
def _presentation() -> Iterator[None]:
    """One-line warnings on stderr and INFO messages of the ``selene`` logger on stdout."""
    import logging

    from selene_sdk.logging_utils import _CONSOLE_TAG, LOGGER_NAME

    def show(message, category, filename, lineno, file=None, line=None):
        print(f"warning: {message}", file=sys.stderr)

    logger = logging.getLogger(LOGGER_NAME)
    handler, level = None, logger.level
    if not logger.handlers:
        # Marked like initialize_logger's console handler, so it is not installed twice.
        handler = logging.StreamHandler(sys.stdout)
        handler.setFormatter(logging.Formatter("%(asctime)s - %(message)s"))
        handler.setLevel(logging.INFO)
        setattr(handler, _CONSOLE_TAG, True)
        logger.addHandler(handler)
        if logger.level == logging.NOTSET or logger.level > logging.INFO:
            logger.setLevel(logging.INFO)
    with warnings.catch_warnings():
        warnings.showwarning = show
        try:
            yield
        finally:
            if handler is not None:
                logger.removeHandler(handler)
                logger.setLevel(level)


#: Subcommands that run long work: the process (ours) is tuned for it first.
_LONG_RUNNING = frozenset({"run"})


def _dispatch(
    module: ModuleType, args: argparse.Namespace, prog: str, long_running: bool = False
) -> int:
    debug = bool(getattr(args, "debug", False))
    try:
        with _presentation():
            if long_running:
                from selene_sdk import distributed
                from selene_sdk._runtime import tune_process
                from selene_sdk.logging_utils import LOGGER_NAME

                tune_process()
                # under torchrun: join the job (NCCL on GPUs, gloo on CPUs) for the run
                with distributed.job() as ranks:
                    if not ranks.is_main:  # one copy of each log line: rank 0's
                        logging.getLogger(LOGGER_NAME).setLevel(logging.WARNING)
                    code = module.run(args)
            else:
                code = module.run(args)
    except KeyboardInterrupt:
        print(f"{prog}: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:
        return _report(exc, debug, prog)
    return int(code or 0)


def _parser(chosen: str | None) -> tuple[argparse.ArgumentParser, ModuleType | None]:
    parser = argparse.ArgumentParser(
        prog="selene",
        description="Deep learning on biological sequences, configured by one YAML file.",
    )
    parser.add_argument("--version", action="version", version=f"selene_sdk {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks of errors")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    module = None
    for name, entry in SUBCOMMANDS.items():
        subparser = sub.add_parser(name, help=entry.help, description=entry.help)
        subparser.add_argument(
            "--debug", action="store_true", default=argparse.SUPPRESS, help="show tracebacks"
        )
        if name == chosen:
            module = _load(name)
            module.add_arguments(subparser)
    return parser, module


def _command_token(argv: Sequence[str]) -> str | None:
    for token in argv:
        if token == "--":
            return None
        if not token.startswith("-"):
            return token
    return None


def main(argv: Sequence[str] | None = None) -> int:
    """``selene [--debug] COMMAND ...``; returns the exit code."""
    argv = list(sys.argv[1:] if argv is None else argv)
    token = _command_token(argv)
    if token is not None and token not in SUBCOMMANDS:
        if os.path.isfile(token):  # `selene config.yml` means `selene run config.yml`
            argv.insert(argv.index(token), "run")
            token = "run"
        else:
            close = difflib.get_close_matches(token, list(SUBCOMMANDS), n=1)
            hint = f" (did you mean `selene {close[0]}`?)" if close else ""
            print(
                f"selene: error: unknown command {token!r}{hint}; commands: "
                f"{', '.join(SUBCOMMANDS)}",
                file=sys.stderr,
            )
            return 2
    try:
        parser, module = _parser(token)
    except _Unavailable as exc:
        print(f"selene: error: {exc}", file=sys.stderr)
        return 1
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version, usage errors
        return int(exc.code or 0) if isinstance(exc.code, int) else 2
    if module is None:
        parser.print_help(sys.stderr)
        return 2
    return _dispatch(module, args, "selene", token in _LONG_RUNNING)


def legacy_main(argv: Sequence[str] | None = None) -> int:
    """``selene_sdk CONFIG [--lr LR]`` (and ``python -m selene_sdk``), as in Selene 0.6.0.

    A first argument naming a ``selene`` subcommand (and no existing file) is passed on to
    :func:`main`, so ``python -m selene_sdk validate CONFIG`` works too.
    """
    argv = list(sys.argv[1:] if argv is None else argv)
    token = _command_token(argv)
    if token in SUBCOMMANDS and not os.path.isfile(token):
        return main(argv)
    parser = argparse.ArgumentParser(
        prog="selene_sdk", description="Run a Selene configuration file."
    )
    parser.add_argument("--version", action="version", version=f"selene_sdk {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks of errors")
    module = _load("run")
    module.add_arguments(parser)
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0) if isinstance(exc.code, int) else 2
    return _dispatch(module, args, "selene_sdk", long_running=True)
