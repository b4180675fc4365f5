/**
 * The layer table's contract (architecture.md, "Workloads are graphs"). A layer kind is one
 * module that owns everything about its kind: fields and shape inference, the functional
 * forward and backward over all time steps, its lowering to GEMMs and vector steps for every
 * stage of the SNN schedule and of the ANN baseline, and how its operands' zeros are counted
 * (statistical densities and measured tensors). Nothing outside a kind switches over kinds:
 * the network resolver, the functional BPTT, the schedules and the activity sources call
 * these hooks. A plugin contributes kinds under `layers`.
 */
import type { ContributionBase } from './contributions.js';
import type { GemmShape } from './dataflow.js';

export type Shape3 = readonly [number, number, number];
export type FloatArray = Float32Array | Float64Array;
export type DType = 'float32' | 'float64';

/** What a layer's output holds: binary spikes (AND-gated accumulates downstream) or other values. */
export type ValueKind = 'spike' | 'real';
/**
 * Where a layer's output lives on SATA: currents (pre-neuron values: conv/fc outputs, batch
 * norm, membrane shortcuts) in the membrane partition, activations (spikes and what pooling
 * or spike adds make of them) in the spike partition.
 */
export type OutputRole = 'current' | 'activation';

/** A layer input as the resolver knows it. */
export interface InputInfo {
  /** Index of the producing layer; -1 for the network input. */
  readonly index: number;
  readonly name: string;
  readonly shape: Shape3;
  readonly value: ValueKind;
  readonly role: OutputRole;
}

/** What a kind infers for one layer from its fields and inputs. */
export interface Inferred {
  readonly outShape: Shape3;
  readonly value: ValueKind;
  readonly role: OutputRole;
  /** Bits an element needs when fewer than the run's activation width do (a count of k spikes: ceil(log2(k + 1))). */
  readonly bits?: number;
}

/** A parameter tensor of a layer: trainable (weights, biases, gamma, beta) or a buffer (running statistics). */
export interface ParamDecl {
  readonly name: string;
  readonly shape: readonly number[];
  readonly trainable: boolean;
  /** `normal`: N(0, 1) * gain / sqrt(fanIn); or a constant. */
  readonly init: { readonly kind: 'normal'; readonly fanIn: number } | { readonly kind: 'constant'; readonly value: number };
}

/** One node of a resolved network graph. */
export interface ResolvedLayer<A = Readonly<Record<string, unknown>>> {
  readonly index: number;
  readonly name: string;
  /** The kind's name (its `type`). */
  readonly kind: string;
  readonly def: LayerKind<A>;
  readonly attrs: A;
  /** Producers, in the spec's order (-1: the network input). */
  readonly inputs: readonly number[];
  readonly inputNames: readonly string[];
  readonly inShapes: readonly Shape3[];
  /** The first input's shape and size (values per sample). */
  readonly inShape: Shape3;
  readonly inSize: number;
  readonly outShape: Shape3;
  readonly outSize: number;
  readonly value: ValueKind;
  readonly role: OutputRole;
  readonly bits?: number;
  /** Layers that read this one's output. */
  readonly readers: readonly number[];
  readonly params: readonly ParamDecl[];
  /** Values of the trainable parameters (the size a weight update touches). */
  readonly weightCount: number;
  /** For a format-1 spec expanded into kinds: the spec layer this node came from. */
  readonly origin: number;
}

/** Per-layer parameter values by name (`weight`, `bias`, `gamma`, `beta`, `runningMean`, ...). */
export type LayerParams = Readonly<Record<string, FloatArray>>;

/** Neuron parameters a run configures for neurons whose spec leaves them out (format-1 shorthand). */
export interface NeuronDefaults {
  readonly lam: number;
  readonly theta: number;
}

export interface ForwardContext<A = Readonly<Record<string, unknown>>> {
  readonly layer: ResolvedLayer<A>;
  readonly batch: number;
  readonly T: number;
  readonly dtype: DType;
  /** inputs[i][t]: input i at step t, [batch, ...inShapes[i]] flattened. */
  readonly inputs: readonly (readonly FloatArray[])[];
  readonly params: LayerParams;
  /** Training mode (batch norm normalises by batch statistics); false in evaluation. */
  readonly training: boolean;
  readonly neuron: NeuronDefaults;
  /** Scratch buffers of the functional model's kernels (an snn `Workspace`). */
  readonly scratch: unknown;
  /**
   * Groups of steps that a kind needing every step (batch norm) takes together: all T under
   * BPTT, each window or step under an algorithm that runs forward a window or a step at a
   * time (statistics per step, as online training normalises). Default: one group of all steps.
   */
  readonly groups?: readonly (readonly number[])[];
}

export interface ForwardResult {
  /** y[t], [batch, ...outShape]. */
  readonly y: FloatArray[];
  /** Per-step tensors a kind keeps and reports (a neuron's `u` and `sg`). */
  readonly state?: Readonly<Record<string, FloatArray[]>>;
  /** Batch statistics and the like (batch norm's `mean`, `var`). */
  readonly stats?: Readonly<Record<string, FloatArray>>;
  /** Anything else the backward pass needs. */
  readonly saved?: unknown;
  /** New values of non-trainable parameters (running statistics) that a trainer stores. */
  readonly buffers?: Readonly<Record<string, FloatArray>>;
}

export interface BackwardContext<A = Readonly<Record<string, unknown>>> extends ForwardContext<A> {
  readonly fwd: ForwardResult;
  /** dL/dy[t]. */
  readonly dy: readonly FloatArray[];
  /** Whether each input needs its gradient (the network input does not). */
  readonly needsInputGrad: readonly boolean[];
  /** The training algorithm's cuts: where a neuron's temporal gradient stops, and OTTT's presynaptic trace. */
  readonly algorithm: { cutBefore(t: number): boolean; readonly presynapticTrace?: number };
}

export interface BackwardResult {
  /** dL/dx[t] per input; null where not needed. */
  readonly dx: readonly (FloatArray[] | null)[];
  /** Gradients of the trainable parameters, by name. */
  readonly grads: Readonly<Record<string, FloatArray>>;
  /** Per-step gradient tensors a kind reports (a neuron's `du`). */
  readonly state?: Readonly<Record<string, FloatArray[]>>;
}

// ---------------------------------------------------------------------------------------
// Lowering onto the accelerator

export type LoweringStage = 'FP' | 'BP' | 'WG' | 'WU';
export type LoweringPass = 'forward' | 'backward';

/** A tensor as the schedule names and places it. */
export interface TensorRef {
  readonly tensor: string;
  readonly partition: string;
  readonly bits: number;
  /** Elements per time step (a whole-over-time tensor has T times as many). */
  readonly elements: number;
  readonly value: ValueKind;
}

export interface LoweredAccess {
  readonly ref: TensorRef;
  readonly access: 'read' | 'write';
  /** Elements this access moves (default: the tensor's per-step elements). */
  readonly elements?: number;
}

/** The densities a statistical source knows of a layer at one step: its inputs', its output's and its output gradient's. */
export interface OperandDensities {
  readonly inputs: readonly number[];
  readonly output: number;
  readonly outputGrad: number;
}

/**
 * A GEMM operand that is an activation rather than a weight (attention multiplies
 * activations by activations): which tensor of the layer it comes from and how the tensor
 * becomes the operand matrix. `input` i is a producer's output, `output` and `outputGrad`
 * the layer's own, `state` a per-step tensor the kind reports from its forward or backward
 * pass (`ForwardResult.state`, `BackwardResult.state`).
 */
export interface ActivationOperand {
  readonly tensor: { readonly kind: 'input'; readonly index: number } | { readonly kind: 'output' } | { readonly kind: 'outputGrad' } | { readonly kind: 'state'; readonly name: string };
  /** The operand matrix (ifmap M x K, filter K x N) from the tensor's values at one step, [batch, ...]: measured sparsity. */
  matrix(values: ArrayLike<number>): OperandMatrix;
  /** Nonzero fraction under statistical sparsity (default: the tensor's own density; a state tensor must say). */
  density?(d: OperandDensities): number;
}

/** The operands of a GEMM: ifmap (M x K), filter (K x N), ofmap (M x N). */
export interface LoweredGemm {
  readonly stage: LoweringStage;
  /** Which of the layer's GEMMs (`forward`, `backward`, `weightGrad`, or a kind's own). */
  readonly role: string;
  readonly label: string;
  readonly gemm: GemmShape;
  readonly ifmap: TensorRef;
  readonly filter: TensorRef;
  readonly ofmap: TensorRef;
  readonly operation: 'and_accumulate' | 'mac';
  /** Zeros of which operand gate a PE: the ifmap's, the filter's, either operand's, or none. */
  readonly gating: 'none' | 'ifmap' | 'filter' | 'any';
  /** Time steps stacked into this GEMM (1, or the call's `steps` when batched). */
  readonly steps: number;
  /** The GEMM adds onto what its output holds (weight gradient over steps, gradient fan-in). */
  readonly accumulate?: boolean;
  /** The step it belongs to in the results (default: the t the kind was lowered for). */
  readonly t?: number | null;
  /**
   * Where the zeros of both operands come from when they are activations (attention): the
   * activity source builds the GEMM's activity from these tensors. Without it the GEMM is
   * one of a weighted layer's (`role` forward, backward or weightGrad, the GemmFacet's).
   */
  readonly operands?: { readonly ifmap: ActivationOperand; readonly filter: ActivationOperand };
  /**
   * The part of the ofmap tensor this GEMM writes when several GEMMs of a layer each write
   * a slice of it (attention's heads): only a second write of the same part adds onto the first.
   */
  readonly part?: string;
}

/** Work for a vector unit: per element, the primitive operations of an action class. */
export interface LoweredVector {
  readonly stage: LoweringStage;
  readonly label: string;
  /** `lif` and `gradient` run on SATA's LIF and gradient units with their own operations; `elementwise` names its class and operations. */
  readonly unit: 'lif' | 'gradient' | 'encode' | 'elementwise' | 'vector';
  readonly elements: number;
  readonly bits: number;
  readonly ops?: { readonly component: string; readonly perElement: Readonly<Record<string, number>> };
  readonly skipped?: Readonly<Record<string, number>>;
  readonly traffic: readonly LoweredAccess[];
  /** The step it belongs to in the results (default: the t the kind was lowered for). */
  readonly t?: number | null;
}

/** Bit widths of a run (hardware-model.md section 2). */
export interface LoweringBits {
  readonly spike: number;
  readonly weight: number;
  readonly membrane: number;
  readonly gradient: number;
  readonly activation: number;
}

/**
 * What a kind's `lower` hook is given: the layer, the run's sizes and switches, the names
 * and places of tensors, and two ways to emit work. `t` is a 0-based step, or null for all
 * steps at once (a time-batched GEMM or a kind that needs every step).
 */
export interface LoweringContext<A = Readonly<Record<string, unknown>>> {
  /** `snn`: SATA's BPTT schedule; `ann`: the same graph as an ANN on the baseline (T = 1, ReLU for neurons). */
  readonly mode: 'snn' | 'ann';
  readonly layer: ResolvedLayer<A>;
  readonly batch: number;
  /** Time steps of the iteration (1 for the ANN). */
  readonly T: number;
  readonly bits: LoweringBits;
  /** Zero operands gate work (the sparsity-aware switch of the architecture). */
  readonly gating: boolean;
  /** What the forward pass keeps for a neuron's backward step. */
  readonly keepForBackward: 'membrane' | 'surrogate';
  /** The ANN counterpart's attention: softmax over the scores, or the spiking model's linear attention. */
  readonly annAttention: 'softmax' | 'linear';
  /** The output of input i (of this layer) at step t, or of every step when t is null. */
  input(i: number, t: number | null): TensorRef;
  /** This layer's output. */
  output(t: number | null): TensorRef;
  /** The gradient of this layer's output. */
  outputGrad(t: number | null): TensorRef;
  /** The gradient of input i; null when input i is the network input (nobody needs it). */
  inputGrad(i: number, t: number | null): TensorRef | null;
  /**
   * Makes input i's gradient the very tensor of this layer's output gradient (an identity
   * backward, as an add's) when this layer is input i's only reader; false otherwise (the
   * kind then writes the gradient, and a second contribution adds onto the first).
   */
  aliasInputGrad(i: number): boolean;
  /** A tensor private to this layer (`u`, `sg`, `W`, `dW`, `logits`, ...). */
  own(name: string, opts: { readonly t?: number | null; readonly partition: 'spikes' | 'membrane' | 'weights' | 'gradients' | 'misc'; readonly bits: number; readonly elements: number; readonly value?: ValueKind }): TensorRef;
  /**
   * The training algorithm: whether u[t-1] enters u[t] as a constant (no temporal gradient
   * into step t-1), whether BP at t starts a loss window (the output gradient is computed
   * there), whether FP at t adds onto the same window's mean output as step t-1 (the
   * logits accumulate; otherwise they restart), and OTTT's presynaptic trace decay.
   */
  readonly algorithm: { cutBefore(t: number): boolean; startsLossWindow(t: number): boolean; continuesLossWindow(t: number): boolean; readonly lossWindows: number; readonly presynapticTrace?: number };
  /**
   * The steps a call with t = null covers: an `all-steps` kind's group, or the steps a
   * time-batching dataflow stacks into a GEMM layer's one GEMM (all T under BPTT, a TBPTT
   * window).
   */
  readonly steps: readonly number[];
  /** Neurons whose gradient-unit multiply is skipped at step t (sg or ds zero), from the activity source. */
  gradientSkips(t: number): number;
  gemm(g: LoweredGemm): void;
  vector(v: LoweredVector): void;
}

// ---------------------------------------------------------------------------------------
// Counting zeros

/** A dense row-major matrix; only whether entries are zero matters. */
export interface OperandMatrix {
  readonly rows: number;
  readonly cols: number;
  readonly data: ArrayLike<number>;
}

/** The GEMMs of a weighted kind and its operands as matrices, for measured sparsity. */
export interface GemmFacet<A = Readonly<Record<string, unknown>>> {
  /** Per time step, for a batch (hardware-model.md section 4). */
  shapes(layer: ResolvedLayer<A>, batch: number): { readonly forward: GemmShape; readonly backward: GemmShape; readonly weightGrad: GemmShape };
  /** The forward ifmap (M x K) from the input at one step. */
  forwardIfmap(layer: ResolvedLayer<A>, x: ArrayLike<number>, batch: number): OperandMatrix;
  /** The forward filter (K x N) and the backward filter (K_bp x N_bp) from the weights. */
  forwardFilter(layer: ResolvedLayer<A>, params: LayerParams): OperandMatrix;
  backwardFilter(layer: ResolvedLayer<A>, params: LayerParams): OperandMatrix;
  /** The backward ifmap from the output gradient at one step (a transposed convolution's rows). */
  backwardIfmap(layer: ResolvedLayer<A>, dy: ArrayLike<number>, batch: number): OperandMatrix;
  /** The output gradient as the weight gradient's filter (M_fp x N). */
  gradientMatrix(layer: ResolvedLayer<A>, dy: ArrayLike<number>, batch: number): OperandMatrix;
}

/** Statistical densities a profile gives a neuron layer (nonzero fractions). */
export interface NeuronDensities {
  readonly spike: number;
  readonly firingGradient: number;
  readonly membraneGradient: number;
}

/**
 * How densities pass through a kind under statistical sparsity: its output's from its
 * inputs' (a neuron's from the profile), and the gradient it sends back from its output
 * gradient's.
 */
export interface DensityFacet<A = Readonly<Record<string, unknown>>> {
  output(layer: ResolvedLayer<A>, inputs: readonly number[], neuron: NeuronDensities | null): number;
  inputGrad(layer: ResolvedLayer<A>, outputGrad: number, neuron: NeuronDensities | null): number;
}

export interface LayerKind<A = Readonly<Record<string, unknown>>> extends ContributionBase {
  /** Fields the kind accepts besides type, name and inputs, with what each means. */
  readonly fields: Readonly<Record<string, string>>;
  /** How many inputs it takes (default exactly one). */
  readonly arity?: { readonly min: number; readonly max: number };
  /** A spiking neuron: its spike, firing-gradient and membrane-gradient densities are the three sparsities of BPTT. */
  readonly neuron?: boolean;
  /** The loss head: logits = (1/T) sum_t y[t] (exactly one, the last layer). */
  readonly head?: boolean;
  /** In a network without neuron layers (format 1), a LIF neuron follows every layer of this kind. */
  readonly impliesNeuron?: boolean;
  /**
   * How the schedule may order its work over time: `gemm` work can batch the T steps into
   * one GEMM; `step` work runs once per step in order; `all-steps` needs every step of its
   * input first (batch norm over time), a barrier in a step-by-step schedule.
   */
  readonly timing: 'gemm' | 'step' | 'all-steps';
  /** Validates the kind's fields (names the field and the problem). */
  parse(raw: Readonly<Record<string, unknown>>, where: string): A;
  infer(attrs: A, inputs: readonly InputInfo[], where: string): Inferred;
  params?(attrs: A, inputs: readonly InputInfo[], outShape: Shape3): readonly ParamDecl[];
  forward(ctx: ForwardContext<A>): ForwardResult;
  backward(ctx: BackwardContext<A>): BackwardResult;
  /** Emits the layer's work for one pass at step t (or all steps). */
  lower(ctx: LoweringContext<A>, pass: LoweringPass, t: number | null): void;
  /** The weight update, when the kind has trainable parameters. */
  lowerUpdate?(ctx: LoweringContext<A>): void;
  /** Dense operations per time step and sample batch, for `sata network show`. */
  denseOps(layer: ResolvedLayer<A>, batch: number): { readonly FP: number; readonly BP: number; readonly WG: number };
  readonly gemms?: GemmFacet<A>;
  readonly density: DensityFacet<A>;
}

export type LayerKindContribution = LayerKind<any>;

/** A step in a label: `t3`, or for steps lowered together (t = null) `all-t` (every step) or `t1-t2`. */
export function stepsLabel(t: number | null, steps: readonly number[], T: number): string {
  if (t !== null) return `t${t + 1}`;
  return steps.length === T ? 'all-t' : `t${steps[0]! + 1}-t${steps[steps.length - 1]! + 1}`;
}
