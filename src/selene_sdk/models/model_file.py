"""Model files and the reference architectures, with no config dependency.

:func:`load_model_module` imports a user's model file (``.py``) or package directory by
path; :data:`BUILTIN_ARCHITECTURES` names the reference architectures shipped with
selene_sdk. Reading a config's ``model:`` section (finding the class, building it, its
loss and optimizer) is :mod:`selene_sdk.config.model_section`.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from types import ModuleType

__all__ = ["BUILTIN_ARCHITECTURES", "load_model_module"]

#: Bare class names that need no ``path``: name -> defining module.
BUILTIN_ARCHITECTURES: dict[str, str] = {
    "DeeperDeepSEA": "selene_sdk.models.deeper_deepsea",
    "DeepSEA": "selene_sdk.models.deepsea",
    "DanQ": "selene_sdk.models.danq",
    "HeartENN": "selene_sdk.models.heartenn",
    "SignalCNN": "selene_sdk.models.signal_cnn",
}

_MODULE_CACHE: dict[tuple[str, float], ModuleType] = {}


def _unique_module_name(stem: str) -> str:
    name = stem if stem.isidentifier() else "selene_user_model"
    if name not in sys.modules:
        return name
    n = 1
    while f"_selene_user_model_{name}_{n}" in sys.modules:
        n += 1
    return f"_selene_user_model_{name}_{n}"


def load_model_module(path: str | os.PathLike) -> ModuleType:
    """Import a model file (``.py``) or package directory by path.

    The module is registered in ``sys.modules`` under the file's stem (or a unique variant
    when that name is taken) so classes defined there behave like ordinary ones. A file
    already loaded and unchanged is not executed again.

    Raises
    ------
    FileNotFoundError
        The path does not exist.
    ImportError
        A directory without ``__init__.py``, or the file raised while being imported.
    """
    path = os.path.abspath(os.path.expanduser(os.fspath(path)))
    if os.path.isdir(path):
        init = os.path.join(path, "__init__.py")
        if not os.path.isfile(init):
            raise ImportError(
                f"{path} is a directory without __init__.py; a model package must have one "
                "that imports the model class, criterion and get_optimizer"
            )
        target, locations = init, [path]
        stem = os.path.basename(path.rstrip(os.sep))
    elif os.path.isfile(path):
        target, locations = path, None
        stem = os.path.splitext(os.path.basename(path))[0]
    else:
        raise FileNotFoundError(2, "model file not found", path)
    key = (path, os.path.getmtime(target))
    if key in _MODULE_CACHE:
        return _MODULE_CACHE[key]
    name = _unique_module_name(stem)
    spec = importlib.util.spec_from_file_location(
        name, target, submodule_search_locations=locations
    )
    if spec is None or spec.loader is None:
        raise ImportError(f"{path} cannot be imported as a Python module")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException as exc:
        sys.modules.pop(name, None)
        raise ImportError(
            f"importing the model file {path} failed: {type(exc).__name__}: {exc}"
        ) from exc
    _MODULE_CACHE[key] = module
    return module
