// The configuration file (CONTRACT.md section 3): schema, loader and reload differences.

export {
  configSchema,
  scsSchema,
  hostSchema,
  applicationSchema,
  NAME_PATTERN,
  ADDP_TRACE_MODES,
  ADDP_TIMEOUT_RANGE,
  PAIR_OPTIONS,
  type AddpTraceMode,
  type ConfigFile,
  type ApplicationEntry,
} from './schema.js';
export { ConfigError, type ConfigPath, type ConfigProblem } from './problems.js';
export { loadConfig, parseConfig } from './loader.js';
export type { LoadedConfig, ScsConfig, HostConfig, ApplicationConfig, PairConfig } from './normalize.js';
export {
  diffConfigs,
  type ConfigChanges,
  type SectionChanges,
  type Changed,
  type ScsChange,
  type ApplicationField,
  type PairField,
  type HostField,
} from './diff.js';
