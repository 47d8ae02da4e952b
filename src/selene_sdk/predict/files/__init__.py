"""The file shell of prediction: streaming adapters from input files to output files.

Each module reads its input with a reader of :mod:`selene_sdk.io` (which also gives the
reason a record cannot be used, for the ``.NA`` file), hands the core
(:mod:`selene_sdk.predict.prediction`, :mod:`~selene_sdk.predict.effects`,
:mod:`~selene_sdk.predict.mutagenesis`) batches declared as engine steps, and writes what
comes back through :mod:`selene_sdk.predict.files.outputs`, every file atomically.

* :mod:`~selene_sdk.predict.files.predictions`: FASTA records and BED intervals;
* :mod:`~selene_sdk.predict.files.variants`: VCF variants;
* :mod:`~selene_sdk.predict.files.mutagenesis`: in silico mutagenesis of sequences.
"""
