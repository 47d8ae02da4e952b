"""Samplers over fixed files of examples: BED windows (``BedFileSampler``) and ``.mat``/HDF5
arrays (``MatFileSampler``)."""

from selene_sdk.samplers.file_samplers.bed_file_sampler import BedFileSampler
from selene_sdk.samplers.file_samplers.file_sampler import FileSampler
from selene_sdk.samplers.file_samplers.mat_file_sampler import MatFileSampler

__all__ = ["BedFileSampler", "FileSampler", "MatFileSampler"]
