/**
 * Built-in networks. The residual networks (graphs with batch norm and shortcuts, format 2)
 * follow public implementations adapted to CIFAR-10 (3x32x32) as their papers' CIFAR
 * experiments do: a 3x3 stem at stride 1 and no stem pooling. The VGG variants follow the configurations of Simonyan and Zisserman
 * (2015) as they are commonly adapted to CIFAR-10 (3x32x32) in the SNN literature: 3x3
 * convolutions with padding 1, 2x2 pooling (here max pooling of spikes, snn-model.md), a
 * small fully connected classifier. vgg5 and digits-cnn are exactly the networks of the
 * issue and of `torch_reference.py`.
 */
import type { LayerSpec, NetworkSpec } from '@sata/plugin-api';

const CIFAR10: readonly [number, number, number] = [3, 32, 32];

/** Conv layers (3x3, padding 1) for each number, pooling for each 'P'. */
function features(cfg: readonly (number | 'P')[]): LayerSpec[] {
  return cfg.map((c) => (c === 'P' ? { type: 'pool' } : { type: 'conv', out: c, kernel: 3, stride: 1, padding: 1 }));
}

function classifier(hidden: readonly number[], classes: number): LayerSpec[] {
  return [...hidden.map((h): LayerSpec => ({ type: 'fc', out: h })), { type: 'out', out: classes }];
}

/** Builds a graph spec layer by layer; each helper returns the name of its last layer. */
class Graph {
  readonly layers: LayerSpec[] = [];
  private n = 0;
  add(spec: Omit<LayerSpec, 'name'> & { name?: string }, inputs?: readonly string[]): string {
    const name = spec.name ?? `${spec.type}${++this.n}`;
    this.layers.push({ ...spec, name, ...(inputs ? { inputs } : {}) } as LayerSpec);
    return name;
  }
  /** conv (3x3 unless k says otherwise, padding k/2, no bias) then batch norm. */
  convBn(name: string, input: string, out: number, o: { k?: number; stride?: number } = {}): string {
    const k = o.k ?? 3;
    this.add({ type: 'conv', name, out, kernel: k, stride: o.stride ?? 1, padding: Math.floor(k / 2) }, [input]);
    return this.add({ type: 'batchnorm', name: `${name}_bn` }, [name]);
  }
  lif(name: string, input: string): string {
    return this.add({ type: 'lif', name }, [input]);
  }
  /** SpikingJelly's MultiStepLIFNode(tau = 2, decay_input, hard reset to 0, detach_reset): u += (x - u) / 2. */
  sjLif(name: string, input: string, theta = 1): string {
    return this.add({ type: 'lif', name, lam: 0.5, gain: 0.5, theta }, [input]);
  }
  /** A token-wise linear layer (1x1 convolution, bias as nn.Linear and the 1x1 Conv2d heads have it) then batch norm. */
  linearBn(name: string, input: string, out: number, bias: boolean): string {
    this.add({ type: 'conv', name, out, kernel: 1, bias }, [input]);
    return this.add({ type: 'batchnorm', name: `${name}_bn` }, [name]);
  }
}

/**
 * Spikformer for CIFAR-10 (Zhou et al., ICLR 2023; github.com/ZK-Zhou/spikformer,
 * cifar10/model.py): spiking patch splitting (SPS: four 3x3 conv-BN-LIF, the last two
 * followed by 3x3 stride-2 max pooling, then a relative position embedding conv-BN-LIF whose
 * spikes are added to its input), then blocks x = x + SSA(x), x = x + MLP(x) (spike
 * shortcuts: integer sums), the mean over tokens and a linear head. nn.Linear layers over
 * tokens are 1x1 convolutions with a bias; BatchNorm1d over tokens is batch norm over
 * positions; every neuron is SpikingJelly's LIF with tau = 2 (the attention's with threshold 0.5).
 */
function spikformer(dim: number, depth: number, heads: number, mlpRatio: number): LayerSpec[] {
  const g = new Graph();
  let x = 'input';
  [dim / 8, dim / 4, dim / 2, dim].forEach((c, i) => {
    const name = `sps_conv${i}`;
    x = g.sjLif(`${name}_lif`, g.convBn(name, x, c));
    if (i >= 2) x = g.add({ type: 'maxpool', name: `sps_pool${i}`, k: 3, stride: 2, padding: 1 }, [x]);
  });
  const rpe = g.sjLif('sps_rpe_lif', g.convBn('sps_rpe', x, dim));
  x = g.add({ type: 'add', name: 'sps_add' }, [rpe, x]);
  for (let b = 1; b <= depth; b++) {
    const n = `b${b}`;
    const [q, k, v] = ['q', 'k', 'v'].map((p) => g.sjLif(`${n}_${p}_lif`, g.linearBn(`${n}_${p}`, x, dim, true)));
    const attn = g.sjLif(`${n}_attn_lif`, g.add({ type: 'ssa', name: `${n}_attn`, heads, scale: 0.125 }, [q!, k!, v!]), 0.5);
    const proj = g.sjLif(`${n}_proj_lif`, g.linearBn(`${n}_proj`, attn, dim, true));
    x = g.add({ type: 'add', name: `${n}_attn_add` }, [x, proj]);
    const h = g.sjLif(`${n}_fc1_lif`, g.linearBn(`${n}_fc1`, x, dim * mlpRatio, true));
    const o = g.sjLif(`${n}_fc2_lif`, g.linearBn(`${n}_fc2`, h, dim, true));
    x = g.add({ type: 'add', name: `${n}_mlp_add` }, [x, o]);
  }
  const gap = g.add({ type: 'globalavgpool', name: 'gap' }, [x]);
  g.add({ type: 'out', name: 'out', out: 10, bias: true }, [gap]);
  return g.layers;
}

/**
 * The Spike-driven Transformer for CIFAR-10 (Yao et al., NeurIPS 2023;
 * github.com/BICLab/Spike-Driven-Transformer, model/spikeformer.py, module/sps.py,
 * module/ms_conv.py, conf/cifar10/2_512_300E_t4.yml: pooling_stat 0011). SPS with max
 * pooling after the third conv's spikes and after the fourth conv's batch norm (of
 * currents), the position embedding added to that current (a membrane shortcut); blocks
 * of SDSA (LIF of the block input, Q, K, V as 1x1 conv-BN-LIF without bias, K (.) V summed
 * over tokens, a LIF with threshold 0.5, Q masked by it, 1x1 conv-BN projection) and an
 * MLP of LIF-conv-BN pairs, each added to its input current; the mean over tokens, a LIF
 * and a linear head. Neurons are SpikingJelly's LIF with tau = 2.
 */
function spikeDrivenTransformer(dim: number, depth: number, mlpRatio: number): LayerSpec[] {
  const g = new Graph();
  let x = 'input';
  [dim / 8, dim / 4, dim / 2].forEach((c, i) => {
    const name = `sps_conv${i}`;
    x = g.sjLif(`${name}_lif`, g.convBn(name, x, c));
    if (i === 2) x = g.add({ type: 'maxpool', name: `sps_pool${i}`, k: 3, stride: 2, padding: 1 }, [x]);
  });
  const feat = g.add({ type: 'maxpool', name: 'sps_pool3', k: 3, stride: 2, padding: 1 }, [g.convBn('sps_conv3', x, dim)]);
  const rpe = g.convBn('sps_rpe', g.sjLif('sps_conv3_lif', feat), dim);
  x = g.add({ type: 'add', name: 'sps_add' }, [rpe, feat]);
  for (let b = 1; b <= depth; b++) {
    const n = `b${b}`;
    const s = g.sjLif(`${n}_attn_in_lif`, x);
    const [q, k, v] = ['q', 'k', 'v'].map((p) => g.sjLif(`${n}_${p}_lif`, g.linearBn(`${n}_${p}`, s, dim, false)));
    const kv = g.add({ type: 'mul', name: `${n}_kv` }, [k!, v!]);
    const m = g.sjLif(`${n}_kv_lif`, g.add({ type: 'tokensum', name: `${n}_kv_sum` }, [kv]), 0.5);
    const attn = g.add({ type: 'mul', name: `${n}_qkv` }, [q!, m]);
    x = g.add({ type: 'add', name: `${n}_attn_add` }, [g.linearBn(`${n}_proj`, attn, dim, true), x]);
    const h = g.linearBn(`${n}_fc1`, g.sjLif(`${n}_fc1_lif`, x), dim * mlpRatio, true);
    const o = g.linearBn(`${n}_fc2`, g.sjLif(`${n}_fc2_lif`, h), dim, true);
    x = g.add({ type: 'add', name: `${n}_mlp_add` }, [o, x]);
  }
  const head = g.sjLif('head_lif', g.add({ type: 'globalavgpool', name: 'gap' }, [x]));
  g.add({ type: 'out', name: 'out', out: 10, bias: true }, [head]);
  return g.layers;
}

type Block = (g: Graph, name: string, input: string, inC: number, out: number, stride: number) => string;

/** Stages of residual blocks: the first block of a stage changes width or stride and takes a 1x1 shortcut. */
function stages(g: Graph, input: string, inC: number, widths: readonly number[], counts: readonly number[], strides: readonly number[], block: Block): string {
  let x = input;
  let c = inC;
  widths.forEach((w, s) => {
    for (let b = 0; b < counts[s]!; b++) {
      x = block(g, `s${s + 1}b${b + 1}`, x, c, w, b === 0 ? strides[s]! : 1);
      c = w;
    }
  });
  return x;
}

/**
 * ResNet-19 with tdBN (Zheng et al., AAAI 2021), as in the CIFAR ResNet-19 of TET (Deng et
 * al., ICLR 2022, models/resnet_models.py): a block is conv-BN-LIF-conv-BN, the shortcut
 * (identity, or 1x1 conv + BN where the block strides) added before the block's last LIF.
 */
const tdbnBlock: Block = (g, name, x, inC, out, stride) => {
  const a = g.lif(`${name}_lif1`, g.convBn(`${name}_conv1`, x, out, { stride }));
  const main = g.convBn(`${name}_conv2`, a, out);
  const short = stride !== 1 || inC !== out ? g.convBn(`${name}_down`, x, out, { k: 1, stride }) : x;
  return g.lif(`${name}_lif2`, g.add({ type: 'add', name: `${name}_add` }, [main, short]));
};

/**
 * SEW-ResNet (Fang et al., NeurIPS 2021; SpikingJelly's sew_resnet, connect function ADD): a
 * block is conv-BN-LIF-conv-BN-LIF, the shortcut (identity, or 1x1 conv-BN-LIF) added to its
 * spikes: the sum is an integer, the next block's input.
 */
const sewBlock: Block = (g, name, x, inC, out, stride) => {
  const a = g.lif(`${name}_lif1`, g.convBn(`${name}_conv1`, x, out, { stride }));
  const main = g.lif(`${name}_lif2`, g.convBn(`${name}_conv2`, a, out));
  const short = stride !== 1 || inC !== out ? g.lif(`${name}_down_lif`, g.convBn(`${name}_down`, x, out, { k: 1, stride })) : x;
  return g.add({ type: 'add', name: `${name}_add` }, [main, short]);
};

/**
 * MS-ResNet (Hu et al., "Advancing spiking neural networks towards deep residual learning",
 * github.com/Ariande1/MS-ResNet models/MS_ResNet.py, BasicBlock_18): a block is
 * LIF-conv-BN-LIF-conv-BN on the membrane-level input, the shortcut (identity, or 1x1 conv +
 * BN of that input, a real-valued GEMM input) added to the currents.
 */
const msBlock: Block = (g, name, x, inC, out, stride) => {
  const a = g.lif(`${name}_lif1`, x);
  const b = g.lif(`${name}_lif2`, g.convBn(`${name}_conv1`, a, out, { stride }));
  const main = g.convBn(`${name}_conv2`, b, out);
  const short = stride !== 1 || inC !== out ? g.convBn(`${name}_down`, x, out, { k: 1, stride }) : x;
  return g.add({ type: 'add', name: `${name}_add` }, [main, short]);
};

function resnet19(): LayerSpec[] {
  const g = new Graph();
  const stem = g.lif('stem_lif', g.convBn('stem', 'input', 128));
  const x = stages(g, stem, 128, [128, 256, 512], [3, 3, 2], [1, 2, 2], tdbnBlock);
  const gap = g.add({ type: 'globalavgpool', name: 'gap' }, [x]);
  const fc = g.lif('fc1_lif', g.add({ type: 'fc', name: 'fc1', out: 256 }, [gap]));
  g.add({ type: 'out', name: 'out', out: 10 }, [fc]);
  return g.layers;
}

function sewResnet18(): LayerSpec[] {
  const g = new Graph();
  const stem = g.lif('stem_lif', g.convBn('stem', 'input', 64));
  const x = stages(g, stem, 64, [64, 128, 256, 512], [2, 2, 2, 2], [1, 2, 2, 2], sewBlock);
  const gap = g.add({ type: 'globalavgpool', name: 'gap' }, [x]);
  g.add({ type: 'out', name: 'out', out: 10 }, [gap]);
  return g.layers;
}

function msResnet18(): LayerSpec[] {
  const g = new Graph();
  const stem = g.convBn('stem', 'input', 64);
  const x = stages(g, stem, 64, [64, 128, 256, 512], [2, 2, 2, 2], [1, 2, 2, 2], msBlock);
  const gap = g.add({ type: 'globalavgpool', name: 'gap' }, [g.lif('final_lif', x)]);
  g.add({ type: 'out', name: 'out', out: 10 }, [gap]);
  return g.layers;
}

/** VGG with batch norm (SpikingJelly's spiking_vgg11_bn): conv-BN-LIF per conv, 2x2 max pooling. */
function vggBn(cfg: readonly (number | 'P')[], hidden: readonly number[]): LayerSpec[] {
  const g = new Graph();
  let x = 'input';
  let conv = 0;
  let pool = 0;
  for (const c of cfg) {
    if (c === 'P') x = g.add({ type: 'maxpool', name: `pool${++pool}`, k: 2 }, [x]);
    else {
      conv++;
      x = g.lif(`conv${conv}_lif`, g.convBn(`conv${conv}`, x, c));
    }
  }
  hidden.forEach((h, i) => {
    x = g.lif(`fc${i + 1}_lif`, g.add({ type: 'fc', name: `fc${i + 1}`, out: h }, [x]));
  });
  g.add({ type: 'out', name: 'out', out: 10 }, [x]);
  return g.layers;
}

/** A small residual network with batch norm for the 8x8 digits (trained by `sata train`). */
function digitsResnet(): LayerSpec[] {
  const g = new Graph();
  const stem = g.lif('stem_lif', g.convBn('stem', 'input', 16));
  const x = tdbnBlock(g, 'b1', stem, 16, 16, 1);
  const pool = g.add({ type: 'maxpool', name: 'pool', k: 2 }, [x]);
  const fc = g.lif('fc1_lif', g.add({ type: 'fc', name: 'fc1', out: 64 }, [pool]));
  g.add({ type: 'out', name: 'out', out: 10 }, [fc]);
  return g.layers;
}

export const ZOO: readonly NetworkSpec[] = [
  {
    name: 'vgg5',
    description: 'VGG5 for CIFAR-10: conv 3->64 at 32x32, pool, conv 64->128 and 128->128 at 16x16, pool, fc 8192->1024, out 1024->10',
    dataset: 'cifar10',
    inputShape: CIFAR10,
    layers: [...features([64, 'P', 128, 128, 'P']), ...classifier([1024], 10)],
  },
  {
    name: 'vgg9',
    description: 'VGG9 for CIFAR-10: 64,64,P,128,128,P,256,256,256,P, fc 4096->1024, out 1024->10',
    dataset: 'cifar10',
    inputShape: CIFAR10,
    layers: [...features([64, 64, 'P', 128, 128, 'P', 256, 256, 256, 'P']), ...classifier([1024], 10)],
  },
  {
    name: 'vgg11',
    description: 'VGG11 (configuration A) for CIFAR-10: 64,P,128,P,256,256,P,512,512,P,512,512,P, fc 512->4096->4096, out 4096->10',
    dataset: 'cifar10',
    inputShape: CIFAR10,
    layers: [...features([64, 'P', 128, 'P', 256, 256, 'P', 512, 512, 'P', 512, 512, 'P']), ...classifier([4096, 4096], 10)],
  },
  {
    name: 'vgg16',
    description: 'VGG16 (configuration D) for CIFAR-10: 13 conv layers in 5 blocks with pooling, fc 512->4096->4096, out 4096->10',
    dataset: 'cifar10',
    inputShape: CIFAR10,
    layers: [
      ...features([64, 64, 'P', 128, 128, 'P', 256, 256, 256, 'P', 512, 512, 512, 'P', 512, 512, 512, 'P']),
      ...classifier([4096, 4096], 10),
    ],
  },
  {
    name: 'digits-cnn',
    description: 'Conv SNN for the 8x8 digits: conv 1->16, pool, conv 16->32, pool, fc 128->64, out 64->10 (the network of sparsity-digits.json)',
    dataset: 'digits',
    inputShape: [1, 8, 8],
    layers: [...features([16, 'P', 32, 'P']), ...classifier([64], 10)],
  },
  {
    name: 'mlp',
    description: 'Multilayer perceptron for the 8x8 digits: fc 64->128, fc 128->64, out 64->10',
    dataset: 'digits',
    inputShape: [1, 8, 8],
    layers: classifier([128, 64], 10),
  },
  {
    name: 'resnet19',
    description: 'ResNet-19 with tdBN (Zheng et al. 2021; CIFAR version of TET, Deng et al. 2022): 3x3 stem 128, 3/3/2 basic blocks at 128/256/512, add before the last LIF, GAP, fc 512->256, out 256->10',
    dataset: 'cifar10',
    inputShape: CIFAR10,
    layers: resnet19(),
  },
  {
    name: 'sew-resnet18',
    description: 'SEW-ResNet-18 (Fang et al. 2021, ADD): 3x3 stem 64, 2/2/2/2 blocks at 64/128/256/512, spike shortcuts added (integer sums), GAP, out 512->10',
    dataset: 'cifar10',
    inputShape: CIFAR10,
    layers: sewResnet18(),
  },
  {
    name: 'ms-resnet18',
    description: 'MS-ResNet-18 (Hu et al.): 3x3 stem 64, 2/2/2/2 LIF-conv-BN blocks at 64/128/256/512 with membrane shortcuts, LIF, GAP, out 512->10',
    dataset: 'cifar10',
    inputShape: CIFAR10,
    layers: msResnet18(),
  },
  {
    name: 'vgg11-bn',
    description: 'VGG11 (configuration A) with batch norm (SpikingJelly spiking_vgg11_bn, CIFAR-10 classifier as vgg11): conv-BN-LIF, max pooling, fc 512->4096->4096, out 4096->10',
    dataset: 'cifar10',
    inputShape: CIFAR10,
    layers: vggBn([64, 'P', 128, 'P', 256, 256, 'P', 512, 512, 'P', 512, 512, 'P'], [4096, 4096]),
  },
  {
    name: 'digits-resnet',
    description: 'A residual SNN with batch norm for the 8x8 digits: stem conv 1->16 + BN + LIF, one tdBN basic block (membrane shortcut), max pooling, fc 256->64, out 64->10',
    dataset: 'digits',
    inputShape: [1, 8, 8],
    layers: digitsResnet(),
  },
  {
    name: 'spikformer-4-384',
    description: 'Spikformer-4-384 (Zhou et al. 2023, ZK-Zhou/spikformer cifar10): SPS 3x3 conv-BN-LIF 48/96/192/384 with two 3x3/2 max poolings to 8x8 = 64 tokens, 4 blocks of SSA (12 heads, scale 0.125) and MLP 384->1536->384 with spike shortcuts, token mean, linear 384->10; SpikingJelly LIF tau 2',
    dataset: 'cifar10',
    inputShape: CIFAR10,
    layers: spikformer(384, 4, 12, 4),
  },
  {
    name: 'sdt-2-512',
    description: 'Spike-driven Transformer 2-512 (Yao et al. 2023, BICLab/Spike-Driven-Transformer cifar10): SPS 64/128/256/512 to 8x8 = 64 tokens, 2 blocks of SDSA (K.V masks, token sums, LIF at 0.5, Q masks) and MLP 512->2048->512 with membrane shortcuts, token mean, LIF, linear 512->10; SpikingJelly LIF tau 2',
    dataset: 'cifar10',
    inputShape: CIFAR10,
    layers: spikeDrivenTransformer(512, 2, 4),
  },
];
