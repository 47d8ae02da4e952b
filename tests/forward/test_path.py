"""The one forward path: layout, the Lua axis, placement and handing the model back."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn

from selene_sdk.errors import SeleneWarning
from selene_sdk.forward import ForwardPath, as_output_array, model_device, to_model_layout
from selene_sdk.sequences.encoding import encode_many

from ..predict.helpers import IdentityModel, LuaIdentityModel


def test_to_model_layout_numpy_and_torch():
    x = encode_many(["ACGT", "NNAC"])  # (2, 4, 4) positions x letters
    out = to_model_layout(x)
    assert out.flags.c_contiguous and out.dtype == np.float32
    np.testing.assert_array_equal(out[0], np.eye(4))  # channel c holds letter c
    np.testing.assert_array_equal(out[1][:, 0], [0.25] * 4)
    t = to_model_layout(torch.from_numpy(x.astype(np.float64)))
    assert t.dtype == torch.float32 and t.is_contiguous()
    np.testing.assert_array_equal(t.numpy(), out)


def test_predict_takes_encodings_and_adds_the_lua_axis():
    x = encode_many(["ACG"])
    path = ForwardPath(IdentityModel())
    np.testing.assert_array_equal(path.predict(x).reshape(4, 3), x[0].T)
    lua = ForwardPath(LuaIdentityModel())  # asserts it sees (B, A, 1, L)
    assert lua.lua
    np.testing.assert_array_equal(lua.predict(x).reshape(4, 3), x[0].T)
    assert not ForwardPath(LuaIdentityModel(), lua=False).lua  # training's choice


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(4, 4), nn.Dropout(0.5))
        self.head = nn.Linear(4, 1)

    def forward(self, x):
        return self.head(self.body(x.mean(dim=2)))


def test_inference_sets_eval_mode_and_restores_every_module_mode():
    model = Net()
    model.train()
    model.head.eval()  # a mixed state must come back as it was
    path = ForwardPath(model)
    with path.inference():
        assert not any(m.training for m in model.modules())
        a = path.predict(np.ones((2, 5, 4), np.float32))
        b = path.predict(np.ones((2, 5, 4), np.float32))
    np.testing.assert_array_equal(a, b)  # dropout off
    assert model.training and model.body.training and not model.head.training
    with pytest.raises(KeyError), path.inference():
        raise KeyError("boom")
    assert model.training and not model.head.training


class Mover(nn.Module):
    """Records the devices it is moved to (and stays on the CPU)."""

    def __init__(self):
        super().__init__()
        self.w = nn.Parameter(torch.zeros(1))
        self.moves: list[str] = []

    def to(self, *args, **kwargs):
        self.moves.append(str(args[0]))
        return self


def test_inference_moves_to_the_device_and_back(monkeypatch):
    import selene_sdk.forward.path as path_module

    model = Mover()
    path = ForwardPath(model, "cuda:0")
    monkeypatch.setattr(path_module, "model_device", lambda m: torch.device("cpu"))
    with path.inference():
        assert model.moves == ["cuda:0"]
    assert model.moves == ["cuda:0", "cpu"]
    same = Mover()
    with ForwardPath(same).inference():  # no device given: where the model is
        pass
    assert same.moves == []


def test_model_device_and_data_parallel_warning():
    assert model_device(nn.Linear(2, 2)) == torch.device("cpu")
    assert model_device(nn.ReLU()) == torch.device("cpu")
    model = IdentityModel()
    with pytest.warns(SeleneWarning, match="data_parallel"):
        path = ForwardPath(model, "cpu", data_parallel=True)
    assert path.module is model
    with pytest.raises(TypeError, match="nn.Module"):
        ForwardPath(lambda x: x)


def test_as_output_array_flattens_and_converts():
    out = as_output_array(torch.ones(2, 3, 1, dtype=torch.float64))
    assert out.shape == (2, 3) and out.dtype == np.float32
    with pytest.raises(TypeError, match="tuple"):
        as_output_array((torch.ones(1, 1), torch.ones(1, 1)))
