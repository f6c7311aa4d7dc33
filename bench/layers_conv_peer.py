#!/usr/bin/python3
"""PyTorch side of bench/layers-conv.js: the same rows, shapes and timing policy (workloads.json).

Usage: /usr/bin/python3 bench/layers_conv_peer.py --threads N [--only id1,id2] [--smoke]
Prints {id: {median_ms, ...}, '_torch': version} as JSON.
"""
import argparse, json, os, statistics, time

ap = argparse.ArgumentParser()
ap.add_argument('--threads', type=int, default=2)
ap.add_argument('--only', default='')
ap.add_argument('--smoke', action='store_true')
args = ap.parse_args()
os.environ['OMP_NUM_THREADS'] = str(args.threads)

import torch
import torch.nn.functional as F

torch.set_num_threads(args.threads)
HERE = os.path.dirname(os.path.abspath(__file__))
T = json.load(open(os.path.join(HERE, 'workloads.json')))['timing']


def bench(fn):
    t0 = time.perf_counter(); n = 0
    while n < T['warmup_min_iters'] or (n < T['warmup_max_iters'] and time.perf_counter() - t0 < T['warmup_max_s']):
        fn(); n += 1
    times = []; start = time.perf_counter()
    while True:
        t = time.perf_counter(); fn(); times.append(time.perf_counter() - t)
        el = time.perf_counter() - start
        if len(times) >= T['min_iters'] and el >= T['min_s']:
            break
        if el >= T['max_s'] and len(times) >= T['max_s_min_iters']:
            break
    return dict(median_ms=statistics.median(times) * 1e3, min_ms=min(times) * 1e3, iters=len(times))


def t(*shape, grad=False):
    return torch.randn(*shape).requires_grad_(grad)


def convT_fwd():
    x, w, b = t(8, 64, 28, 28), t(64, 32, 4, 4) / 32, t(32)
    return lambda: F.conv_transpose2d(x, w, b, stride=2, padding=1)


def convT_fwd_bwd():
    x, w, b = t(8, 64, 28, 28, grad=True), (t(64, 32, 4, 4) / 32).requires_grad_(), t(32, grad=True)
    gy = t(8, 32, 56, 56)
    return lambda: torch.autograd.grad(F.conv_transpose2d(x, w, b, stride=2, padding=1), [x, w, b], gy)


def conv1d_fwd():
    x, w, b = t(8, 64, 4000), t(64, 64, 5) / 18, t(64)
    return lambda: F.conv1d(x, w, b, padding=2)


def conv1d_fwd_bwd():
    x, w, b = t(8, 64, 4000, grad=True), (t(64, 64, 5) / 18).requires_grad_(), t(64, grad=True)
    gy = t(8, 64, 4000)
    return lambda: torch.autograd.grad(F.conv1d(x, w, b, padding=2), [x, w, b], gy)


def upsample_nearest2x():
    x = t(8, 64, 56, 56)
    return lambda: F.interpolate(x, scale_factor=2)


def upsample_bilinear2x():
    x = t(8, 64, 56, 56)
    return lambda: F.interpolate(x, scale_factor=2, mode='bilinear', align_corners=False)


def upsample_bilinear2x_bwd():
    x, gy = t(8, 64, 56, 56, grad=True), t(8, 64, 112, 112)
    return lambda: torch.autograd.grad(F.interpolate(x, scale_factor=2, mode='bilinear', align_corners=False), [x], gy)


ROWS = [convT_fwd, convT_fwd_bwd, conv1d_fwd, conv1d_fwd_bwd, upsample_nearest2x, upsample_bilinear2x,
        upsample_bilinear2x_bwd]
only = [s for s in args.only.split(',') if s]
res = {'_torch': torch.__version__}
for build in ROWS:
    if only and build.__name__ not in only:
        continue
    fn = build()
    if args.smoke:
        fn(); res[build.__name__] = {'median_ms': None}
    else:
        res[build.__name__] = bench(fn)
print(json.dumps(res))
