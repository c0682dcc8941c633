// The events of the journal, the API and the SSE stream (CONTRACT.md section 6). Every event
// gets `seq` (strictly increasing, never reused across restarts) and `time` when journaled.

import type { AppStatus, Role, SwitchoverReason } from '@mlayer/common';

export type ScsEventBody =
  | { readonly type: 'app-status'; readonly app: string; readonly host: string; readonly from: AppStatus; readonly to: AppStatus }
  | { readonly type: 'app-role'; readonly app: string; readonly from: Role; readonly to: Role }
  | {
      readonly type: 'switchover-started';
      readonly pair: string;
      readonly from: string | null;
      readonly to: string;
      readonly reason: SwitchoverReason;
      readonly unsynchronized?: boolean;
    }
  | {
      readonly type: 'switchover-completed';
      readonly pair: string;
      readonly primary: string;
      readonly reason: SwitchoverReason;
      readonly ms: number;
      readonly unsynchronized?: boolean;
    }
  | { readonly type: 'switchover-failed'; readonly pair: string; readonly reason: SwitchoverReason; readonly message: string }
  | { readonly type: 'switchover-blocked'; readonly pair: string; readonly candidate: string; readonly guard: string; readonly message: string }
  | { readonly type: 'host-connected'; readonly host: string }
  | { readonly type: 'host-disconnected'; readonly host: string }
  | { readonly type: 'app-restart-scheduled'; readonly app: string; readonly inMs: number; readonly attempt: number }
  | { readonly type: 'app-hung'; readonly app: string }
  | { readonly type: 'scs-role'; readonly scs: string; readonly from: string; readonly to: string; readonly epoch: number }
  | { readonly type: 'split-brain'; readonly scs: string; readonly peer: string; readonly epochs: Readonly<Record<string, number>> }
  | { readonly type: 'flapping'; readonly pair: string; readonly switchovers: number; readonly windowS: number }
  | { readonly type: 'config-reloaded'; readonly changes: readonly string[] }
  | { readonly type: 'config-rejected'; readonly errors: readonly string[] };

export type ScsEventType = ScsEventBody['type'];

export type JournalEvent = ScsEventBody & {
  readonly seq: number;
  /** ISO-8601 with milliseconds. */
  readonly time: string;
};
