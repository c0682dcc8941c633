// Reading a configuration file: YAML with line numbers, the schema, the cross-key rules, and
// every problem reported at once as `FILE:LINE: message`, in line order.

import { readFileSync } from 'node:fs';
import { LineCounter, type YAMLError, parseDocument } from 'yaml';
import { errorMessage } from '../errors.js';
import { checkReferences } from './checks.js';
import { issueProblems, plainMessage } from './issues.js';
import { type LoadedConfig, normalizeConfig } from './normalize.js';
import { ConfigError, type ConfigProblem, formatPath } from './problems.js';
import { configSchema } from './schema.js';
import { SourceMap } from './source.js';

interface Located {
  readonly line: number;
  readonly message: string;
}

function yamlMessage(error: YAMLError, text: string): string {
  switch (error.code) {
    case 'DUPLICATE_KEY': {
      const key = /^[^:\n]*/.exec(text.slice(error.pos[0]))?.[0].trim() ?? '';
      return `key "${key}" appears twice in the same mapping; keep one`;
    }
    case 'MULTIPLE_DOCS':
      return 'the file holds more than one YAML document ("---"); keep one';
    case 'TAB_AS_INDENT':
      return 'YAML does not allow tabs for indentation; indent with spaces';
    default:
      return `YAML syntax error: ${error.message}`;
  }
}

/**
 * One problem per line: after a syntax error the parser often trips over every following token
 * ("Unexpected scalar token"), which says nothing new, so such follow-up errors are left out.
 */
function syntaxProblems(errors: readonly YAMLError[], text: string, source: SourceMap): Located[] {
  const located: Located[] = [];
  const lines = new Set<number>();
  for (const error of [...errors].sort((a, b) => a.pos[0] - b.pos[0])) {
    const line = source.lineAt(error.pos[0]);
    if (lines.has(line) || (error.code === 'UNEXPECTED_TOKEN' && located.length > 0)) continue;
    lines.add(line);
    located.push({ line, message: yamlMessage(error, text) });
  }
  return located;
}

function report(file: string, located: readonly Located[]): ConfigError {
  const sorted = located.map((entry, order) => ({ ...entry, order })).sort((a, b) => a.line - b.line || a.order - b.order);
  const lines = [...new Set(sorted.map(({ line, message }) => `${file}:${line}: ${message}`))];
  return new ConfigError(file, lines);
}

function place(problem: ConfigProblem, source: SourceMap): Located {
  const label = formatPath(problem.path);
  return { line: source.lineOf(problem.path), message: label === '' ? problem.message : `${label}: ${problem.message}` };
}

/**
 * Parses the text of a configuration file. `file` names it in problems and is the base of its
 * relative paths. Throws ConfigError with every problem found.
 */
export function parseConfig(text: string, file: string): LoadedConfig {
  const lineCounter = new LineCounter();
  // merge keys (`<<: *defaults`) let applications share settings through an anchor
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, merge: true });
  const source = new SourceMap(doc, lineCounter);
  if (doc.errors.length > 0) throw report(file, syntaxProblems(doc.errors, text, source));
  let data: unknown;
  try {
    data = doc.toJS();
  } catch (error) {
    // e.g. too many alias expansions: the YAML is well-formed but cannot be used
    throw report(file, [{ line: 1, message: `cannot read the YAML: ${errorMessage(error)}` }]);
  }
  const parsed = configSchema.safeParse(data, { error: plainMessage });
  const problems = [...(parsed.success ? [] : issueProblems(parsed.error.issues, data)), ...checkReferences(data)];
  if (!parsed.success || problems.length > 0) {
    throw report(file, problems.map((problem) => place(problem, source)));
  }
  return normalizeConfig(parsed.data, file);
}

/** Reads and parses a configuration file; throws ConfigError when it cannot be read or is not valid. */
export function loadConfig(file: string): LoadedConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(file, [`${file}: cannot read the configuration file: ${errorMessage(error)}`], {
      cause: error,
      summary: `cannot read the configuration file ${file}`,
    });
  }
  return parseConfig(text, file);
}
