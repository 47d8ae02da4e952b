"""Packaged data files (ENCODE blacklists), found through ``importlib.resources``."""

from __future__ import annotations

from importlib import resources

__all__ = ["BLACKLISTS", "blacklist_path"]

#: Assembly name -> packaged ENCODE Blacklist v2 file (Amemiya et al. 2019).
BLACKLISTS: dict[str, str] = {
    "hg19": "hg19-blacklist.v2.bed",
    "hg38": "hg38-blacklist.v2.bed",
    "mm10": "mm10-blacklist.v2.bed",
}


def blacklist_path(assembly: str) -> str:
    """Path of the packaged blacklist for ``assembly`` (``"hg19"``, ``"hg38"``, ``"mm10"``)."""
    try:
        name = BLACKLISTS[assembly]
    except KeyError:
        raise ValueError(
            f"no packaged blacklist for {assembly!r}; choose one of {sorted(BLACKLISTS)} "
            "or give the path of a BED file"
        ) from None
    return str(resources.files("selene_sdk.sequences.data").joinpath(name))
