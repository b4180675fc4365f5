#!/usr/bin/env python3
"""Write a SATA activity trace from a PyTorch SNN through forward and backward hooks.

The trace format is packages/trace/ACTIVITY-FORMAT.md: plain MessagePack, one value after
another. Per layer and time step it holds
  - "spikes": the layer's output (LIF spikes; for the output layer its current I), taken by
    a forward hook on the layer's LIF module (the output layer: on its Linear);
  - "grads": the gradient of the loss with respect to the layer's GEMM output I (= the
    membrane gradient du the hardware's BP and WG GEMMs read), taken by a full backward
    hook on the layer's Linear module (grad_output[0]).
The modules run once per time step, so a forward hook sees steps 0..T-1 in order and a
backward hook sees them in reverse.

The network is the simulator's zoo network "mlp" (fc 64->128, fc 128->64, out 64->10, LIF
with leak 0.9 and threshold 1, direct coding, loss on the mean output current) with the
simulator's neuron (docs/model.md, reference/torch_reference.py): reset to zero,
u[t] = leak * u[t-1] * (1 - s[t-1]) + I[t] with the reset factor constant in the backward
pass, and the triangle surrogate ds/du = max(0, 1 - |u - threshold| / threshold), so
  sata simulate --network mlp -T 4 --batch 2 --activity tools/fixtures/mlp-torch.activity
replays the trace. Any other PyTorch SNN works the same way: hook its layers, and name the
layers as the simulated network does.

Usage: python3 tools/pytorch_activity.py OUT [--steps 4] [--batch 2] [--seed 1]
                                            [--encoding bitmap|counts|mixed]
Requires torch, numpy and msgpack (Debian: python3-torch python3-msgpack).
"""
import argparse
import os

import msgpack
import numpy as np
import torch
from torch import nn

LEAK = 0.9
THRESHOLD = 1.0
BLOCK = 8  # neurons per block for "counts": the rows of the default 8x16 array


class SpikeFn(torch.autograd.Function):
    """Heaviside spike with the simulator's triangle surrogate gradient."""

    @staticmethod
    def forward(ctx, u):
        ctx.save_for_backward(u)
        return (u >= THRESHOLD).to(u.dtype)

    @staticmethod
    def backward(ctx, grad):
        (u,) = ctx.saved_tensors
        return grad * torch.clamp(1.0 - (u - THRESHOLD).abs() / THRESHOLD, min=0.0)


class Lif(nn.Module):
    """Leaky integrate-and-fire, one time step per call; reset to zero (the simulator's neuron)."""

    def __init__(self):
        super().__init__()
        self.u = None
        self.s = None

    def reset(self):
        self.u = None
        self.s = None

    def forward(self, current):
        # The reset factor (1 - s[t-1]) is a constant in the backward pass, as in the simulator.
        u = current if self.u is None else LEAK * self.u * (1.0 - self.s.detach()) + current
        s = SpikeFn.apply(u)
        self.u, self.s = u, s
        return s


class Mlp(nn.Module):
    """The zoo's mlp: names as the simulator's layers (fc1, fc2, out)."""

    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(64, 128, bias=False)
        self.lif1 = Lif()
        self.fc2 = nn.Linear(128, 64, bias=False)
        self.lif2 = Lif()
        self.out = nn.Linear(64, 10, bias=False)

    def reset(self):
        self.lif1.reset()
        self.lif2.reset()

    def forward(self, x, steps):
        self.reset()
        total = 0
        for _ in range(steps):
            s1 = self.lif1(self.fc1(x))
            s2 = self.lif2(self.fc2(s1))
            total = total + self.out(s2)
        return total / steps


def record(model, layers, x, labels, steps):
    """Runs one BPTT iteration with hooks; returns {(layer, step, stream): 0/1 numpy array}."""
    seen = {}
    fwd_count = {name: 0 for name, _, _ in layers}
    bwd_count = {name: 0 for name, _, _ in layers}
    handles = []
    for li, (name, gemm, spiking) in enumerate(layers):
        def on_forward(_m, _inp, out, li=li, name=name):
            t = fwd_count[name]
            fwd_count[name] += 1
            seen[(li, t, 'spikes')] = (out.detach().flatten() != 0).numpy()

        def on_backward(_m, _gin, gout, li=li, name=name):
            bwd_count[name] += 1
            t = steps - bwd_count[name]  # steps arrive in reverse
            seen[(li, t, 'grads')] = (gout[0].detach().flatten() != 0).numpy()

        handles.append((spiking or gemm).register_forward_hook(on_forward))
        handles.append(gemm.register_full_backward_hook(on_backward))
    out = model(x, steps)
    loss = nn.functional.cross_entropy(out, labels)
    loss.backward()
    for h in handles:
        h.remove()
    return seen, float(loss)


def write_trace(path, seen, layers, neurons, steps, batch, encoding):
    count = 0
    tmp = f'{path}.tmp'
    with open(tmp, 'wb') as f:
        header = {'network': 'mlp', 'timeSteps': steps, 'batch': batch,
                  'layers': [[name, n, BLOCK] for (name, _, _), n in zip(layers, neurons)]}
        f.write(msgpack.packb(['sata-activity', 1, header], use_bin_type=True))
        for (li, t, stream) in sorted(seen):
            bits = seen[(li, t, stream)].astype(np.uint8)
            as_counts = encoding == 'counts' or (encoding == 'mixed' and stream == 'grads')
            if as_counts:
                pad = (-len(bits)) % BLOCK
                counts = np.concatenate([bits, np.zeros(pad, np.uint8)]).reshape(-1, BLOCK).sum(axis=1)
                f.write(msgpack.packb([li, t, stream, 'counts', [int(c) for c in counts]], use_bin_type=True))
            else:
                packed = np.packbits(bits, bitorder='little').tobytes()
                f.write(msgpack.packb([li, t, stream, 'bitmap', packed], use_bin_type=True))
            count += 1
        f.write(msgpack.packb(['end', count], use_bin_type=True))
    os.replace(tmp, path)  # atomic: a reader never sees a partial file
    return count


def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('out')
    p.add_argument('--steps', type=int, default=4)
    p.add_argument('--batch', type=int, default=2)
    p.add_argument('--seed', type=int, default=1)
    p.add_argument('--encoding', choices=['bitmap', 'counts', 'mixed'], default='mixed')
    a = p.parse_args()
    torch.manual_seed(a.seed)
    model = Mlp()
    with torch.no_grad():  # a gain that makes the layers spike (as the simulator's init)
        for lin in (model.fc1, model.fc2, model.out):
            lin.weight.normal_(0, 2.0 / lin.in_features ** 0.5)
    x = torch.rand(a.batch, 64) * 2  # analog pixels, direct coding (same input every step)
    labels = torch.randint(0, 10, (a.batch,))
    layers = [('fc1', model.fc1, model.lif1), ('fc2', model.fc2, model.lif2), ('out', model.out, None)]
    seen, loss = record(model, layers, x, labels, a.steps)
    neurons = [a.batch * 128, a.batch * 64, a.batch * 10]
    n = write_trace(a.out, seen, layers, neurons, a.steps, a.batch, a.encoding)
    print(f'{a.out}: {n} step records (T={a.steps}, batch {a.batch}, loss {loss:.4f})')


if __name__ == '__main__':
    main()
