import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, Simulator, type Component } from '@sata/core';
import { wsDataflow } from '@sata/dataflow-ws';
import { componentContribution, definePlugin, Registry } from '@sata/plugin-api';
import { describe, expect, it } from 'vitest';
import { buildAccelerator, hwRegistry, runSchedule } from '../accelerator.js';
import { PEArray, peArrayInfo, type FoldJob } from '../components/pe-array.js';
import { hwPlugin } from '../plugin.js';
import type { GemmStep } from '../schedule.js';
import { builtinArchitecture, builtinArchitectureLookup, resolveArchitecture, withParams } from './spec.js';

const dir = mkdtempSync(join(tmpdir(), 'sata-arch-'));
const file = (name: string, text: string): string => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};

describe('architecture specs', () => {
  it('ship sata and eyeriss; eyeriss is sata training the ANN', () => {
    const sata = builtinArchitecture('sata');
    const eyeriss = builtinArchitecture('eyeriss');
    expect(sata.workload).toBe('snn');
    expect(eyeriss.workload).toBe('ann');
    expect(eyeriss.components).toEqual(sata.components);
    expect(eyeriss.links).toEqual(sata.links);
    expect(sata.components.array).toEqual({ class: 'hw.PEArray', role: 'array', params: { rows: 8, cols: 16 } });
    expect(Object.keys(sata.components).filter((n) => sata.components[n]!.role === 'buffer')).toEqual(['spikes', 'membrane', 'weights', 'gradients', 'misc']);
  });

  it('build every component through the registry and wire the spec\'s links with their latencies', () => {
    const sim = new Simulator();
    const acc = buildAccelerator(sim, withParams(builtinArchitecture('sata'), {}), hwRegistry());
    expect([...acc.components.keys()].sort()).toEqual(['array', 'controller', 'dram', 'encoder', 'filterSpad', 'gradient', 'ifmapSpad', 'lif', 'gradients', 'membrane', 'misc', 'spikes', 'vector', 'weights'].sort());
    expect(acc.controller.port('dram').peer.fullName).toBe('acc.dram.req');
    expect(acc.controller.port('array').link!.latency).toBe(0);
    // The scratchpads are one per PE of the array.
    expect(acc.scratchpads.ifmap.params).toMatchObject({ pes: 128, bytesPerPe: 9 });
  });

  it('read from a file, with extends, merging parameters onto the parent\'s', () => {
    const p = file('mine.yaml', 'name: mine\nextends: sata\ncomponents:\n  weights: { params: { capacityBytes: 1024 } }\nlinks:\n  - { from: controller.array, to: array.ctrl, latency: 3 }\n  - { from: controller.dram, to: dram.req, latency: 0 }\n  - { from: controller.lif, to: lif.ctrl }\n  - { from: controller.gradient, to: gradient.ctrl }\n  - { from: controller.encoder, to: encoder.ctrl }\n  - { from: controller.vector, to: vector.ctrl }\n');
    const s = resolveArchitecture(p, builtinArchitectureLookup);
    expect(s.components.weights!.params).toMatchObject({ capacityBytes: 1024, banks: 16, bandwidthBitsPerCycle: 512 });
    expect(s.source).toMatch(/mine\.yaml \(extends .*sata\.yaml\)/);
    // Link latency comes from the spec: every fold takes 2 x 3 cycles more (there and back).
    const step: GemmStep = { kind: 'gemm', label: 'g', gemm: { M: 16, N: 16, K: 16 }, dataflow: wsDataflow, gating: 'none', operation: 'mac', bits: { ifmap: 16, filter: 16, ofmap: 16 }, buffers: { ifmap: 'spikes', filter: 'weights', ofmap: 'membrane' } };
    const base = runSchedule([step], builtinArchitecture('sata'));
    const slow = runSchedule([step], s);
    expect(slow.totalCycles - base.totalCycles).toBe(base.steps[0]!.plan!.folds * 2 * 3);
  });

  it('errors name the spec file, the component and the field or parameter', () => {
    const lookup = builtinArchitectureLookup;
    const bad = (name: string, text: string, re: RegExp): void => {
      const p = file(name, text);
      expect(() => buildAccelerator(new Simulator(), resolveArchitecture(p, lookup))).toThrow(ConfigError);
      expect(() => buildAccelerator(new Simulator(), resolveArchitecture(p, lookup))).toThrow(re);
    };
    bad('a.yaml', 'name: a\nextends: sata\ncomponents:\n  dram: { params: { latencyCycles: -1 } }\n', /a\.yaml \(extends .*\): component acc\.dram \(hw\.Dram\): parameter "latencyCycles" must be >= 0/);
    bad('b.yaml', 'name: b\nextends: sata\ncomponents:\n  array: { class: my.Array }\n', /b\.yaml .*component array \(my\.Array\): unknown component "my\.Array"/);
    // Another class keeps the parent's parameters: one it does not take is named.
    bad('c.yaml', 'name: c\nextends: sata\ncomponents:\n  array: { class: hw.Scratchpad }\n', /c\.yaml .*component acc\.array \(hw\.Scratchpad\): unknown parameter "rows" \(known: bytesPerPe, pes\)/);
    const sata = builtinArchitecture('sata');
    const wrongRole = { ...sata, components: { ...sata.components, array: { class: 'hw.Controller', role: 'array' as const, params: {} } } };
    expect(() => buildAccelerator(new Simulator(), wrongRole)).toThrow(/sata\.yaml: component array \(hw\.Controller\): cannot take the role array: it lacks shape, prepare, countFold, drainCycles/);
    bad('d.yaml', 'name: d\nextends: sata\ncomponents:\n  array: { role: arrray }\n', /d\.yaml: component array: role must be one of controller, array/);
    bad('e.yaml', 'name: e\nextends: sata\nlinks:\n  - { from: controller.array, to: array.ctrl }\n', /e\.yaml .*component controller \(hw\.Controller\): port dram is not linked/);
    bad('f.yaml', 'name: f\nextends: sata\nlinks:\n  - { from: controller.array, to: array.nope }\n', /f\.yaml .*link controller\.array -> array\.nope: component array \(hw\.PEArray\) has no port "nope"/);
    bad('g.yaml', 'name: g\nextends: sata\nlinks:\n  - { from: controller.array, to: arr.ctrl }\n', /g\.yaml: links\[0\]: to names component "arr", which the spec does not have/);
    bad('h.yaml', 'name: h\nworkload: snn\nclockMHz: 400\ncomponents:\n  controller: { class: hw.Controller, role: controller }\n', /h\.yaml: needs exactly one component of role array, has none/);
    bad('i.yaml', 'name: i\nextends: sata\ncolour: red\n', /i\.yaml: unknown field "colour"/);
    // A spec extends a file next to it.
    bad('j.yaml', 'name: j\nextends: j2.yaml\n', /architecture spec .*sata-arch-\w+\/j2\.yaml: cannot read: no such file/);
    file('m2.yaml', 'name: m2\nextends: sata\ncomponents:\n  dram: { params: { latencyCycles: 7 } }\n');
    expect(resolveArchitecture(file('m1.yaml', 'name: m1\nextends: m2.yaml\n'), lookup).components.dram!.params.latencyCycles).toBe(7);
    bad('k.yaml', 'name: [unclosed\n', /k\.yaml:2:1: not valid YAML/);
    bad('l.yaml', 'name: l\nextends: sata\nworkload: gpu\n', /l\.yaml: workload must be snn or ann, got "gpu"/);
    // Cycles of extends, however the specs are named (found by fuzzing: a file that extends itself overflowed the stack).
    bad('n.yaml', 'name: n\nextends: n.yaml\n', /n\.yaml: extends n\.yaml: the specs extend each other in a cycle \(.*n\.yaml -> .*n\.yaml\)/);
    file('o2.yaml', 'name: o2\nextends: o1.yaml\n');
    bad('o1.yaml', 'name: o1\nextends: o2.yaml\n', /o2\.yaml: extends o1\.yaml: the specs extend each other in a cycle \(.*o1\.yaml -> .*o2\.yaml -> .*o1\.yaml\)/);
    bad('p.yaml', 'name: p\nextends: p\n', /p\.yaml: extends p: a spec cannot extend itself/);
    bad('q.yaml', 'name: q\nextends: sata\nlinks:\n  - { from: controller.array, to: array.ctrl, latency: 1000000000000000 }\n', /q\.yaml: links\[0\]: latency must be a whole number of cycles in 0\.\.1000000000, got 1000000000000000/);
    expect(() => resolveArchitecture('tpu', lookup)).toThrow(/unknown architecture "tpu": .*\(registered: eyeriss, sata\)/);
  });
});

/** An array that needs 3 cycles after each fold before it takes the next: it refuses, then calls for a retry. */
class CoolingArray extends PEArray {
  refused = 0;
  private cooling = false;
  constructor(parent: Simulator | Component, name: string, params?: Readonly<Record<string, unknown>>) {
    super(parent, name, params, { ...peArrayInfo, type: 'test.CoolingArray' });
    this.port<FoldJob>('ctrl').onAccept(() => {
      if (this.cooling) this.refused++;
      return !this.cooling;
    });
  }

  protected override countActions(job: FoldJob): void {
    super.countActions(job);
    this.schedule(job.counts.cycles + job.sramStallCycles, () => {
      this.cooling = true;
      this.schedule(3, () => {
        this.cooling = false;
        this.port('ctrl').sendRetry();
      });
    });
  }
}

describe('a plugin component in a spec', () => {
  it('takes a role, and the controller honours its backpressure (a refused fold waits for the retry)', () => {
    const plugin = definePlugin({ name: 'test-array', version: '1.0.0', description: 'an array that cools down', components: [componentContribution({ ...peArrayInfo, type: 'test.CoolingArray' }, CoolingArray)] });
    const registry = new Registry().register(hwPlugin).register(plugin).freeze();
    const sata = builtinArchitecture('sata');
    const spec = { ...sata, components: { ...sata.components, array: { ...sata.components.array!, class: 'test.CoolingArray' } } };
    const steps: GemmStep[] = [0, 1].map((i) => ({ kind: 'gemm', label: `g${i}`, gemm: { M: 64, N: 32, K: 32 }, dataflow: wsDataflow, gating: 'none', operation: 'mac', bits: { ifmap: 16, filter: 16, ofmap: 16 }, buffers: { ifmap: 'spikes', filter: 'weights', ofmap: 'membrane' } }));
    const base = runSchedule(steps, sata);
    const r = runSchedule(steps, spec, { registry });
    const array = r.accelerator.array as unknown as CoolingArray;
    expect(r.accelerator.array.info.type).toBe('test.CoolingArray');
    // A fold whose data is there when the last one ends finds the array cooling: it is refused
    // and resent when the array calls for it, at most 3 cycles later.
    expect(array.refused).toBeGreaterThan(0);
    expect(r.totalCycles).toBeGreaterThan(base.totalCycles);
    expect(r.totalCycles).toBeLessThanOrEqual(base.totalCycles + 3 * array.refused);
    expect(r.steps.map((s) => s.computeCycles)).toEqual(base.steps.map((s) => s.computeCycles));
    // The same work, counted the same.
    expect(r.actions.list()).toEqual(base.actions.list());
  });
});
