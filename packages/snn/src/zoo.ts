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
];
