"""Reference architectures: layer layout, state-dict names, shapes, losses, optimizers."""

from __future__ import annotations

import pytest
import torch

from selene_sdk.models import (
    DanQ,
    DeeperDeepSEA,
    DeepSEA,
    HeartENN,
    danq,
    deeper_deepsea,
    deepsea,
    heartenn,
)

# Parameter names and shapes of Selene 0.6.0's DeeperDeepSEA(1000, 5), read from a model
# built with the original package: checkpoints trained there must load here.
SELENE_DEEPER_DEEPSEA_1000_5 = {
    "conv_net.0.weight": (320, 4, 8),
    "conv_net.0.bias": (320,),
    "conv_net.2.weight": (320, 320, 8),
    "conv_net.2.bias": (320,),
    "conv_net.5.weight": (320,),
    "conv_net.5.bias": (320,),
    "conv_net.5.running_mean": (320,),
    "conv_net.5.running_var": (320,),
    "conv_net.5.num_batches_tracked": (),
    "conv_net.6.weight": (480, 320, 8),
    "conv_net.6.bias": (480,),
    "conv_net.8.weight": (480, 480, 8),
    "conv_net.8.bias": (480,),
    "conv_net.11.weight": (480,),
    "conv_net.11.bias": (480,),
    "conv_net.11.running_mean": (480,),
    "conv_net.11.running_var": (480,),
    "conv_net.11.num_batches_tracked": (),
    "conv_net.13.weight": (960, 480, 8),
    "conv_net.13.bias": (960,),
    "conv_net.15.weight": (960, 960, 8),
    "conv_net.15.bias": (960,),
    "conv_net.17.weight": (960,),
    "conv_net.17.bias": (960,),
    "conv_net.17.running_mean": (960,),
    "conv_net.17.running_var": (960,),
    "conv_net.17.num_batches_tracked": (),
    "classifier.0.weight": (5, 42240),
    "classifier.0.bias": (5,),
    "classifier.2.weight": (5,),
    "classifier.2.bias": (5,),
    "classifier.2.running_mean": (5,),
    "classifier.2.running_var": (5,),
    "classifier.2.num_batches_tracked": (),
    "classifier.3.weight": (5, 5),
    "classifier.3.bias": (5,),
}


def test_deeper_deepsea_matches_selene_state_dict_layout():
    state = DeeperDeepSEA(1000, 5).state_dict()
    assert {k: tuple(v.shape) for k, v in state.items()} == SELENE_DEEPER_DEEPSEA_1000_5
    assert list(state) == list(SELENE_DEEPER_DEEPSEA_1000_5)


@pytest.mark.parametrize(
    ("length", "positions"),
    # c = floor((floor((L-14)/4) - 14)/4) - 14, by hand: 1000 -> 44, 310 -> 1, 2000 -> 106
    [(1000, 44), (310, 1), (2000, 106)],
)
def test_deeper_deepsea_flattened_size(length, positions):
    model = DeeperDeepSEA(length, 2)
    assert model.classifier[0].in_features == 960 * positions


def test_deepsea_layout():
    model = DeepSEA(1000, 919)
    # c = floor((floor((1000-7)/4) - 7)/4) - 7 = floor((248 - 7)/4) - 7 = 60 - 7 = 53
    assert model.classifier[0].in_features == 960 * 53
    convs = [m for m in model.conv_net if isinstance(m, torch.nn.Conv1d)]
    assert [(c.in_channels, c.out_channels, c.kernel_size[0]) for c in convs] == [
        (4, 320, 8),
        (320, 480, 8),
        (480, 960, 8),
    ]
    drops = [m.p for m in model.conv_net if isinstance(m, torch.nn.Dropout)]
    assert drops == [0.2, 0.2, 0.5]


def test_danq_layout_and_lstm_runs_along_sequence():
    model = DanQ(1000, 3).eval()
    # floor((1000 - 25) / 13) = 75 positions of 640 LSTM outputs
    assert model.classifier[1].in_features == 75 * 640
    lstm = model.bdlstm[0]
    assert lstm.bidirectional and lstm.batch_first and lstm.hidden_size == 320
    # Batch items are independent: the LSTM recurs over positions, not over the batch.
    model = DanQ(200, 3).eval()
    x = torch.rand(3, 4, 200)
    with torch.inference_mode():
        together = model(x)
        alone = torch.cat([model(x[i : i + 1]) for i in range(3)])
    torch.testing.assert_close(together, alone)


def test_heartenn_layout_and_max_norm():
    model = HeartENN(1000, 4)
    convs = [m for m in model.conv_net if isinstance(m, torch.nn.Conv1d)]
    assert [c.out_channels for c in convs] == [60, 60, 80, 80, 240, 240]
    assert [m.p for m in model.conv_net if isinstance(m, torch.nn.Dropout)] == [0.4, 0.6]
    with torch.no_grad():
        for layer in model.modules():
            if isinstance(layer, torch.nn.Conv1d | torch.nn.Linear):
                layer.weight.mul_(10)
    model.eval()
    with torch.inference_mode():
        model(torch.rand(2, 4, 1000))
    for layer in model.modules():
        if isinstance(layer, torch.nn.Conv1d | torch.nn.Linear):
            norms = layer.weight.detach().reshape(layer.weight.shape[0], -1).norm(dim=1)
            assert norms.max() <= 0.9 + 1e-5


@pytest.mark.parametrize("cls", [DeeperDeepSEA, DeepSEA, DanQ, HeartENN])
def test_forward_shapes_and_probabilities(cls):
    model = cls(1000, 6).eval()
    with torch.inference_mode():
        y = model(torch.rand(2, 4, 1000))
    assert y.shape == (2, 6)
    assert bool(((y >= 0) & (y <= 1)).all())


@pytest.mark.parametrize("cls", [DeeperDeepSEA, DeepSEA, DanQ, HeartENN])
def test_too_short_sequence_is_a_clear_error(cls):
    with pytest.raises(ValueError, match="too short for this architecture"):
        cls(20, 3)


@pytest.mark.parametrize(
    ("module", "optimizer", "kwargs"),
    [
        (deeper_deepsea, torch.optim.SGD, {"lr": 0.1, "weight_decay": 1e-6, "momentum": 0.9}),
        (deepsea, torch.optim.SGD, {"lr": 0.1, "weight_decay": 1e-6, "momentum": 0.9}),
        (heartenn, torch.optim.SGD, {"lr": 0.1, "weight_decay": 1e-6, "momentum": 0.9}),
        (danq, torch.optim.RMSprop, {"lr": 0.1}),
    ],
)
def test_criterion_and_optimizer(module, optimizer, kwargs):
    assert isinstance(module.criterion(), torch.nn.BCELoss)
    assert module.get_optimizer(0.1) == (optimizer, kwargs)


def test_documented_utils_paths():
    from selene_sdk.utils import DeeperDeepSEA as FromUtils
    from selene_sdk.utils.example_model import DeeperDeepSEA as FromExample
    from selene_sdk.utils.example_model import criterion, get_optimizer

    assert FromUtils is FromExample is DeeperDeepSEA
    assert isinstance(criterion(), torch.nn.BCELoss)
    assert get_optimizer(0.5)[0] is torch.optim.SGD
