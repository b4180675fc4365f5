import { componentContribution, definePlugin } from '@sata/plugin-api';
import { BUILTIN_ARCHITECTURES } from './arch/spec.js';
import { Controller, controllerInfo } from './components/controller.js';
import { Dram, dramInfo, GlobalBuffer, globalBufferInfo, Scratchpad, scratchpadInfo } from './components/memory.js';
import { PEArray, peArrayInfo } from './components/pe-array.js';
import { acceleratorInfo, AcceleratorRoot } from './components/root.js';
import { GradientUnit, gradientUnitInfo, LifUnit, lifUnitInfo, SpikeEncoder, spikeEncoderInfo, VectorArithmeticUnit, vectorUnitInfo } from './components/units.js';

/** The hardware components and the built-in architecture specs (sata, eyeriss) as a plugin: `sata plugins` lists them. */
export const hwPlugin = definePlugin({
  name: 'hw',
  version: '1.1.0',
  description: 'SATA hardware components (PE array, scratchpads, global buffers, DRAM, LIF and gradient units, spike encoder, controller) and the sata and eyeriss architecture specs',
  components: [
    componentContribution(acceleratorInfo, AcceleratorRoot as never),
    componentContribution(peArrayInfo, PEArray as never),
    componentContribution(scratchpadInfo, Scratchpad as never),
    componentContribution(globalBufferInfo, GlobalBuffer as never),
    componentContribution(dramInfo, Dram as never),
    componentContribution(lifUnitInfo, LifUnit as never),
    componentContribution(vectorUnitInfo, VectorArithmeticUnit as never),
    componentContribution(gradientUnitInfo, GradientUnit as never),
    componentContribution(spikeEncoderInfo, SpikeEncoder as never),
    componentContribution(controllerInfo, Controller as never),
  ],
  architectures: BUILTIN_ARCHITECTURES,
});
