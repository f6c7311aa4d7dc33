#!/usr/bin/python3
"""PyTorch side of bench/transformer.js: the same workloads, median ms as JSON on stdout.

PyTorch 1.13 has no F.scaled_dot_product_attention: its rows time the explicit
softmax(q k^T / sqrt(d)) v, which is what 1.13's nn.MultiheadAttention computes.
"""
import argparse, json, math, os, sys, time
ap = argparse.ArgumentParser()
ap.add_argument('--threads', type=int, default=2)
ap.add_argument('--only', default='')
args = ap.parse_args()
os.environ['OMP_NUM_THREADS'] = str(args.threads)
import torch
import torch.nn as nn
torch.set_num_threads(args.threads)
spec = json.load(open(os.path.join(os.path.dirname(os.path.abspath(__file__)), 'workloads.json')))['timing']


def bench(fn):
    t0, n = time.perf_counter(), 0
    while n < spec['warmup_min_iters'] or (n < spec['warmup_max_iters'] and time.perf_counter() - t0 < spec['warmup_max_s']):
        fn(); n += 1
    times, start = [], time.perf_counter()
    while True:
        t = time.perf_counter(); fn(); times.append(time.perf_counter() - t)
        el = time.perf_counter() - start
        if len(times) >= spec['min_iters'] and el >= spec['min_s']: break
        if el >= spec['max_s'] and len(times) >= spec['max_s_min_iters']: break
    times.sort()
    m = len(times) // 2
    return 1e3 * (times[m] if len(times) % 2 else (times[m - 1] + times[m]) / 2)


def sdpa(q, k, v, causal):
    s = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])
    if causal:
        L = q.shape[-2]
        s = s.masked_fill(~torch.ones(L, L, dtype=torch.bool).tril(), float('-inf'))
    return torch.softmax(s, -1) @ v


def attn(shape, backward, causal=False):
    q, k, v, g = (torch.rand(shape) for _ in range(4))
    if not backward:
        def f():
            with torch.no_grad():
                sdpa(q, k, v, causal)
        return f
    for t in (q, k, v): t.requires_grad_()
    return lambda: sdpa(q, k, v, causal).backward(g)


def layernorm():
    ln, x, g = nn.LayerNorm(512), torch.rand(1024, 512, requires_grad=True), torch.rand(1024, 512)
    return lambda: ln(x).backward(g)


def encoder(backward):
    torch.manual_seed(0)
    layer = nn.TransformerEncoderLayer(512, 8, dim_feedforward=2048, dropout=0.0, batch_first=True)
    x, g = torch.rand(8, 128, 512), torch.rand(8, 128, 512)
    if not backward:
        layer.eval()
        def f():
            with torch.no_grad():
                layer(x)
        return f
    return lambda: layer(x).backward(g)


W = {
    'sdpa128_fwd': lambda: attn((4, 8, 128, 64), False),
    'sdpa128_fwd_bwd': lambda: attn((4, 8, 128, 64), True),
    'sdpa512_fwd': lambda: attn((1, 8, 512, 64), False),
    'sdpa512_fwd_bwd': lambda: attn((1, 8, 512, 64), True),
    'sdpa512_causal_fwd_bwd': lambda: attn((1, 8, 512, 64), True, True),
    'layernorm_fwd_bwd': layernorm,
    'encoder_fwd': lambda: encoder(False),
    'encoder_fwd_bwd': lambda: encoder(True),
}
only = [x for x in args.only.split(',') if x]
out = {'_version': torch.__version__}
for k, setup in W.items():
    if only and k not in only: continue
    out[k] = bench(setup())
json.dump(out, sys.stdout)
