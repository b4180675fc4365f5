/**
 * Built-in networks. The VGG variants follow the configurations of Simonyan and Zisserman
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
];
