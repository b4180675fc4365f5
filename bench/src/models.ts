import { Component, defineComponentInfo, type Simulator } from '@sata/core';

/** Returns every message it receives, counted up: the two ends of the ping-pong benchmarks. */
export const pingInfo = defineComponentInfo({
  type: 'bench.Ping',
  version: '1.0.0',
  description: 'returns every message it receives, counting it up',
  params: {},
  ports: { io: 'the link to the other player' },
  stats: {},
});

export class Ping extends Component {
  constructor(sim: Simulator, name: string) {
    super(sim, name, pingInfo);
    const p = this.port<number>('io');
    p.onReceive((n) => void p.trySend(n + 1));
  }
}
