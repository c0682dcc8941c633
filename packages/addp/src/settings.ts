// ADDP settings, the HELLO/HELLO_ACK payloads and their negotiation. Pure: no sockets, no clock.

import { ValidationError, parseBoundedDuration } from '@mlayer/common';
import { ProtocolError } from './errors.js';
import { SUPPORTED_VERSIONS } from './frame.js';

export const TRACE_MODES = ['off', 'local', 'remote', 'full'] as const;
export type TraceMode = (typeof TRACE_MODES)[number];

/** Limits of an ADDP timeout: 0.1 s to 3600 s, or 0 to disable. */
export const TIMEOUT_LIMITS = { minMs: 100, maxMs: 3_600_000, zeroDisables: true } as const;

export interface AddpSettings {
  /** How long this side tolerates total silence from its peer before declaring it lost (0 = never). */
  readonly timeoutMs: number;
  /** The timeout this side asks its peer to monitor it with (Genesys `addp-remote-timeout`; 0 = none). */
  readonly remoteTimeoutMs: number;
  readonly trace: TraceMode;
}

export const DEFAULT_SETTINGS: AddpSettings = { timeoutMs: 0, remoteTimeoutMs: 0, trace: 'off' };

/**
 * How long a side that keeps reconnecting gives one attempt (TCP connect plus handshake): twice
 * its ADDP timeout, within 2-10 s (10 s with ADDP off). A peer that answers takes milliseconds;
 * an attempt made into a partition (a SYN or HELLO that is never answered) would otherwise hold
 * the next attempt back long after the network healed.
 */
export function connectTimeoutFor(settings: Pick<AddpSettings, 'timeoutMs'>): number {
  if (settings.timeoutMs === 0) return 10_000;
  return Math.min(10_000, Math.max(2_000, 2 * settings.timeoutMs));
}

export function isTraceMode(value: unknown): value is TraceMode {
  return typeof value === 'string' && (TRACE_MODES as readonly string[]).includes(value);
}

/** Validates a timeout given in seconds (config, flags) and returns whole milliseconds (the wire carries integers). */
export function parseAddpTimeout(seconds: unknown, what = 'ADDP timeout'): number {
  return Math.round(parseBoundedDuration(seconds, what, TIMEOUT_LIMITS));
}

/** Builds checked settings from user-facing values (seconds); throws ValidationError with the key at fault. */
export function addpSettings(input: { timeout?: unknown; remoteTimeout?: unknown; trace?: unknown } = {}): AddpSettings {
  const trace = input.trace ?? 'off';
  if (!isTraceMode(trace)) {
    throw new ValidationError(`ADDP trace must be one of ${TRACE_MODES.join(', ')} (got ${JSON.stringify(trace)})`);
  }
  return {
    timeoutMs: input.timeout === undefined ? 0 : parseAddpTimeout(input.timeout, 'ADDP timeout'),
    remoteTimeoutMs: input.remoteTimeout === undefined ? 0 : parseAddpTimeout(input.remoteTimeout, 'ADDP remote timeout'),
    trace,
  };
}

function checkMs(value: number, what: string): void {
  if (!Number.isInteger(value)) {
    throw new ValidationError(`${what} must be a whole number of milliseconds (got ${value})`);
  }
  if (value !== 0 && (value < TIMEOUT_LIMITS.minMs || value > TIMEOUT_LIMITS.maxMs)) {
    throw new ValidationError(`${what} must be 0 or between 100 ms and 3600 s (got ${value} ms)`);
  }
}

/** Validates settings given directly in milliseconds (library callers). */
export function checkSettings(settings: AddpSettings): AddpSettings {
  checkMs(settings.timeoutMs, 'ADDP timeoutMs');
  checkMs(settings.remoteTimeoutMs, 'ADDP remoteTimeoutMs');
  if (!isTraceMode(settings.trace)) throw new ValidationError(`ADDP trace must be one of ${TRACE_MODES.join(', ')}`);
  return settings;
}

/** HELLO: the initiator's offer. */
export interface Hello {
  readonly versions: readonly number[];
  readonly timeoutMs: number;
  readonly remoteTimeoutMs: number;
  readonly trace: TraceMode;
  readonly name?: string;
  /** Opaque to ADDP: the layer above authenticates with it. */
  readonly auth?: unknown;
}

/** HELLO_ACK: the responder's choice. */
export interface HelloAck {
  readonly version: number;
  readonly timeoutMs: number;
  readonly remoteTimeoutMs: number;
  readonly trace: TraceMode;
  readonly name?: string;
  readonly auth?: unknown;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A timeout on the wire: 0, or whole milliseconds within the limits (a peer asking for 1 ms would make us poll in a busy loop). */
function wireTimeout(record: Record<string, unknown>, key: string): number | undefined {
  const value = record[key];
  if (typeof value !== 'number' || !Number.isInteger(value)) return undefined;
  if (value !== 0 && (value < TIMEOUT_LIMITS.minMs || value > TIMEOUT_LIMITS.maxMs)) return undefined;
  return value;
}

function bad(what: string): ProtocolError {
  return new ProtocolError('ADDP_HANDSHAKE_FAILED', `malformed ${what}`);
}

export function parseHello(value: unknown): Hello | ProtocolError {
  if (!isRecord(value)) return bad('HELLO');
  const { versions, trace, name, auth } = value;
  const timeoutMs = wireTimeout(value, 'timeoutMs');
  const remoteTimeoutMs = wireTimeout(value, 'remoteTimeoutMs');
  if (!Array.isArray(versions) || !versions.every((v) => Number.isInteger(v))) return bad('HELLO: versions');
  if (timeoutMs === undefined || remoteTimeoutMs === undefined) return bad('HELLO: timeouts');
  if (!isTraceMode(trace)) return bad('HELLO: trace');
  if (name !== undefined && typeof name !== 'string') return bad('HELLO: name');
  return { versions: versions as number[], timeoutMs, remoteTimeoutMs, trace, ...(name === undefined ? {} : { name }), auth };
}

export function parseHelloAck(value: unknown): HelloAck | ProtocolError {
  if (!isRecord(value)) return bad('HELLO_ACK');
  const { version, trace, name, auth } = value;
  const timeoutMs = wireTimeout(value, 'timeoutMs');
  const remoteTimeoutMs = wireTimeout(value, 'remoteTimeoutMs');
  if (typeof version !== 'number' || !SUPPORTED_VERSIONS.includes(version)) return bad('HELLO_ACK: version');
  if (timeoutMs === undefined || remoteTimeoutMs === undefined) return bad('HELLO_ACK: timeouts');
  if (!isTraceMode(trace)) return bad('HELLO_ACK: trace');
  if (name !== undefined && typeof name !== 'string') return bad('HELLO_ACK: name');
  return { version, timeoutMs, remoteTimeoutMs, trace, ...(name === undefined ? {} : { name }), auth };
}

/** The highest version both sides speak, or undefined. */
export function chooseVersion(offered: readonly number[]): number | undefined {
  const common = offered.filter((v) => SUPPORTED_VERSIONS.includes(v));
  return common.length === 0 ? undefined : Math.max(...common);
}

/**
 * The timeout this side monitors its peer with: its own `timeoutMs` when set, otherwise the
 * peer's `remoteTimeoutMs` request (a side that does not watch on its own still honours a peer
 * that asks to be watched).
 */
export function monitorTimeout(local: AddpSettings, peerRemoteTimeoutMs: number): number {
  return local.timeoutMs > 0 ? local.timeoutMs : peerRemoteTimeoutMs;
}

/** Whether this side logs each poll: its own trace is local/full, or the peer asks with remote/full. */
export function traceEnabled(localTrace: TraceMode, peerTrace: TraceMode): boolean {
  return localTrace === 'local' || localTrace === 'full' || peerTrace === 'remote' || peerTrace === 'full';
}
