// The two sides of the HELLO / HELLO_ACK exchange, as functions from the peer's payload to an
// outcome. The Connection does the I/O; nothing here touches a socket or a timer.

import { errorMessage } from '@mlayer/common';
import { ProtocolError } from './errors.js';
import { SUPPORTED_VERSIONS } from './frame.js';
import {
  type AddpSettings,
  type Hello,
  type HelloAck,
  checkSettings,
  chooseVersion,
  monitorTimeout,
  parseHello,
  parseHelloAck,
  traceEnabled,
} from './settings.js';

export interface PeerInfo {
  readonly name: string | undefined;
  readonly version: number;
  /** The timeout this side monitors the peer with (0 = not monitored). */
  readonly monitorTimeoutMs: number;
  /** Whether this side logs each poll and ack. */
  readonly trace: boolean;
  /** The peer's auth payload from its HELLO or HELLO_ACK. */
  readonly auth: unknown;
}

/** What a server's `accept` hook decides for a HELLO it approves. */
export interface AcceptResult {
  /** Auth payload for the HELLO_ACK. */
  readonly auth?: unknown;
  /** Monitor this peer with this timeout instead of the negotiated one. */
  readonly timeoutMs?: number;
}

export type AcceptHook = (hello: Hello) => AcceptResult | Promise<AcceptResult>;
export type VerifyHook = (ack: HelloAck) => void | Promise<void>;

export type HandshakeOutcome =
  | { readonly ok: true; readonly peer: PeerInfo; readonly reply?: HelloAck }
  | { readonly ok: false; readonly message: string };

export function helloFor(settings: AddpSettings, name: string | undefined, auth: unknown): Hello {
  return {
    versions: SUPPORTED_VERSIONS,
    timeoutMs: settings.timeoutMs,
    remoteTimeoutMs: settings.remoteTimeoutMs,
    trace: settings.trace,
    ...(name === undefined ? {} : { name }),
    auth,
  };
}

/** Server side: checks a HELLO, lets `accept` approve it, and builds the HELLO_ACK. */
export async function answerHello(
  value: unknown,
  settings: AddpSettings,
  name: string | undefined,
  accept: AcceptHook | undefined,
): Promise<HandshakeOutcome> {
  const hello = parseHello(value);
  if (hello instanceof ProtocolError) return { ok: false, message: hello.message };
  const version = chooseVersion(hello.versions);
  if (version === undefined) {
    return { ok: false, message: `no common protocol version (peer: ${hello.versions.join(', ')}; here: ${SUPPORTED_VERSIONS.join(', ')})` };
  }
  let accepted: AcceptResult;
  try {
    accepted = (await accept?.(hello)) ?? {};
  } catch (error) {
    return { ok: false, message: errorMessage(error) };
  }
  if (accepted.timeoutMs !== undefined) {
    try {
      checkSettings({ timeoutMs: accepted.timeoutMs, remoteTimeoutMs: 0, trace: 'off' });
    } catch (error) {
      return { ok: false, message: `local misconfiguration: ${errorMessage(error)}` };
    }
  }
  const monitorMs = accepted.timeoutMs ?? monitorTimeout(settings, hello.remoteTimeoutMs);
  const reply: HelloAck = {
    version,
    timeoutMs: monitorMs,
    remoteTimeoutMs: settings.remoteTimeoutMs,
    trace: settings.trace,
    ...(name === undefined ? {} : { name }),
    auth: accepted.auth,
  };
  const peer = { name: hello.name, version, monitorTimeoutMs: monitorMs, trace: traceEnabled(settings.trace, hello.trace), auth: hello.auth };
  return { ok: true, peer, reply };
}

/** Client side: checks the HELLO_ACK and lets `verify` approve it. */
export async function checkHelloAck(value: unknown, settings: AddpSettings, verify: VerifyHook | undefined): Promise<HandshakeOutcome> {
  const ack = parseHelloAck(value);
  if (ack instanceof ProtocolError) return { ok: false, message: ack.message };
  try {
    await verify?.(ack);
  } catch (error) {
    return { ok: false, message: errorMessage(error) };
  }
  const monitorMs = monitorTimeout(settings, ack.remoteTimeoutMs);
  return { ok: true, peer: { name: ack.name, version: ack.version, monitorTimeoutMs: monitorMs, trace: traceEnabled(settings.trace, ack.trace), auth: ack.auth } };
}
