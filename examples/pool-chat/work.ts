// examples/pool-chat's work module: CPU-heavy functions that run on the WorkPool's threads,
// never on a loop thread. Input and output are plain data (structured clone).
import { createHash } from 'node:crypto';
import { defineWork } from '../../src/index.js';

export default defineWork({
  sha256(text: string): string {
    return createHash('sha256').update(text).digest('hex');
  },
});
