#!/usr/bin/env bash
# GPU verification of the MD / flow-potential work (issue 12), < 8 minutes on one CUDA machine.
#   bash benchmarks/gpu_check.sh            (from the repository root; PY=... to pick the interpreter)
# 1. the `gpu` tests (torch CUDA vs CPU, flows and md);
# 2. OpenMM's CUDA platform: Amber, the zero-force floor and the flow potential (torch on CUDA), R = 1 and R = 10,
#    steps/s and ns/day (benchmarks/md_flow_potential.py), eager and the compiled AOTInductor route (Triton
#    kernels, compiled once per replica count into a fresh cache under $OUT, so the build time is a cold one);
#    also with the flow's torch on the CPU (AOTInductor C++ package);
# 3. flow training steps/s, CPU vs GPU (smooth flow, batch 128, NLL and NLL + force matching).
# Every part has its own timeout (30 + 110 + 170 + 90 + 70 s = 7.8 min at most), so one hang cannot eat the
# budget; the script goes on after a failure.
set -uo pipefail
PY=${PY:-python}
export PYTHONPATH=${PYTHONPATH:-.}
OUT=${OUT:-/tmp}/gpu_check
mkdir -p "$OUT"
status=0
step() { echo; echo "=== $1 ($(date -u +%T))"; }

step "environment"
timeout 30 $PY - <<'PYEOF' || status=1
import torch, openmm
print("torch", torch.__version__, "cuda", torch.version.cuda, "available", torch.cuda.is_available())
if torch.cuda.is_available():
    print("device", torch.cuda.get_device_name(0))
print("openmm", openmm.__version__, [openmm.Platform.getPlatform(i).getName() for i in range(openmm.Platform.getNumPlatforms())])
PYEOF

step "gpu tests (pytest -m gpu)"
timeout 110 $PY -m pytest -q -m gpu tests/md tests/flows tests/graphical -p no:cacheprovider 2>&1 | tail -15 || status=1

step "OpenMM CUDA platform, flow torch on CUDA (eager and aoti): Amber, zero floor, flow R=1 and R=10"
rm -rf "$OUT/aoti_cache"
timeout 170 $PY benchmarks/md_flow_potential.py --platform CUDA --device cuda --methods eager,aoti --steps 300 \
    --fast-steps 2000 --floor-steps 3000 --replicas 10 --cache-dir "$OUT/aoti_cache" 2>&1 \
    | tee "$OUT/md_cuda_cuda.txt" | tail -16 || status=1

step "OpenMM CUDA platform, flow torch on CPU (aoti)"
timeout 90 $PY benchmarks/md_flow_potential.py --platform CUDA --methods aoti --fast-steps 2000 --floor-steps 3000 \
    --replicas 10 --cache-dir "$OUT/aoti_cache" 2>&1 | tee "$OUT/md_cuda_cpu.txt" | tail -14 || status=1

step "flow training steps/s, CPU vs GPU"
timeout 70 $PY - <<'PYEOF' || status=1
import time, torch
from statgen.md import BoltzmannGenerator, pretrained_starting_frames, train_boltzmann_generator
x = torch.tensor(pretrained_starting_frames()).repeat(64, 1, 1)
x = x + 1e-3 * torch.randn_like(x)
f = torch.randn_like(x) * 50
devices = ["cpu"] + (["cuda"] if torch.cuda.is_available() else [])
for dev in devices:
    for w_fm in (0.0, 1e-3):
        torch.manual_seed(0)
        bg = BoltzmannGenerator(components=8, hidden=(64, 64), device=dev)
        train_boltzmann_generator(bg, x, f, steps=3, batch_size=128, w_fm=w_fm, progress=False)  # warm-up
        t = time.perf_counter()
        train_boltzmann_generator(bg, x, f, steps=20, batch_size=128, w_fm=w_fm, progress=False)
        if dev == "cuda":
            torch.cuda.synchronize()
        print(f"training {dev:4s} w_fm={w_fm:g}: {20 / (time.perf_counter() - t):.1f} steps/s (batch 128)")
PYEOF

echo; echo "gpu_check done ($(date -u +%T)), status $status; outputs in $OUT"
exit $status
