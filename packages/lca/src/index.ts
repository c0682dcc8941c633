// @mlayer/lca: the Local Control Agent daemon.
export { LocalControlAgent, type LcaOptions } from './agent.js';
export { type ProcessControl, type LaunchedProcess, systemProcesses } from './launcher.js';
export { type LogRotation, DEFAULT_ROTATION } from './log-files.js';
export { runDemoApp, type DemoApp, type DemoAppOptions } from './demo/demo-app.js';
