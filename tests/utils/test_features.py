"""load_features_list."""

from __future__ import annotations

import pytest

from selene_sdk.utils import load_features_list


def test_order_and_stripping(tmp_path):
    path = tmp_path / "f.txt"
    path.write_text("CTCF \n  DNase|K562\n\nPol2\n")
    assert load_features_list(path) == ["CTCF", "DNase|K562", "", "Pol2"]


def test_deepsea_names(request):
    from tests.conftest import shared_path

    names = load_features_list(
        shared_path(
            "data",
            "selene",
            "manuscript",
            "case2",
            "3_kipoi_export",
            "example_inputs",
            "class_names.txt",
        )
    )
    assert len(names) == 919 and len(set(names)) == 919


def test_missing(tmp_path):
    with pytest.raises(FileNotFoundError, match="nothing.txt"):
        load_features_list(tmp_path / "nothing.txt")
