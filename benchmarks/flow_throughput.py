"""Throughput of the smooth mixture transformer: forward (+ log-det) vs root-finding inverse, and
forward speed against zuko's rational-quadratic spline at the same component count.

Part 1 sweeps batch (128 … 65536) × dimension (2 … 2048) of one elementwise transformer layer
(K components, random conditioner outputs as a trained layer would produce), timing

    forward:  (y, log F'(x)) = F(x; θ)              inverse:  x = F⁻¹(y; θ) to 1e-6 (float32)

and reports elements per second and the inverse/forward cost ratio (target ≤ 10). Grid points with
batch·dim above ``--max-elements`` are skipped (memory: K floats per element and intermediate).
Part 2 times the forward pass of zuko's ``MonotonicRQSTransform`` on the same elements and K.

    python benchmarks/flow_throughput.py [--quick] [--device cuda] [--threads 1]

The last line is ``ratio statgen/peer: X`` = statgen smooth forward time / zuko RQ-spline forward
time at batch 8192 × dim 64 (smooth transformers do more work per element: K smooth sigmoids
against one spline bin).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import measure, print_ratio, print_table  # noqa: E402

from statgen.flows import RQSplineTransformer, SmoothMixtureTransformer  # noqa: E402

MIN_TIME = 0.25  # seconds of timed runs per case: best-of-many for the millisecond cases


def _sync(device):
    if torch.device(device).type == "cuda":
        torch.cuda.synchronize()


def smooth_case(batch, dim, K, device, dtype, seed=0):
    tr = SmoothMixtureTransformer("circle", dim, K).to(device)
    g = torch.Generator(device=device).manual_seed(seed)
    raw = torch.randn(batch, dim, tr.params_per_dim, generator=g, device=device, dtype=dtype)
    x = torch.rand(batch, dim, generator=g, device=device, dtype=dtype)
    return tr, raw, x


def time_smooth(batch, dim, K, device, dtype, repeat):
    tr, raw, x = smooth_case(batch, dim, K, device, dtype)
    with torch.no_grad():
        params = tr.prepare(raw)  # the conditioner's work is shared by both directions
        y, _ = tr.evaluate(x, *params)

        def fwd():
            out = tr.evaluate(x, *params)
            _sync(device)
            return out

        def inv():
            out = tr.solve(y, params)  # includes folding the mixture constants for the solver
            _sync(device)
            return out

        t_f, m_f, _ = measure(fwd, repeat=repeat, min_time=MIN_TIME)
        t_i, m_i, (xb, iters) = measure(inv, repeat=repeat, min_time=MIN_TIME)
        err = float((xb - x).abs().max())
    return t_f, t_i, iters, err, max(m_f, m_i)


def time_zuko(batch, dim, K, device, dtype, repeat):
    import zuko

    g = torch.Generator(device=device).manual_seed(0)
    w, h = (torch.randn(batch, dim, K, generator=g, device=device, dtype=dtype) for _ in range(2))
    d = torch.randn(batch, dim, K - 1, generator=g, device=device, dtype=dtype)
    x = 2 * torch.rand(batch, dim, generator=g, device=device, dtype=dtype) - 1
    with torch.no_grad():
        def fwd():
            t = zuko.transforms.MonotonicRQSTransform(w, h, d, bound=1.0)  # includes knot construction
            out = t.call_and_ladj(x)
            _sync(device)
            return out

        t_z, m_z, _ = measure(fwd, repeat=repeat, min_time=MIN_TIME)
    return t_z, m_z


def time_own_spline(batch, dim, K, device, dtype, repeat):
    tr = RQSplineTransformer("circle", dim, K)
    g = torch.Generator(device=device).manual_seed(0)
    raw = torch.randn(batch, dim, tr.params_per_dim, generator=g, device=device, dtype=dtype)
    x = torch.rand(batch, dim, generator=g, device=device, dtype=dtype)
    with torch.no_grad():
        def fwd():
            out = tr(x, raw)
            _sync(device)
            return out

        return measure(fwd, repeat=repeat, min_time=MIN_TIME)[:2]


def time_flow(batch, dim, K, device, dtype, repeat):
    """A whole SmoothFlow (4 coupling layers, conditioners 64-64, mixed circle/interval domains)."""
    from statgen.flows import SmoothFlow

    torch.manual_seed(0)
    flow = SmoothFlow(["circle", "interval"] * (dim // 2), layers=4, components=K, device=device, dtype=dtype)
    with torch.no_grad():
        for p in flow.parameters():  # away from the zero-initialised identity
            p.add_(0.1 * torch.randn_like(p))
        x = torch.rand(batch, flow.dim, device=device, dtype=dtype)
        z, _ = flow(x)

        def fwd():
            out = flow(x)
            _sync(device)
            return out

        def inv():
            out = flow.inverse(z)
            _sync(device)
            return out

        t_f = measure(fwd, repeat=repeat, min_time=MIN_TIME)[0]
        t_i, _, (xb, _) = measure(inv, repeat=repeat, min_time=MIN_TIME)
    return t_f, t_i, float((xb - x).abs().max())


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="a small sweep (seconds)")
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--threads", type=int, default=1, help="torch intra-op threads on CPU")
    ap.add_argument("--components", type=int, default=8)
    ap.add_argument("--max-elements", type=int, default=None, help="skip batch*dim above this")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args(argv)
    torch.set_num_threads(args.threads)
    dev, dt, K = args.device, torch.float32, args.components
    gpu = torch.device(dev).type == "cuda"
    max_el = args.max_elements or (2**26 if gpu else 2**20)
    batches = [128, 1024, 8192, 65536]
    dims = [2, 16, 128, 2048]
    if args.quick:
        batches, dims, max_el = [128, 4096], [2, 64], min(max_el, 2**18)
    print(f"device={dev} threads={torch.get_num_threads()} dtype=float32 K={K} tol=1e-6 "
          f"(timings on a shared 2-core machine are inflated by contention)")

    rows = []
    for b in batches:
        for d in dims:
            if b * d > max_el:
                continue
            t_f, t_i, iters, err, mib = time_smooth(b, d, K, dev, dt, args.repeat)
            rows.append({"batch": b, "dim": d, "fwd_s": t_f, "inv_s": t_i, "fwd_Melem/s": b * d / t_f / 1e6,
                         "inv_Melem/s": b * d / t_i / 1e6, "inv/fwd": t_i / t_f, "iters": iters,
                         "max|x-x̂|": err, "peak MiB": mib})
    print_table(rows)
    ratios = [r["inv/fwd"] for r in rows]
    print(f"inverse/forward cost ratio: median {sorted(ratios)[len(ratios) // 2]:.3g}, "
          f"max {max(ratios):.3g} (target <= 10)")

    flow_rows = []
    for fb, fd in ([(1024, 2), (1024, 16)] if args.quick else [(1024, 2), (8192, 2), (1024, 60), (8192, 60)]):
        t_f, t_i, err = time_flow(fb, fd, K, dev, dt, args.repeat)
        flow_rows.append({"flow batch": fb, "dim": fd, "fwd_s": t_f, "inv_s": t_i, "inv/fwd": t_i / t_f,
                          "max|x-x̂|": err})
    print("whole SmoothFlow (4 coupling layers, conditioner 64-64):")
    print_table(flow_rows)

    b, d = (4096, 64) if args.quick else (8192, 64)
    t_s, _, _, _, m_s = time_smooth(b, d, K, dev, dt, args.repeat)
    t_own, m_own = time_own_spline(b, d, K, dev, dt, args.repeat)
    peer = []
    try:
        t_z, m_z = time_zuko(b, d, K, dev, dt, args.repeat)
    except ImportError:
        print("zuko not installed (pip install 'statgen[bench]'): no peer comparison")
        return
    peer.append({"transform": f"statgen SmoothMixture (K={K}) fwd+logdet", "batch": b, "dim": d, "s": t_s, "peak MiB": m_s})
    peer.append({"transform": f"statgen RQ spline (K={K}) fwd+logdet", "batch": b, "dim": d, "s": t_own, "peak MiB": m_own})
    peer.append({"transform": f"zuko MonotonicRQS (K={K}) fwd+ladj", "batch": b, "dim": d, "s": t_z, "peak MiB": m_z})
    print_table(peer)
    print_ratio(t_s, t_z)


if __name__ == "__main__":
    main()
