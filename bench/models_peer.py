"""PyTorch peer of bench/models.js: torchvision's ResNet-18 (eval b1/b8, train step b8) with the
same shapes and timing policy (workloads.json). Prints one JSON object {workload: median_ms}.

  /usr/bin/python3 bench/models_peer.py --threads 2 [--only id1,id2]
"""
import argparse
import json
import os
import statistics
import sys
import time

ap = argparse.ArgumentParser()
ap.add_argument('--threads', type=int, default=2)
ap.add_argument('--only', default='')
args = ap.parse_args()
os.environ['OMP_NUM_THREADS'] = str(args.threads)
import torch  # noqa: E402
import torchvision  # noqa: E402

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
        if (len(times) >= T['min_iters'] and el >= T['min_s']) or (el >= T['max_s'] and len(times) >= T['max_s_min_iters']):
            break
    return statistics.median(times) * 1e3


def eval_fwd(b):
    torch.manual_seed(0)
    m = torchvision.models.resnet18().eval()
    x = torch.randn(b, 3, 224, 224)

    def f():
        with torch.no_grad():
            m(x)
    return f


def train_step(b):
    torch.manual_seed(0)
    m = torchvision.models.resnet18().train()
    x = torch.randn(b, 3, 224, 224)
    y = torch.randint(0, 1000, (b,))
    opt = torch.optim.SGD(m.parameters(), lr=0.01)

    def f():
        opt.zero_grad()
        torch.nn.functional.cross_entropy(m(x), y).backward()
        opt.step()
    return f


W = {'resnet18_eval_b1': lambda: eval_fwd(1), 'resnet18_eval_b8': lambda: eval_fwd(8),
     'resnet18_train_b8': lambda: train_step(8)}
only = set(filter(None, args.only.split(',')))
out = {'version': torch.__version__, 'threads': torch.get_num_threads(), 'results': {}}
for k, mk in W.items():
    if only and k not in only:
        continue
    out['results'][k] = bench(mk())
json.dump(out, sys.stdout)
