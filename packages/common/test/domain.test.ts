// The contract's vocabulary (CONTRACT.md section 4) and its predicates.

import { expect } from 'chai';
import {
  APP_KINDS,
  APP_STATUSES,
  REDUNDANCY_TYPES,
  REPORTABLE_STATUSES,
  ROLES,
  SWITCHOVER_REASONS,
  isAppStatus,
  isReportableStatus,
  isRole,
  isRunning,
  isSwitchoverReason,
} from '@mlayer/common';

const NOT_NAMES: unknown[] = ['', 'Started', 'PRIMARY', ' started', 'started ', 1, null, undefined, {}, ['started']];

describe('domain vocabulary', () => {
  it('lists exactly the statuses, roles, reasons, redundancy types and kinds of the contract', () => {
    expect(APP_STATUSES).to.deep.equal([
      'unknown', 'start-pending', 'initializing', 'started', 'service-unavailable',
      'suspending', 'suspended', 'stop-pending', 'stopped', 'hung',
    ]);
    expect(ROLES).to.deep.equal(['primary', 'backup', 'none']);
    expect(SWITCHOVER_REASONS).to.deep.equal(['process-failure', 'hang', 'service-unavailable', 'host-failure', 'manual', 'backup-recovered']);
    expect(REDUNDANCY_TYPES).to.deep.equal(['none', 'warm-standby', 'hot-standby']);
    expect(APP_KINDS).to.deep.equal(['generic', 'config-server']);
  });

  it('counts as running exactly the statuses in which the process exists and may serve', () => {
    const running = APP_STATUSES.filter(isRunning);
    expect(running).to.deep.equal(['initializing', 'started', 'service-unavailable', 'suspending', 'suspended']);
  });

  it('lets an application report only statuses of a running process', () => {
    expect(REPORTABLE_STATUSES.every(isRunning)).to.equal(true);
    expect(REPORTABLE_STATUSES.every(isAppStatus)).to.equal(true);
  });

  const predicates: Array<[string, (value: unknown) => boolean, readonly string[]]> = [
    ['isAppStatus', isAppStatus, APP_STATUSES],
    ['isRole', isRole, ROLES],
    ['isSwitchoverReason', isSwitchoverReason, SWITCHOVER_REASONS],
    ['isReportableStatus', isReportableStatus, REPORTABLE_STATUSES],
  ];
  for (const [name, predicate, values] of predicates) {
    it(`${name} accepts each of its names and nothing else`, () => {
      for (const value of values) expect(predicate(value), value).to.equal(true);
      for (const value of NOT_NAMES) expect(predicate(value), JSON.stringify(value) ?? 'undefined').to.equal(false);
    });
  }

  it('tells vocabularies apart', () => {
    expect(isRole('started')).to.equal(false);
    expect(isAppStatus('primary')).to.equal(false);
    expect(isReportableStatus('stopped')).to.equal(false);
    expect(isReportableStatus('hung')).to.equal(false);
    expect(isSwitchoverReason('service-unavailable')).to.equal(true);
    expect(isSwitchoverReason('timeout')).to.equal(false);
  });
});
