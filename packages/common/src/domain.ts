// The vocabulary of CONTRACT.md section 4: application statuses, roles and switchover reasons.

export const APP_STATUSES = [
  'unknown',
  'start-pending',
  'initializing',
  'started',
  'service-unavailable',
  'suspending',
  'suspended',
  'stop-pending',
  'stopped',
  'hung',
] as const;
export type AppStatus = (typeof APP_STATUSES)[number];

export const ROLES = ['primary', 'backup', 'none'] as const;
export type Role = (typeof ROLES)[number];

export const SWITCHOVER_REASONS = [
  'process-failure',
  'hang',
  'service-unavailable',
  'host-failure',
  'manual',
  'backup-recovered',
] as const;
export type SwitchoverReason = (typeof SWITCHOVER_REASONS)[number];

export const REDUNDANCY_TYPES = ['none', 'warm-standby', 'hot-standby'] as const;
export type RedundancyType = (typeof REDUNDANCY_TYPES)[number];

export const APP_KINDS = ['generic', 'config-server'] as const;
export type AppKind = (typeof APP_KINDS)[number];

/** Statuses an application may report about itself through the SDK. */
export const REPORTABLE_STATUSES = ['initializing', 'started', 'service-unavailable', 'suspending', 'suspended'] as const;
export type ReportableStatus = (typeof REPORTABLE_STATUSES)[number];

/** A running process: the LCA holds its pid and it may serve. */
export function isRunning(status: AppStatus): boolean {
  return status === 'initializing' || status === 'started' || status === 'service-unavailable'
    || status === 'suspending' || status === 'suspended';
}

function isOneOf<T extends string>(values: readonly T[]) {
  return (value: unknown): value is T => typeof value === 'string' && (values as readonly string[]).includes(value);
}

export const isAppStatus = isOneOf(APP_STATUSES);
export const isRole = isOneOf(ROLES);
export const isSwitchoverReason = isOneOf(SWITCHOVER_REASONS);
export const isReportableStatus = isOneOf(REPORTABLE_STATUSES);
