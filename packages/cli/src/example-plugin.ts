import { bufferInfo, BoundedBuffer, Consumer, consumerInfo, Producer, producerInfo } from '@sata/core';
import { componentContribution, definePlugin } from '@sata/plugin-api';

/** The kernel's worked example (producer, bounded buffer, consumer) as a plugin. */
export const examplePlugin = definePlugin({
  name: 'example',
  version: '1.0.0',
  description: 'The worked example of the kernel: a producer, a bounded buffer with backpressure and a consumer',
  components: [
    componentContribution(producerInfo, Producer as never),
    componentContribution(bufferInfo, BoundedBuffer as never),
    componentContribution(consumerInfo, Consumer as never),
  ],
});
