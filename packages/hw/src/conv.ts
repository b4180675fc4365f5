import { ConfigError } from '@sata/core';
import type { GemmShape } from '@sata/plugin-api';
import type { Matrix } from './activity.js';

/** A convolution: H x W input of C channels, R x S kernels, K output channels (hardware-model.md section 4). */
export interface ConvShape {
  readonly H: number;
  readonly W: number;
  readonly R: number;
  readonly S: number;
  readonly C: number;
  readonly K: number;
  readonly stride: number;
  /** Zero padding on every side. */
  readonly pad: number;
}

/**
 * Output size by the usual rule, floor((H + 2 pad - R) / stride) + 1. SCALE-Sim uses
 * ceil((H - R + stride) / stride) on its (pre-padded) input, which differs when the
 * stride does not divide H - R (hardware-model.md section 5).
 */
export function convOutputSize(conv: ConvShape): { E: number; F: number } {
  for (const k of ['H', 'W', 'R', 'S', 'C', 'K', 'stride'] as const) {
    if (!Number.isSafeInteger(conv[k]) || conv[k] < 1) throw new ConfigError(`conv ${k} must be a positive integer, got ${String(conv[k])}`);
  }
  if (!Number.isSafeInteger(conv.pad) || conv.pad < 0) throw new ConfigError(`conv pad must be a non-negative integer, got ${String(conv.pad)}`);
  const hp = conv.H + 2 * conv.pad;
  const wp = conv.W + 2 * conv.pad;
  if (conv.R > hp || conv.S > wp) throw new ConfigError(`conv kernel ${conv.R}x${conv.S} is larger than the padded input ${hp}x${wp}`);
  return { E: Math.floor((hp - conv.R) / conv.stride) + 1, F: Math.floor((wp - conv.S) / conv.stride) + 1 };
}

/** The forward pass of a conv as a GEMM: M = batch * E * F, N = K, K = C * R * S. */
export function convForwardGemm(conv: ConvShape, batch = 1): GemmShape {
  const { E, F } = convOutputSize(conv);
  return { M: batch * E * F, N: conv.K, K: conv.C * conv.R * conv.S };
}

/**
 * The ifmap operand of a conv's forward GEMM from its input tensor (C x H x W, row-major):
 * row (e * F + f), column (c * R * S + r * S + s), zero where the kernel covers padding.
 */
export function im2col(input: ArrayLike<number>, conv: ConvShape): Matrix {
  const { E, F } = convOutputSize(conv);
  const { H, W, R, S, C, stride, pad } = conv;
  if (input.length !== C * H * W) throw new ConfigError(`conv input must hold C*H*W = ${C * H * W} values, got ${input.length}`);
  const K = C * R * S;
  const data = new Float64Array(E * F * K);
  for (let e = 0; e < E; e++)
    for (let f = 0; f < F; f++) {
      const row = (e * F + f) * K;
      for (let c = 0; c < C; c++)
        for (let r = 0; r < R; r++) {
          const y = e * stride + r - pad;
          if (y < 0 || y >= H) continue;
          for (let s = 0; s < S; s++) {
            const x = f * stride + s - pad;
            if (x >= 0 && x < W) data[row + (c * R + r) * S + s] = input[(c * H + y) * W + x]!;
          }
        }
    }
  return { rows: E * F, cols: K, data };
}
