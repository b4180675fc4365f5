/**
 * The worked custom component of the README's "Adding a component": a zero-skipping PE
 * array for SATA, its registration, and an architecture spec that puts it in SATA's place
 * (`--arch sata-zero-skip`).
 */
import { fileURLToPath } from 'node:url';
import { readArchFile } from '@sata/hw';
import { componentContribution, definePlugin } from '@sata/plugin-api';
import { ZeroSkipPEArray, zeroSkipArrayInfo } from './zero-skip-array.js';

export { ZeroSkipPEArray, zeroSkipArrayInfo } from './zero-skip-array.js';

export const zeroSkipPlugin = definePlugin({
  name: 'component-zero-skip',
  version: '1.0.0',
  description: 'A zero-skipping PE array (zeroskip.PEArray) and the sata-zero-skip architecture that uses it',
  components: [componentContribution(zeroSkipArrayInfo, ZeroSkipPEArray)],
  architectures: [readArchFile(fileURLToPath(new URL('../arch/sata-zero-skip.yaml', import.meta.url)))],
});

export default zeroSkipPlugin;
