#!/usr/bin/env python3
"""Independent PyTorch reference for graph networks (golden format 2), extended to the
layer kinds of spiking transformers (tools/GOLDEN-ATTENTION.md): Spikformer's spiking
self-attention `ssa`, the Spike-driven Transformer's masks and sums `mul` and `tokensum`,
the LIF input gain `gain` (SpikingJelly's decay_input) and max pooling with `padding`.
A copy of reference/torch_graph_reference.py with these additions.

Format 2 golden files describe a network as a list of named layers, each naming its
inputs ("input" is the network input), with one operation per layer: conv and fc produce
currents, batchnorm normalises, lif and if make spikes, add sums, the pools pool, out
integrates. The arithmetic is fixed in shared/docs/snn-model.md ("Graph networks").

Every layer records, per time step t = 1..T, its output y[t] and the gradient of the loss
with respect to it, dy[t] (zeros where no gradient reaches). Layers with parameters also
record them and their gradients; neuron layers record u, the surrogate and du.

Runs with PyTorch >= 1.13 on the CPU in float64. Usage:
  OUT=reference/golden-attention python3 tools/torch_attention_reference.py
"""
import json
import math
import os


import torch
import torch.nn.functional as F

OUT = os.environ.get("OUT", "./out")
os.makedirs(OUT, exist_ok=True)
EPS = 1e-5  # batch-norm epsilon


class Spike(torch.autograd.Function):
    """s = [u - theta >= 0]; backward: triangle surrogate max(0, 1 - |u - theta| / theta)."""

    @staticmethod
    def forward(ctx, u, theta):
        ctx.save_for_backward(u)
        ctx.theta = theta
        return (u - theta >= 0).to(u.dtype)

    @staticmethod
    def backward(ctx, g):
        (u,) = ctx.saved_tensors
        th = ctx.theta
        return g * torch.clamp(1.0 - (u - th).abs() / th, min=0.0), None


def surrogate(u, theta):
    return torch.clamp(1.0 - (u - theta).abs() / theta, min=0.0)


def tolist(t):
    return t.detach().cpu().double().reshape(-1).tolist()


def shapes(spec):
    """Per-sample output shape of every layer (C, H, W) or (n,)."""
    out = {"input": tuple(spec["inputShape"])}
    for l in spec["layers"]:
        ins = [out[i] for i in l["inputs"]]
        x = ins[0]
        t = l["type"]
        if t == "conv":
            C, H, W = x
            k, s, p = l["k"], l.get("stride", 1), l.get("pad", 0)
            out[l["name"]] = (l["out"], (H + 2 * p - k) // s + 1, (W + 2 * p - k) // s + 1)
        elif t in ("fc", "out"):
            out[l["name"]] = (l["out"],)
        elif t in ("maxpool", "avgpool"):
            C, H, W = x
            k, s, p = l.get("k", 2), l.get("stride", l.get("k", 2)), l.get("padding", 0)
            out[l["name"]] = (C, (H + 2 * p - k) // s + 1, (W + 2 * p - k) // s + 1)
        elif t == "tokensum":
            out[l["name"]] = (x[0], 1, 1)
        elif t == "mul":
            out[l["name"]] = x
        elif t == "globalavgpool":
            out[l["name"]] = (x[0],)
        elif t == "add":
            assert all(i == x for i in ins), (l["name"], ins)
            out[l["name"]] = x
        else:  # batchnorm, lif, if keep the shape
            out[l["name"]] = x
    return out


def init_params(spec, gen, shp):
    """Seeded float64 parameters. Weight scales from the layer's 'gain' (default 1)."""
    P = {}
    for l in spec["layers"]:
        t, g = l["type"], l.get("gain", 1.0)
        x = shp[l["inputs"][0]]
        if t == "conv":
            fan = x[0] * l["k"] * l["k"]
            P[l["name"]] = {"weight": torch.randn(l["out"], x[0], l["k"], l["k"], generator=gen, dtype=torch.float64) * (g / math.sqrt(fan))}
        elif t in ("fc", "out"):
            n = int(math.prod(x))
            P[l["name"]] = {"weight": torch.randn(l["out"], n, generator=gen, dtype=torch.float64) * (g / math.sqrt(n))}
        elif t == "batchnorm":
            C = x[0]
            # gamma near 1 and beta near 0 but not exactly, so that both gradients are exercised
            P[l["name"]] = {
                "gamma": 1.0 + 0.2 * torch.randn(C, generator=gen, dtype=torch.float64),
                "beta": l.get("betaShift", 0.0) + 0.2 * torch.randn(C, generator=gen, dtype=torch.float64),
            }
        if t in ("conv", "fc", "out") and l.get("bias"):
            P[l["name"]]["bias"] = 0.1 * torch.randn(l["out"], generator=gen, dtype=torch.float64)
    for p in P.values():
        for v in p.values():
            v.requires_grad_(True)
    return P


def forward(spec, P, x_seq, B):
    """Layer by layer over all time steps (batch norm needs every step of its input).
    Returns per-layer lists over t of outputs, and the extra tensors of neuron layers."""
    T = len(x_seq)
    Y = {"input": x_seq}
    extra = {}
    for l in spec["layers"]:
        name, t = l["name"], l["type"]
        xs = [Y[i] for i in l["inputs"]]
        x = xs[0]
        p = P.get(name, {})
        if t == "conv":
            y = [F.conv2d(x[k], p["weight"], p.get("bias"), stride=l.get("stride", 1), padding=l.get("pad", 0)) for k in range(T)]
        elif t in ("fc", "out"):
            y = [F.linear(x[k].reshape(B, -1), p["weight"], p.get("bias")) for k in range(T)]
        elif t == "batchnorm":
            # training mode, statistics per channel over time, batch and space (tdBN as trained)
            st = torch.stack(x)  # [T, B, C, ...]
            dims = [0, 1] + list(range(3, st.dim()))
            mean = st.mean(dim=dims, keepdim=True)
            var = ((st - mean) ** 2).mean(dim=dims, keepdim=True)  # biased
            shape = [1, 1, -1] + [1] * (st.dim() - 3)
            yn = (st - mean) / torch.sqrt(var + EPS) * p["gamma"].reshape(shape) + p["beta"].reshape(shape)
            y = list(yn.unbind(0))
            extra[name] = {"mean": mean.reshape(-1), "var": var.reshape(-1)}
        elif t in ("lif", "if"):
            lam = 1.0 if t == "if" else l["lam"]
            theta, reset = l["theta"], l.get("reset", "zero")
            gain = l.get("gain")  # input gain: SpikingJelly's decay_input, x / tau
            us, ss, y = [], [], []
            u = s = None
            for k in range(T):
                xk = x[k] if gain is None else gain * x[k]
                if u is None:
                    u = xk
                elif reset == "zero":
                    u = lam * u * (1.0 - s.detach()) + xk
                else:  # subtract
                    u = lam * u + xk - theta * s.detach()
                u.retain_grad()
                s = Spike.apply(u, theta)
                us.append(u)
                y.append(s)
            extra[name] = {"u": us}
        elif t == "add":
            y = [sum(z[k] for z in xs) for k in range(T)]
        elif t == "maxpool":
            k_, s_, p_ = l.get("k", 2), l.get("stride", l.get("k", 2)), l.get("padding", 0)
            y = [F.max_pool2d(x[k], k_, s_, p_) for k in range(T)]
        elif t == "ssa":
            # Spikformer's SSA (ZK-Zhou/spikformer cifar10/model.py): tokens are positions, heads split channels
            h, scale = l["heads"], l.get("scale", 0.125)
            y = []
            for k in range(T):
                Bq, C, H, W = xs[0][k].shape
                N, dh = H * W, C // h
                q, kk, v = (z[k].reshape(Bq, h, dh, N).transpose(-1, -2) for z in xs)  # [B, h, N, dh]
                attn = (q @ kk.transpose(-2, -1)) * scale
                o = attn @ v  # [B, h, N, dh]
                y.append(o.transpose(-1, -2).reshape(Bq, C, H, W))
        elif t == "mul":
            # K (.) V and Q (.) lif(sum) of the Spike-driven Transformer's SDSA; a [C,1,1] second operand broadcasts
            y = [xs[0][k] * xs[1][k] for k in range(T)]
        elif t == "tokensum":
            y = [x[k].sum(dim=(2, 3), keepdim=True) for k in range(T)]
        elif t == "avgpool":
            k_, s_ = l.get("k", 2), l.get("stride", l.get("k", 2))
            y = [F.avg_pool2d(x[k], k_, s_) for k in range(T)]
        elif t == "globalavgpool":
            y = [x[k].mean(dim=(2, 3)) for k in range(T)]
        else:
            raise ValueError(t)
        for z in y:
            if z.requires_grad:
                z.retain_grad()
        Y[name] = y
    last = spec["layers"][-1]
    assert last["type"] == "out"
    logits = sum(Y[last["name"]]) / T
    return Y, extra, logits


def golden(spec, seed, data):
    gen = torch.Generator().manual_seed(seed)
    shp = shapes(spec)
    P = init_params(spec, gen, shp)
    B, T = spec["batch"], spec["T"]
    xs, labels = data(gen, B)
    x = xs.double()
    if spec["coding"] == "direct":
        x_seq = [x for _ in range(T)]
    else:  # rate: Bernoulli spikes drawn here and stored
        x_seq = [(torch.rand(x.shape, generator=gen, dtype=torch.float64) < x).double() for _ in range(T)]
    Y, extra, logits = forward(spec, P, x_seq, B)
    loss = F.cross_entropy(logits, labels)
    loss.backward()
    layers = []
    for l in spec["layers"]:
        name, t = l["name"], l["type"]
        rec = dict(l)
        y = Y[name]
        rec["outShape"] = [B, *shp[name]]
        rec["y"] = [tolist(z) for z in y]
        rec["dy"] = [tolist(z.grad) if z.grad is not None else [0.0] * z.numel() for z in y]
        for k, v in P.get(name, {}).items():
            rec[k] = tolist(v)
            rec[k + "Shape"] = list(v.shape)
            rec[k + "Grad"] = tolist(v.grad)
        if t == "batchnorm":
            rec["mean"] = tolist(extra[name]["mean"])
            rec["var"] = tolist(extra[name]["var"])
            rec["eps"] = EPS
        if t in ("lif", "if"):
            theta = l["theta"]
            us = extra[name]["u"]
            rec["u"] = [tolist(u) for u in us]
            rec["surrogate"] = [tolist(surrogate(u.detach(), theta)) for u in us]
            rec["du"] = [tolist(u.grad) for u in us]
            n = us[0].numel() * T
            rec["density"] = {
                "spike": sum(float(s.sum()) for s in y) / n,
                "surrogateNonzero": sum(float((surrogate(u.detach(), theta) != 0).sum()) for u in us) / n,
                "duNonzero": sum(float((u.grad != 0).sum()) for u in us) / n,
            }
        layers.append(rec)
    doc = {
        "format": 2,
        "name": spec["name"],
        "conventions": "see shared/docs/snn-model.md, section Graph networks",
        "T": T,
        "batch": B,
        "coding": spec["coding"],
        "inputShape": [B, *spec["inputShape"]],
        "input": [tolist(z) for z in x_seq],
        "labels": labels.tolist(),
        "loss": float(loss),
        "logits": tolist(logits),
        "layers": layers,
        "producedBy": "PyTorch %s autograd, float64, CPU (tools/torch_attention_reference.py)" % torch.__version__,
    }
    path = os.path.join(OUT, "golden-%s.json" % spec["name"])
    with open(path, "w") as f:
        json.dump(doc, f)
    dens = {r["name"]: round(r["density"]["spike"], 3) for r in layers if "density" in r}
    print("golden", spec["name"], "loss=%.6f" % float(loss), "spike densities", dens, flush=True)


def uniform_data(shape, classes=10):
    def make(gen, B):
        return torch.rand(B, *shape, generator=gen, dtype=torch.float64), torch.randint(0, classes, (B,), generator=gen)
    return make


def L(name, type, inputs, **kw):
    return {"name": name, "type": type, "inputs": inputs, **kw}


def specs_attention():
    sj = dict(lam=0.5, gain=0.5)  # SpikingJelly LIF, tau = 2
    # No bias before a batch norm: its gradient is identically zero there (not a useful comparison).
    qkv = lambda x, src: [
        L(x + "c", "conv", [src], out=8, k=1, gain=2.5),
        L(x + "bn", "batchnorm", [x + "c"], betaShift=0.8),
        L(x, "lif", [x + "bn"], theta=0.5, **sj),
    ]
    # 1. Spikformer block: SPS-like stem with padded 3x3/2 max pooling (9 tokens of 8 channels),
    #    Q, K, V as 1x1 conv (bias) + BN + LIF, SSA with 2 heads, LIF at 0.5, projection, spike shortcut
    ssa = {
        "name": "attention-ssa-block", "T": 3, "batch": 2, "coding": "direct", "inputShape": [2, 6, 6],
        "layers": [
            L("stem", "conv", ["input"], out=8, k=3, pad=1, gain=2.5),
            # Sparse spikes before the 3x3 max pooling, or its output is all ones (and Q, K, V's gradients vanish in BN)
            L("bn0", "batchnorm", ["stem"], betaShift=-0.6),
            L("lif0", "lif", ["bn0"], theta=0.5, **sj),
            L("mp", "maxpool", ["lif0"], k=3, stride=2, padding=1),
            *qkv("q", "mp"), *qkv("k", "mp"), *qkv("v", "mp"),
            L("attn", "ssa", ["q", "k", "v"], heads=2, scale=0.25),
            L("attn_lif", "lif", ["attn"], theta=0.5, **sj),
            L("proj", "conv", ["attn_lif"], out=8, k=1, gain=2.5),
            L("proj_bn", "batchnorm", ["proj"], betaShift=0.8),
            L("proj_lif", "lif", ["proj_bn"], theta=0.5, **sj),
            L("res", "add", ["mp", "proj_lif"]),
            L("gap", "globalavgpool", ["res"]),
            L("out", "out", ["gap"], out=10, bias=True, gain=2.0),
        ],
    }
    # 2. Spike-driven Transformer block: membrane-level input, LIF, Q, K, V (no bias), K (.) V summed over
    #    the 9 tokens, LIF at 0.5, Q masked, projection + BN added to the input current; an MLP block; mean
    #    over tokens, LIF, head
    sdsa = {
        "name": "attention-sdsa-block", "T": 3, "batch": 2, "coding": "direct", "inputShape": [2, 6, 6],
        "layers": [
            L("stem", "conv", ["input"], out=8, k=3, stride=2, pad=1, gain=2.5),
            L("bn0", "batchnorm", ["stem"], betaShift=0.8),
            L("in_lif", "lif", ["bn0"], theta=0.5, **sj),
            *qkv("q", "in_lif"), *qkv("k", "in_lif"), *qkv("v", "in_lif"),
            L("kv", "mul", ["k", "v"]),
            L("kv_sum", "tokensum", ["kv"]),
            L("kv_lif", "lif", ["kv_sum"], theta=0.5, **sj),
            L("qkv", "mul", ["q", "kv_lif"]),
            L("proj", "conv", ["qkv"], out=8, k=1, gain=2.5),
            L("proj_bn", "batchnorm", ["proj"], betaShift=0.3),
            L("attn_add", "add", ["proj_bn", "bn0"]),
            L("fc1_lif", "lif", ["attn_add"], theta=0.5, **sj),
            L("fc1", "conv", ["fc1_lif"], out=16, k=1, gain=2.5),
            L("fc1_bn", "batchnorm", ["fc1"], betaShift=0.8),
            L("fc2_lif", "lif", ["fc1_bn"], theta=0.5, **sj),
            L("fc2", "conv", ["fc2_lif"], out=8, k=1, gain=2.5),
            L("fc2_bn", "batchnorm", ["fc2"]),
            L("mlp_add", "add", ["fc2_bn", "attn_add"]),
            L("gap", "globalavgpool", ["mlp_add"]),
            L("head_lif", "lif", ["gap"], theta=0.5, **sj),
            L("out", "out", ["head_lif"], out=10, bias=True, gain=2.0),
        ],
    }
    return [(ssa, 606), (sdsa, 707)]


def main():
    for spec, seed in specs_attention():
        golden(spec, seed, uniform_data(spec["inputShape"]))


if __name__ == "__main__":
    main()
