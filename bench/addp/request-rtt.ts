// Request/response round trip over loopback through two ADDP Connections (connect() to an
// AddpServer whose handler echoes the payload), against the same ping-pong of the same bytes over
// two bare net sockets in the same process: the physical limit. The two alternate in blocks so
// that drift (CPU frequency, other load) affects both alike.

import net from 'node:net';
import { once } from 'node:events';
import { AddpServer, type Connection, FrameFlags, FrameType, connect, encodeJsonFrame } from '@mlayer/addp';
import type { Measurement } from '../lib/measurement.js';
import { type Distribution, summarize } from '../lib/stats.js';
import { statusReport } from './workload.js';

const WARMUP_ROUND_TRIPS = 2_000;
const BLOCKS = 10;
const ROUND_TRIPS_PER_BLOCK = 1_000;

type RoundTrip = () => Promise<void>;

async function timeRoundTrips(roundTrip: RoundTrip, count: number, samples: number[]): Promise<void> {
  for (let i = 0; i < count; i += 1) {
    const start = performance.now();
    await roundTrip();
    samples.push((performance.now() - start) * 1000);
  }
}

/** A bare echo: the server writes back every chunk; the client waits for as many bytes as it sent. */
class BarePingPong {
  private readonly server = net.createServer((socket) => {
    socket.setNoDelay(true);
    socket.on('data', (chunk) => socket.write(chunk));
    socket.on('error', () => socket.destroy());
  });
  private client: net.Socket | undefined;
  private received = 0;
  private waiting: (() => void) | undefined;

  constructor(private readonly message: Buffer) {}

  async open(): Promise<void> {
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    const { port } = this.server.address() as net.AddressInfo;
    const client = net.connect({ host: '127.0.0.1', port });
    this.client = client;
    await once(client, 'connect');
    client.setNoDelay(true);
    client.on('data', (chunk: Buffer) => {
      this.received += chunk.length;
      if (this.received >= this.message.length && this.waiting) {
        this.received -= this.message.length;
        const done = this.waiting;
        this.waiting = undefined;
        done();
      }
    });
  }

  readonly roundTrip: RoundTrip = () =>
    new Promise((resolve) => {
      this.waiting = resolve;
      this.client?.write(this.message);
    });

  async close(): Promise<void> {
    this.client?.destroy();
    // The accepted socket ends when the client's FIN arrives, which lets the server close.
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

async function openAddpPair(server: AddpServer): Promise<Connection> {
  server.on('connection', (connection) => connection.setRequestHandler((payload) => payload));
  const { port } = await server.listen(0);
  return connect({ host: '127.0.0.1', port, name: 'bench-client' });
}

function rttRow(which: 'p50' | 'p99', addp: Distribution, bare: Distribution, note?: string): Measurement {
  return {
    name: `request RTT ${which}`,
    value: addp[which],
    unit: 'µs',
    limit: { value: bare[which], source: 'the same ping-pong over two bare net sockets in this process (same bytes each way)', distribution: bare },
    distribution: addp,
    ...(note === undefined ? {} : { note }),
  };
}

export async function measureRequestRtt(progress: (message: string) => void): Promise<Measurement[]> {
  const payload = statusReport(123_456);
  // The frame ADDP puts on the wire each way (the handler echoes the payload), for the bare echo.
  const frame = encodeJsonFrame(FrameType.MESSAGE, FrameFlags.REQUEST, 1, payload);
  const server = new AddpServer();
  const bare = new BarePingPong(frame);
  let client: Connection | undefined;
  try {
    client = await openAddpPair(server);
    await bare.open();
    const link = client;
    const addpRoundTrip: RoundTrip = async () => {
      await link.request(payload);
    };

    progress(`request RTT: warm-up (${WARMUP_ROUND_TRIPS} round trips each)`);
    await timeRoundTrips(addpRoundTrip, WARMUP_ROUND_TRIPS, []);
    await timeRoundTrips(bare.roundTrip, WARMUP_ROUND_TRIPS, []);

    progress(`request RTT: ${BLOCKS} alternating blocks of ${ROUND_TRIPS_PER_BLOCK}`);
    const addpSamples: number[] = [];
    const bareSamples: number[] = [];
    for (let block = 0; block < BLOCKS; block += 1) {
      await timeRoundTrips(addpRoundTrip, ROUND_TRIPS_PER_BLOCK, addpSamples);
      await timeRoundTrips(bare.roundTrip, ROUND_TRIPS_PER_BLOCK, bareSamples);
    }
    const addp = summarize(addpSamples);
    const limit = summarize(bareSamples);
    const note = `${addp.count} sequential requests after ${WARMUP_ROUND_TRIPS} warm-up; ${frame.length}-byte frame each way`;
    return [rttRow('p50', addp, limit, note), rttRow('p99', addp, limit)];
  } finally {
    client?.close();
    await Promise.all([server.close(), bare.close()]);
  }
}
