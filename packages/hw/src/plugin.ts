import { componentContribution, definePlugin } from '@sata/plugin-api';
import { acceleratorInfo, AcceleratorRoot } from './accelerator.js';
import { Controller, controllerInfo } from './components/controller.js';
import { Dram, dramInfo, GlobalBuffer, globalBufferInfo, Scratchpad, scratchpadInfo } from './components/memory.js';
import { PEArray, peArrayInfo } from './components/pe-array.js';
import { GradientUnit, gradientUnitInfo, LifUnit, lifUnitInfo, SpikeEncoder, spikeEncoderInfo } from './components/units.js';

/** The hardware components as a plugin, so `sata plugins` lists them with their parameters. */
export const hwPlugin = definePlugin({
  name: 'hw',
  version: '1.0.0',
  description: 'SATA hardware components: PE array, scratchpads, global buffers, DRAM, LIF and gradient units, spike encoder, controller',
  components: [
    componentContribution(acceleratorInfo, AcceleratorRoot as never),
    componentContribution(peArrayInfo, PEArray as never),
    componentContribution(scratchpadInfo, Scratchpad as never),
    componentContribution(globalBufferInfo, GlobalBuffer as never),
    componentContribution(dramInfo, Dram as never),
    componentContribution(lifUnitInfo, LifUnit as never),
    componentContribution(gradientUnitInfo, GradientUnit as never),
    componentContribution(spikeEncoderInfo, SpikeEncoder as never),
    componentContribution(controllerInfo, Controller as never),
  ],
});
