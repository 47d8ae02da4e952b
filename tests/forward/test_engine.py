"""The batched engine: encoding, layouts, Lua models, wrappers, steps, background threads."""

from __future__ import annotations

import threading

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from selene_sdk.forward import Dense, Encode, Engine, ForwardPath, Patch, prefetch
from selene_sdk.models import MultiModelWrapper, NonStrandSpecific
from selene_sdk.models.loading import load_trained_weights
from selene_sdk.models.lua import _is_lua_trained_model as is_lua_trained_model
from selene_sdk.predict.inputs import LUA_BASES, analysis_alphabet
from selene_sdk.sequences.encoding import DNA_BASES, dna_alphabet

from ..predict.helpers import GcModel, IdentityModel, LuaIdentityModel, SmallConv


def codes(text: str) -> np.ndarray:
    return np.frombuffer(text.encode(), dtype=np.uint8).reshape(1, -1)


def ModelRunner(model, batch_size=64, bases_order=None):
    """An engine as AnalyzeSequences builds one (Lua models get AGCT columns)."""
    path = ForwardPath(model, "cpu")
    alphabet = (
        dna_alphabet(tuple(bases_order)) if bases_order else analysis_alphabet(None, path.lua)
    )
    return Engine(path, alphabet, batch_size)


class Item:
    def __init__(self, steps, tag=None):
        self.steps = steps
        self.tag = tag


def test_lua_detection():
    assert is_lua_trained_model(LuaIdentityModel())
    assert not is_lua_trained_model(IdentityModel())
    assert is_lua_trained_model(NonStrandSpecific(LuaIdentityModel()))
    assert is_lua_trained_model(MultiModelWrapper([LuaIdentityModel(), IdentityModel()]))
    assert not is_lua_trained_model(MultiModelWrapper([IdentityModel(), LuaIdentityModel()]))
    opted_out = LuaIdentityModel()
    opted_out.from_lua = False
    assert not is_lua_trained_model(opted_out)


def test_encode_and_predict_layout():
    runner = ModelRunner(IdentityModel())
    x = runner.encode(codes("ACGN"))
    assert x.shape == (1, 4, 4)
    out = runner.predict(x)
    assert out.dtype == np.float32
    np.testing.assert_array_equal(out.reshape(4, 4).T[3], [0.25] * 4)
    np.testing.assert_array_equal(out.reshape(4, 4)[:, 0], [1, 0, 0, 0])
    lua = ModelRunner(LuaIdentityModel())
    assert lua.alphabet.letters == ("A", "G", "C", "T")
    np.testing.assert_array_equal(lua.predict(lua.encode(codes("C"))), [[0, 0, 1, 0]])


def test_non_strand_specific_averages_strands():
    runner = ModelRunner(NonStrandSpecific(GcModel(), mode="mean"))
    # GC fraction is strand-symmetric; A fraction averages A (fwd) and T (reverse)
    out = runner.predict(runner.encode(codes("AAAC")))
    np.testing.assert_allclose(out, [[0.25, 0.375]])


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.binary(min_size=7, max_size=7), min_size=1, max_size=5),
    st.sampled_from([DNA_BASES, LUA_BASES]),
)
def test_encode_matches_the_numpy_encoding(rows, bases):
    """The runner's torch encoder gives exactly the alphabet's numpy encoding, for any
    bytes (lower case, N and other letters read as unknown: 1/N in every channel)."""
    alphabet = dna_alphabet(bases)
    runner = ModelRunner(IdentityModel(), bases_order=bases)
    codes = np.frombuffer(b"".join(rows), dtype=np.uint8).reshape(len(rows), 7)
    np.testing.assert_array_equal(runner.encode(codes), alphabet.encode_channels_first(codes))
    index, unknown = alphabet.column_indices(codes)
    assert unknown == bool((alphabet.index_table[codes] < 0).any())
    out = runner.buffer((len(rows), 4, 7))
    got = runner.encode_indices(index, out, None)
    assert got is out
    np.testing.assert_array_equal(got, alphabet.encode_channels_first(codes))


def test_encode_of_unknown_letters_by_hand():
    runner = ModelRunner(IdentityModel())
    x = runner.encode(codes("aNc-"))
    np.testing.assert_array_equal(x[0].T, [[1, 0, 0, 0], [0.25] * 4, [0, 1, 0, 0], [0.25] * 4])


def test_output_width_reports_bad_length():
    runner = ModelRunner(SmallConv(length=40, n_features=3))
    assert runner.output_width(40) == 3
    with pytest.raises(ValueError, match="cannot run on sequences of length 30") as info:
        runner.output_width(30)
    # conv k=5 without padding: 6 * (L - 4) inputs to the linear layer, so only L = 40 fits
    assert "the model expects input length 40, not 30: its layer linear takes 216 inputs" in (
        str(info.value)
    )


def test_model_input_error_says_what_length_the_model_expects():
    from selene_sdk.forward.engine import ModelInputError
    from selene_sdk.predict import predict

    with pytest.raises(ModelInputError) as info:
        predict(SmallConv(length=40), np.zeros((2, 52, 4), np.float32))
    message = str(info.value)
    assert "shape (2, 4, 52)" in message and "mat1 and mat2" in message
    assert message.endswith(
        "the model expects input length 40, not 52: its layer linear takes 216 inputs"
    )


def test_tuple_output_is_rejected():
    class Pair(nn.Module):
        def forward(self, x):
            return x.mean(dim=2), x.mean(dim=2)

    with pytest.raises(TypeError, match="tuple"):
        ModelRunner(Pair()).predict(np.zeros((1, 4, 3), np.float32))


def test_batch_size_validation():
    with pytest.raises(ValueError, match="batch_size"):
        ModelRunner(IdentityModel(), batch_size=0)


def test_load_trained_weights(tmp_path):
    source = SmallConv()
    path = tmp_path / "w.pth"
    torch.save({"state_dict": NonStrandSpecific(source).state_dict()}, path)
    target = SmallConv()
    load_trained_weights(target, str(path))
    for a, b in zip(source.parameters(), target.parameters()):
        assert torch.equal(a, b)
    multi = MultiModelWrapper([SmallConv(), SmallConv()])
    torch.save(source.state_dict(), tmp_path / "a.pth")
    load_trained_weights(multi, [str(tmp_path / "a.pth"), str(tmp_path / "a.pth")])
    assert torch.equal(multi.sub_models[1].conv.weight, source.conv.weight)
    with pytest.raises(ValueError, match="2 sub-models"):
        load_trained_weights(multi, [str(tmp_path / "a.pth")])
    with pytest.raises(ValueError, match="MultiModelWrapper"):
        load_trained_weights(SmallConv(), [str(tmp_path / "a.pth")])
    with pytest.raises(ValueError, match="path or a list"):
        load_trained_weights(SmallConv(), 3)


def test_prefetch_order_errors_and_early_stop():
    assert list(prefetch(iter(range(50)), depth=2)) == list(range(50))

    def failing():
        yield 1
        raise KeyError("boom")

    with pytest.raises(KeyError, match="boom"):
        list(prefetch(failing()))

    produced = []

    def endless():
        i = 0
        while True:
            produced.append(i)
            yield i
            i += 1

    stream = prefetch(endless(), depth=2)
    assert next(stream) == 0
    stream.close()
    assert not any(t.name == "selene-prefetch" for t in threading.enumerate())
    assert len(produced) < 10


@pytest.mark.parametrize("background", [True, False])
def test_run_consumes_predictions_in_order(background):
    runner = ModelRunner(GcModel(), batch_size=2)
    items = [Item([Encode(codes=c), Encode(codes=c)]) for c in [codes("GGCC"), codes("AATT")] * 20]
    out = []
    runner.run(items, lambda item, preds: out.append((item, preds)), background=background)
    assert [o[0] is i for o, i in zip(out, items)] == [True] * 40
    np.testing.assert_allclose(out[0][1][0], [[1.0, 0.0]])
    np.testing.assert_allclose(out[39][1][1], [[0.0, 0.5]])


def test_run_reraises_consumer_errors():
    runner = ModelRunner(GcModel(), batch_size=2)
    seen = []

    def consume(item, preds):
        seen.append(item)
        if len(seen) == 3:
            raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        runner.run((Item([Encode(codes=codes("ACGT"))]) for _ in range(50)), consume)
    assert len(seen) == 3
    assert not any(t.name.startswith("selene-") for t in threading.enumerate())


def test_non_strand_specific_lua_model_gets_4d_input():
    runner = ModelRunner(NonStrandSpecific(LuaIdentityModel(), mode="mean"))
    assert runner.path.lua and runner.alphabet.letters == ("A", "G", "C", "T")
    x = runner.encode(codes("AAGC"))
    out = runner.predict(x).reshape(4, 4)
    expected = (x[0] + x[0][::-1, ::-1]) / 2  # AGCT columns: complement = reversed channels
    np.testing.assert_allclose(out, expected)


def test_background_threads_only_when_cores_are_free(monkeypatch):
    import selene_sdk.forward.engine as runner_module

    runner = ModelRunner(IdentityModel())
    monkeypatch.setattr(runner_module.os, "sched_getaffinity", lambda pid: {0, 1, 2, 3})
    monkeypatch.setattr(runner_module.torch, "get_num_threads", lambda: 4)
    assert runner.wants_background() is False  # the model keeps every core busy
    monkeypatch.setattr(runner_module.torch, "get_num_threads", lambda: 2)
    assert runner.wants_background() is True
    runner.path.on_cpu = False  # a GPU: the CPU is free while the model runs
    monkeypatch.setattr(runner_module.torch, "get_num_threads", lambda: 4)
    assert runner.wants_background() is True


def test_release_only_recycles_buffers_it_lent():
    """An array that was not handed out by buffer() (or was already released) is never
    recycled, even if it gets the id of a lent buffer that was dropped (ids of freed
    objects are reused: a set of ids once let a live array into the pool)."""
    import gc

    runner = ModelRunner(IdentityModel())
    lent = runner.buffer((2, 4, 8))
    runner.release(lent)
    runner.release(lent)  # a second release is ignored
    assert runner.buffer((2, 4, 8)) is lent
    assert runner.buffer((2, 4, 8)) is not lent
    for _ in range(20):
        dropped = runner.buffer((3, 4, 8))
        del dropped  # never released
        gc.collect()
        stranger = np.empty((3, 4, 8), dtype=np.float32)
        runner.release(stranger)
        assert runner.buffer((3, 4, 8)) is not stranger


def test_inputs_go_back_to_the_pool_after_their_item():
    runner = ModelRunner(GcModel(), batch_size=2)
    first = Encode(codes=codes("ACGT"))
    second = Dense(np.eye(4, dtype=np.float32)[None, [2, 2, 2, 2]])  # GGGG
    seen = []
    runner.run([Item([first, second])], lambda item, preds: seen.append(preds), background=False)
    np.testing.assert_allclose(seen[0][0], [[0.5, 0.25]])
    np.testing.assert_allclose(seen[0][1], [[1.0, 0.0]])
    # inline, the second step reused the first one's buffer; once the item was predicted it
    # went back to the pool
    assert second.x is first.x
    assert runner.buffer((1, 4, 4)) is first.x


@pytest.mark.parametrize("background", [True, False])
def test_patch_changes_cells_of_the_previous_input(background):
    runner = ModelRunner(IdentityModel(), batch_size=2)
    ref = Encode(codes=np.frombuffer(b"AAAACCCC", np.uint8).reshape(2, 4))
    # row 1, position 2: C -> T (flat positions of every channel of that cell)
    flat = (1 * 16 + 2) + np.arange(4) * 4
    alt = Patch(ref, flat[None, :], np.array([[0, 0, 0, 1]], np.float32), Encode(codes=None))
    seen = []
    runner.run([Item([ref, alt])], lambda item, preds: seen.append(preds), background=background)
    ref_pred, alt_pred = (p.reshape(2, 4, 4).transpose(0, 2, 1) for p in seen[0])
    np.testing.assert_array_equal(ref_pred[1, 2], [0, 1, 0, 0])
    np.testing.assert_array_equal(alt_pred[1, 2], [0, 0, 0, 1])
    np.testing.assert_array_equal(
        np.delete(alt_pred[1], 2, axis=0), np.delete(ref_pred[1], 2, axis=0)
    )
    np.testing.assert_array_equal(alt_pred[0], ref_pred[0])


def test_a_model_that_changes_its_input_gets_inputs_built_afresh():
    class Clobber(nn.Module):
        def forward(self, x):
            out = x.flatten(1).clone()
            x.zero_()  # in place: our buffer must not be patched afterwards
            return out

    runner = ModelRunner(Clobber(), batch_size=1)
    alt_codes = np.frombuffer(b"AC", np.uint8).reshape(1, 2)
    ref = Encode(codes=np.frombuffer(b"AA", np.uint8).reshape(1, 2))
    flat = 1 + np.arange(4) * 2
    alt = Patch(ref, flat[None, :], np.array([[0, 1, 0, 0]], np.float32), Encode(codes=alt_codes))
    seen = []
    runner.run([Item([ref, alt])], lambda item, preds: seen.append(preds), background=False)
    assert runner.modifies_inputs
    np.testing.assert_array_equal(seen[0][1].reshape(4, 2).T, [[1, 0, 0, 0], [0, 1, 0, 0]])


class Pointers(nn.Module):
    """Identity that records the memory address of every input it is given."""

    def __init__(self):
        super().__init__()
        self.scale = nn.Parameter(torch.ones(1))
        self.seen: list[int] = []

    def forward(self, x):
        self.seen.append(x.data_ptr())
        return (x * self.scale).flatten(1)


@pytest.mark.parametrize("background", [False, True])
def test_template_batches_change_their_cells_and_set_them_back(background):
    from selene_sdk.forward import Template, TemplateBatch, flat_cells

    model = Pointers()
    runner = ModelRunner(model, batch_size=2)
    template = runner.encode(codes("ACG"), out=np.empty((1, 4, 3), np.float32))[0].copy()
    tmpl = Template(runner, template)
    # batch 1: row 0 A->T at 0, row 1 C->A at 1; batch 2 (one row): G->C at 2
    cells = [
        (np.array([0, 1]), np.array([0, 1]), np.array([[0, 0, 0, 1], [1, 0, 0, 0]], np.float32)),
        (np.array([0]), np.array([2]), np.array([[0, 1, 0, 0]], np.float32)),
    ]
    steps = []
    for rows, cols, values in cells:
        flat = flat_cells(rows, cols, 4, 3)
        restore = template[:, cols].T
        steps.append(TemplateBatch(tmpl, flat, values, restore, len(rows)))
    seen = []
    runner.run([Item(steps)], lambda item, preds: seen.append(preds), background=background)
    tmpl.close()
    first, second = (p.reshape(-1, 4, 3).transpose(0, 2, 1) for p in seen[0])
    assert runner.alphabet.decode(first[0]) == "TCG"
    assert runner.alphabet.decode(first[1]) == "AAG"
    assert runner.alphabet.decode(second[0]) == "ACC"
    if not background:  # built right before each pass: one buffer serves every batch
        assert len(set(model.seen)) == 1
    # every buffer went back with its cells set back to the template
    work = runner.buffer((2, 4, 3))
    np.testing.assert_array_equal(work, np.broadcast_to(template, (2, 4, 3)))
