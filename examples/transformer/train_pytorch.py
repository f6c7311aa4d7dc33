#!/usr/bin/python3
"""The model, data, split and schedule of examples/transformer/train.js, trained with PyTorch,
for comparing loss curves and timing.

Run from the repository root (reads node_modules/an-array-of-english-words/index.json):
    python3 examples/transformer/train_pytorch.py [--epochs 4] [--threads 2]
Prints the per-epoch training and validation loss (mean cross-entropy per predicted character)
and the seconds per epoch, in the same form as train.js.
"""
import argparse, json, math, os, time
import torch
import torch.nn as nn
import torch.nn.functional as F

T, IGNORE = 16, -100
p = argparse.ArgumentParser()
p.add_argument('--epochs', type=int, default=4)
p.add_argument('--batch-size', type=int, default=64)
p.add_argument('--lr', type=float, default=3e-3)
p.add_argument('--seed', type=int, default=0)
p.add_argument('--threads', type=int, default=2)
p.add_argument('--train-words', type=int, default=32000)
p.add_argument('--val-words', type=int, default=4000)
args = p.parse_args()
torch.set_num_threads(args.threads)

root = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..')
allw = [w for w in json.load(open(os.path.join(root, 'node_modules', 'an-array-of-english-words', 'index.json')))
        if len(w) < T and w.isascii() and w.isalpha() and w.islower()]
words = list(allw)
s = 1234  # the LCG Fisher-Yates of examples/transformer/data.js
for i in range(len(words) - 1, 0, -1):
    s = (s * 1664525 + 1013904223) & 0xffffffff
    j = s % (i + 1)
    words[i], words[j] = words[j], words[i]


def encode(ws):
    x = torch.zeros(len(ws), T, dtype=torch.long)
    y = torch.full((len(ws), T), IGNORE, dtype=torch.long)
    for r, w in enumerate(ws):
        c = torch.tensor([ord(ch) - 96 for ch in w])
        x[r, 1:len(w) + 1] = c
        y[r, :len(w)] = c
        y[r, len(w)] = 0
    return x, y


xtr, ytr = encode(words[:args.train_words])
xva, yva = encode(words[args.train_words:args.train_words + args.val_words])
V = 27


class CharTransformer(nn.Module):
    def __init__(self, vocab, block, d=64, heads=4, layers=2, ff=256, dropout=0.0):
        super().__init__()
        self.tok_emb = nn.Embedding(vocab, d)
        self.pos_emb = nn.Embedding(block, d)
        layer = nn.TransformerEncoderLayer(d, heads, dim_feedforward=ff, dropout=dropout, activation='gelu',
                                           batch_first=True, norm_first=True)
        self.blocks = nn.TransformerEncoder(layer, layers)
        self.ln_f = nn.LayerNorm(d)
        self.head = nn.Linear(d, vocab)

    def forward(self, idx):
        t = idx.shape[1]
        x = self.tok_emb(idx) + self.pos_emb(torch.arange(t))
        return self.head(self.ln_f(self.blocks(x, mask=nn.Transformer.generate_square_subsequent_mask(t))))


def evaluate(model, x, y, bs=500):
    model.eval()
    tot, cnt = 0.0, 0
    with torch.no_grad():
        for i in range(0, len(x), bs):
            yb = y[i:i + bs].reshape(-1)
            tot += F.cross_entropy(model(x[i:i + bs]).reshape(-1, V), yb, ignore_index=IGNORE, reduction='sum').item()
            cnt += (yb != IGNORE).sum().item()
    model.train()
    return tot / cnt


torch.manual_seed(args.seed)
model = CharTransformer(V, T)
n_params = sum(p.numel() for p in model.parameters())
steps = math.ceil(len(xtr) / args.batch_size)
print(f'torch {torch.__version__} | {torch.get_num_threads()} threads')
print(f'data: {len(xtr)} train / {len(xva)} validation words; model {n_params:,} parameters')
print(f'validation loss before training: {evaluate(model, xva, yva):.4f}')
opt = torch.optim.Adam(model.parameters(), lr=args.lr)
sched = torch.optim.lr_scheduler.OneCycleLR(opt, args.lr, epochs=args.epochs, steps_per_epoch=steps)
t_train = time.time()
for epoch in range(1, args.epochs + 1):
    e0 = time.time()
    perm = torch.randperm(len(xtr))
    tot, cnt = 0.0, 0
    for step in range(steps):
        idx = perm[step * args.batch_size:(step + 1) * args.batch_size]
        xb, yb = xtr[idx], ytr[idx].reshape(-1)
        loss = F.cross_entropy(model(xb).reshape(-1, V), yb, ignore_index=IGNORE)
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
        n = (yb != IGNORE).sum().item()
        tot += loss.item() * n
        cnt += n
    secs = time.time() - e0
    print(f'epoch {epoch}/{args.epochs} loss {tot / cnt:.4f} {round(cnt / secs)} chars/s | epoch {secs:.1f}s | '
          f'validation loss {evaluate(model, xva, yva):.4f}')
print(f'trained in {time.time() - t_train:.1f}s')
