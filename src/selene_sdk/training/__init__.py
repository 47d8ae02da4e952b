"""Support for ``TrainModel``: batches from worker processes and checkpoint state."""
