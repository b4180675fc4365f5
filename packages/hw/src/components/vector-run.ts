/**
 * One vector step: the unit's input tensors are read (from DRAM through their partition
 * when not on chip), the unit works, then its outputs are written: pinned on chip when kept
 * and they fit, else through the partition to DRAM. Every move is recorded once, in the
 * step's ledger.
 */
import type { VectorStep } from '../schedule.js';
import type { ControllerServices, StepInProgress } from './controller.js';

const unitOf = (step: VectorStep): 'lif' | 'gradient' | 'encoder' | 'vector' => (step.kind === 'gradient' ? 'gradient' : step.kind === 'encode' ? 'encoder' : step.kind === 'vector' ? 'vector' : 'lif');

export class VectorRun {
  private readonly unit: 'lif' | 'gradient' | 'encoder' | 'vector';
  /** When the vector went to the unit (after the wait for its inputs). */
  private sentAt: number;

  constructor(private readonly ctl: ControllerServices, private readonly step: VectorStep, private readonly s: StepInProgress) {
    this.unit = unitOf(step);
    this.sentAt = ctl.now;
    const { buffers, dram } = ctl.parts;
    let dramBits = 0;
    for (const acc of step.traffic ?? []) {
      if (acc.access !== 'read') continue;
      const gb = buffers.get(acc.partition)!;
      if (!gb.isPinned(acc.tensor)) {
        dramBits += acc.elements * acc.bitsPerElement;
        s.ledger.move(acc.tensor, dram, gb, acc.elements, acc.bitsPerElement, 'ifmap');
      }
      s.ledger.move(acc.tensor, gb, this.unit, acc.elements, acc.bitsPerElement);
      if (acc.release) gb.unpin(acc.tensor);
    }
    if (dramBits === 0) this.run();
    else {
      const asked = ctl.now;
      ctl.dram.read(dramBits, () => {
        s.stallCycles += ctl.now - asked;
        ctl.stall(ctl.now - asked);
        ctl.tl?.waitedForDram(this.unitName(), asked, ctl.now);
        this.sentAt = ctl.now;
        this.run();
      });
    }
  }

  private run(): void {
    const { step } = this;
    this.ctl.units[this.unit].send({ elements: step.elements, bits: step.bits, actions: this.s.ledger.actions, ops: step.ops, skipped: step.skipped });
  }

  /** The unit's component name (a timeline's track). */
  private unitName(): string {
    return this.ctl.units[this.unit].peerName;
  }

  unitDone(): void {
    const s = this.s;
    s.computeCycles = this.ctl.now - s.startCycle - s.stallCycles;
    this.ctl.tl?.vectorDone(this.unitName(), s.step.label, this.sentAt, this.ctl.now, this.step.elements);
    this.writeOutputs();
    this.ctl.stepDone(s);
  }

  private writeOutputs(): void {
    const { buffers, dram } = this.ctl.parts;
    let dramBits = 0;
    for (const acc of this.step.traffic ?? []) {
      if (acc.access !== 'write') continue;
      const gb = buffers.get(acc.partition)!;
      const bits = acc.elements * acc.bitsPerElement;
      this.s.ledger.move(acc.tensor, this.unit, gb, acc.elements, acc.bitsPerElement);
      // Written a step at a time: a tensor pinned whole grows by each part.
      const placed = acc.keep ? gb.pin(acc.tensor, bits, true) : { pinned: false, spillBits: 0 };
      if (placed.spillBits > 0) {
        // What no longer fits (this tensor's earlier parts, or evicted partial sums) goes to DRAM.
        dramBits += placed.spillBits;
        this.s.ledger.route(acc.tensor, gb, dram, 1, 'psum').addBits(placed.spillBits);
      }
      if (!placed.pinned) {
        dramBits += bits;
        this.s.ledger.move(acc.tensor, gb, dram, acc.elements, acc.bitsPerElement, 'ofmap');
      }
    }
    // Writes are posted: they occupy the DRAM channel but nobody waits for them.
    this.ctl.dram.write(dramBits);
  }
}
