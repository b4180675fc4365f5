import { Simulator } from '@sata/core';
import { describe, expect, it } from 'vitest';
import { buildAccelerator } from './accelerator.js';
import { builtinArchitecture } from './arch/spec.js';
import type { ScheduleStep } from './schedule.js';

describe('a schedule of a very deep network', () => {
  it('submits 400,000 steps without overflowing the call stack (20,000 layers x 4 steps x 5 stages)', () => {
    const acc = buildAccelerator(new Simulator({ seed: 1 }), builtinArchitecture('sata'));
    const steps: ScheduleStep[] = Array.from({ length: 400_000 }, (_, i) => ({ kind: 'lif', label: `l${i}/FP/t1/lif`, elements: 1, bits: 16 }));
    expect(() => acc.controller.submit(steps)).not.toThrow();
  });
});
