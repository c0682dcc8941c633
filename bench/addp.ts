// The ADDP benchmark suite: codec throughput, request round trip over loopback, and crash
// detection of a killed peer, each against its physical limit where there is one.

import { measureCodecThroughput } from './addp/codec-throughput.js';
import { measureCrashDetection } from './addp/crash-detection.js';
import { measureRequestRtt } from './addp/request-rtt.js';
import type { Suite } from './lib/measurement.js';

export const suite: Suite = {
  name: 'addp',
  description: 'ADDP codec throughput, loopback request RTT, crash detection vs bare TCP',
  async run({ progress }) {
    return [
      ...measureCodecThroughput(progress),
      ...(await measureRequestRtt(progress)),
      ...(await measureCrashDetection(progress)),
    ];
  },
};
