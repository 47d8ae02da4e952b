#!/usr/bin/env bash
# The GPU check (issue: GPUs and more than one of them). Run from the repository root on a
# machine with a CUDA device (parts 1-2 were sized for under 5 minutes; part 3 adds about 4):
#   bash benchmarks/gpu_check.sh
# 1. the gpu-marked tests; 2. our rates next to the model-only ceiling (benchmarks/gpu_check.py);
# 3. fast ISM next to naive ISM (benchmarks/gpu_fast_ism.py).
# Without CUDA it says so and exits 0.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-.venv/bin/python}
if ! "$PY" -c 'import torch, sys; sys.exit(0 if torch.cuda.is_available() else 1)'; then
    echo "gpu_check: no CUDA device here; nothing to check (run this on a GPU machine)"
    exit 0
fi
"$PY" -c 'import torch; print(torch.__version__, torch.cuda.get_device_name(0))'
"$PY" -m pytest -q -p no:cacheprovider -m gpu tests
"$PY" benchmarks/gpu_check.py "$@"
"$PY" benchmarks/gpu_fast_ism.py
