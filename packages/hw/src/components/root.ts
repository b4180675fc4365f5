import { Component, defineComponentInfo, type Simulator } from '@sata/core';

export const acceleratorInfo = defineComponentInfo({
  type: 'hw.Accelerator',
  version: '1.0.0',
  description: "The container of one accelerator: the components of its architecture spec are its children",
  params: {
    clockMHz: { type: 'number', default: 400, min: 1e-6, unit: 'MHz', description: 'accelerator clock (SATA: 400 MHz); one tick is one cycle' },
  },
  ports: {},
  stats: {},
});

/** Names the parts of an accelerator; its children are the components. */
export class AcceleratorRoot extends Component<typeof acceleratorInfo.params> {
  constructor(parent: Simulator | Component, name: string, params?: Readonly<Record<string, unknown>>) {
    super(parent, name, acceleratorInfo, params);
  }
}
