// A client of the demo application's line protocol (CONTRACT.md section 9).

import net from 'node:net';
import { createInterface } from 'node:readline';
import { waitFor } from './wait.js';

/** Sends one request line and resolves with the first answer line. */
export async function ask(port: number, line: string, timeoutMs = 10_000): Promise<string> {
  const socket = net.connect({ host: '127.0.0.1', port });
  try {
    const answer = new Promise<string>((resolve, reject) => {
      createInterface({ input: socket }).once('line', resolve);
      socket.once('error', reject);
      socket.once('close', () => reject(new Error(`demo app on ${port} closed before answering ${line}`)));
      setTimeout(() => reject(new Error(`no answer to ${line} from ${port} in ${timeoutMs} ms`)), timeoutMs).unref();
    });
    socket.write(`${line}\n`);
    return await answer;
  } finally {
    socket.destroy();
  }
}

export interface Watcher {
  readonly lines: string[];
  waitForLine(line: string, timeoutMs?: number): Promise<string>;
  close(): void;
}

/** `WATCH`: collects every line the application pushes. */
export async function watch(port: number): Promise<Watcher> {
  const socket = net.connect({ host: '127.0.0.1', port });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  socket.on('error', () => undefined);
  const lines: string[] = [];
  const reader = createInterface({ input: socket });
  reader.on('line', (line) => lines.push(line));
  socket.write('WATCH\n');
  return {
    lines,
    waitForLine: (line, timeoutMs = 15_000) => waitFor(`"${line}" on WATCH`, () => lines.find((l) => l === line), { timeoutMs, events: [[reader, 'line']] }),
    close: () => socket.destroy(),
  };
}
