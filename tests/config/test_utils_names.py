"""selene_sdk.utils: documented names, the logger set-up and sampling weights."""

from __future__ import annotations

import logging
import subprocess
import sys

import numpy as np
import pytest

import selene_sdk.utils as utils
from selene_sdk.logging_utils import initialize_logger

DOCUMENTED = [
    "_is_lua_trained_model",
    "get_indices_and_probabilities",
    "initialize_logger",
    "load_features_list",
    "load_model_from_state_dict",
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
]


@pytest.mark.parametrize("name", DOCUMENTED)
def test_documented_name_importable(name):
    assert callable(getattr(utils, name))
    assert name in utils.__all__


def test_original_module_paths():
    from selene_sdk.utils.config import instantiate, load, load_path  # noqa: F401
    from selene_sdk.utils.config_utils import execute, initialize_model  # noqa: F401
    from selene_sdk.utils.multi_model_wrapper import MultiModelWrapper  # noqa: F401
    from selene_sdk.utils.non_strand_specific_module import NonStrandSpecific  # noqa: F401
    from selene_sdk.utils.utils import get_indices_and_probabilities  # noqa: F401


def test_importing_utils_and_config_does_not_import_torch():
    code = "import sys, selene_sdk.utils, selene_sdk.config.loader; print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


@pytest.fixture
def clean_logger():
    logger = logging.getLogger("selene")
    saved = list(logger.handlers), logger.level
    logger.handlers.clear()
    yield logger
    for handler in logger.handlers:
        handler.close()
    logger.handlers[:] = saved[0]
    logger.setLevel(saved[1])


def test_initialize_logger_each_call_gets_its_own_file(tmp_path, clean_logger):
    train_log = tmp_path / "train" / "selene_sdk.train_model.log"
    eval_log = tmp_path / "selene_sdk.evaluate_model.log"
    logger = initialize_logger(train_log, verbosity=2)
    logger.debug("training detail")
    initialize_logger(eval_log, verbosity=1)
    logger.debug("hidden at INFO")
    logger.info("evaluation result")
    initialize_logger(eval_log, verbosity=1)  # same file again: no duplicate handler
    logger.info("once")
    train_text, eval_text = train_log.read_text(), eval_log.read_text()
    assert "DEBUG - training detail" in train_text and "evaluation result" not in train_text
    assert "INFO - evaluation result" in eval_text and "hidden" not in eval_text
    assert eval_text.count("once") == 1
    files = [h for h in logger.handlers if isinstance(h, logging.FileHandler)]
    consoles = [h for h in logger.handlers if not isinstance(h, logging.FileHandler)]
    assert len(files) == 1 and len(consoles) == 1
    assert logger.level == logging.INFO


def test_initialize_logger_rejects_bad_verbosity(tmp_path, clean_logger):
    with pytest.raises(ValueError, match="verbosity must be 0, 1 or 2"):
        initialize_logger(tmp_path / "x.log", verbosity=3)


def test_get_indices_and_probabilities():
    f = utils.get_indices_and_probabilities
    indices, probs = f([10, 0, 30, -5, 60], [0, 1, 2, 4])
    assert indices == [0, 2, 4]
    np.testing.assert_allclose(probs, [0.1, 0.3, 0.6])
    indices, probs = f(np.array([1e-12, 1.0, 1.0]), [0, 1, 2])
    assert indices == [1, 2]
    np.testing.assert_allclose(probs, [0.5, 0.5])
    indices, probs = f([4, 4], [1, 0])
    assert indices == [1, 0]
    np.testing.assert_allclose(probs, [0.5, 0.5])
    indices, probs = f([0, 0], [0, 1])  # nothing to sample from: an empty partition
    assert indices == [] and len(probs) == 0
