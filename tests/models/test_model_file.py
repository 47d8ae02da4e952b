"""Model files loaded by path, state dicts of wrapped models, Lua-trained model detection."""

from __future__ import annotations

import sys

import pytest
import torch

from selene_sdk.models import (
    DeeperDeepSEA,
    DeepSEA,
    MultiModelWrapper,
    NonStrandSpecific,
    StateDictMismatchError,
    _is_lua_trained_model,
    load_model_from_state_dict,
    load_model_module,
)


def test_module_name_clash_and_caching(tmp_path):
    clash = tmp_path / "json.py"  # same stem as a stdlib module
    clash.write_text("VALUE = 1\n")
    module = load_model_module(clash)
    assert module.VALUE == 1
    import json

    assert sys.modules["json"] is json  # the stdlib module is not shadowed
    assert load_model_module(clash) is module  # unchanged file: not executed again


# -- state dicts of wrapped models --------------------------------------------------------------
def _tiny():
    torch.manual_seed(0)
    return torch.nn.Sequential(
        torch.nn.Conv1d(4, 3, 3), torch.nn.Flatten(), torch.nn.Linear(3 * 8, 2)
    )


@pytest.mark.parametrize(
    ("save_wrap", "load_wrap"),
    [
        ("plain", "nss"),
        ("nss", "plain"),
        ("dataparallel", "plain"),
        ("dataparallel_nss", "nss"),
        ("plain", "dataparallel_nss"),
    ],
)
def test_state_dict_prefixes_matched_by_name(save_wrap, load_wrap):
    def wrap(model, how):
        if how == "nss":
            return NonStrandSpecific(model)
        if how == "dataparallel":
            return torch.nn.DataParallel(model)
        if how == "dataparallel_nss":
            return torch.nn.DataParallel(NonStrandSpecific(model))
        return model

    source = wrap(_tiny(), save_wrap)
    checkpoint = {"state_dict": source.state_dict(), "step": 3}
    target_inner = torch.nn.Sequential(
        torch.nn.Conv1d(4, 3, 3), torch.nn.Flatten(), torch.nn.Linear(3 * 8, 2)
    )
    target = wrap(target_inner, load_wrap)
    load_model_from_state_dict(checkpoint, target)
    for a, b in zip(_tiny().state_dict().values(), target_inner.state_dict().values()):
        torch.testing.assert_close(a, b)


def test_state_dict_mismatch_is_reported_not_ignored():
    state = _tiny().state_dict()
    state.pop("2.bias")
    state["extra.weight"] = torch.zeros(1)
    with pytest.raises(
        StateDictMismatchError, match=r"missing keys: 2.bias.*unexpected keys: extra.weight"
    ):
        load_model_from_state_dict(state, _tiny())


def test_shape_mismatch_is_explained_and_leaves_the_model_unchanged():
    trained = DeepSEA(1000, 3)
    model = DeepSEA(500, 3)
    before = {k: v.clone() for k, v in model.state_dict().items()}
    with pytest.raises(StateDictMismatchError) as info:
        load_model_from_state_dict(trained.state_dict(), model)
    message = str(info.value)
    # DeepSEA's classifier takes 960 * 53 inputs at length 1000 and 960 * 22 at 500
    assert "classifier.0.weight [3, 50880] vs [3, 21120]" in message
    assert "classifier.0 takes 50880 inputs in the checkpoint but 21120 in this model" in message
    assert "trained for another input length" in message
    for key, value in model.state_dict().items():
        torch.testing.assert_close(value, before[key])  # nothing half-loaded


def test_same_count_but_reordered_keys_load_by_name():
    """Selene renamed keys positionally when counts matched; names must decide."""
    model = DeeperDeepSEA(310, 2)
    state = model.state_dict()
    reordered = dict(reversed(list(state.items())))
    target = DeeperDeepSEA(310, 2)
    load_model_from_state_dict(reordered, target)
    for key, value in state.items():
        torch.testing.assert_close(target.state_dict()[key], value)


# -- Lua-trained model detection -----------------------------------------------------------------
def test_is_lua_trained_model():
    conv2d = torch.nn.Sequential(torch.nn.Conv2d(4, 2, (1, 3)))
    assert _is_lua_trained_model(conv2d) is True
    assert conv2d.from_lua is True
    assert _is_lua_trained_model(DeeperDeepSEA(310, 2)) is False
    assert _is_lua_trained_model(NonStrandSpecific(torch.nn.Sequential(torch.nn.Conv2d(4, 2, 1))))
    multi = MultiModelWrapper(
        [torch.nn.Sequential(torch.nn.Conv2d(4, 2, 1)), torch.nn.Linear(2, 2)]
    )
    assert _is_lua_trained_model(multi)
    multi = MultiModelWrapper(
        [torch.nn.Linear(2, 2), torch.nn.Sequential(torch.nn.Conv2d(4, 2, 1))]
    )
    assert not _is_lua_trained_model(multi)  # only the first sub-model is looked at


class _RunsCode:
    def __reduce__(self):
        import os

        return (os.system, ("echo this must never run",))


class _Custom:
    pass


def test_refused_checkpoint_names_the_global_and_never_advises_unsafe_loading(tmp_path):
    from selene_sdk.models.loading import load_checkpoint

    evil = tmp_path / "evil.pth"
    torch.save({"state_dict": {}, "x": _RunsCode()}, evil)
    custom = tmp_path / "custom.pth"
    torch.save({"state_dict": {}, "x": _Custom()}, custom)
    for path, name in ((evil, "posix.system"), (custom, f"{__name__}._Custom")):
        with pytest.raises(ValueError) as info:
            load_checkpoint(path)
        message = str(info.value)
        assert message.startswith(f"{path}: refused: the checkpoint refers to the Python object")
        assert f"object {name}," in message
        assert "weights_only=False" not in message and "weights_only` set to `False" not in message
        assert "will likely succeed" not in message


def test_unreadable_checkpoint_says_so_without_torch_advice(tmp_path):
    from selene_sdk.models.loading import load_checkpoint

    text = tmp_path / "notes.txt"
    text.write_text("# not a checkpoint\n")
    truncated = tmp_path / "cut.pth"
    torch.save({"w": torch.zeros(10)}, truncated)
    truncated.write_bytes(truncated.read_bytes()[:60])
    for path in (text, truncated):
        with pytest.raises(ValueError, match="cannot be read as a PyTorch checkpoint") as info:
            load_checkpoint(path)
        assert "weights_only" not in str(info.value)
