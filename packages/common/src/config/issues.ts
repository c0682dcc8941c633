// Schema failures in plain words: zod issues become problems that say what is wrong and what to
// do ("is required", "must be a number of seconds; got "3s"", "unknown key; did you mean ...").

import { z } from 'zod';
import { configSchema } from './schema.js';
import { type ConfigPath, type ConfigProblem, describeValue, valueAt } from './problems.js';

const NOUNS: Readonly<Record<string, string>> = {
  string: 'text',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  object: 'a mapping (key: value)',
  record: 'a mapping (key: value)',
  array: 'a list',
};

/** The error map for parsing the file: used for every check whose schema sets no message of its own. */
export function plainMessage(issue: z.core.$ZodRawIssue): string | undefined {
  switch (issue.code) {
    case 'invalid_type':
      return `must be ${NOUNS[issue.expected] ?? issue.expected}`;
    case 'invalid_value':
      return `must be one of ${issue.values.map(String).join(', ')}; got ${describeValue(issue.input)}`;
    case 'too_small':
      if (issue.origin === 'string' && issue.minimum === 1) return 'must not be empty';
      if (issue.origin === 'array') return `needs at least ${issue.minimum} item(s)`;
      return `must be ${issue.inclusive ? 'at least' : 'more than'} ${issue.minimum}`;
    case 'invalid_key':
      return 'is not a valid name: it must not be empty or contain "="';
    case 'too_big':
      if (issue.origin === 'string') return `must be at most ${issue.maximum} characters`;
      return `must be ${issue.inclusive ? 'at most' : 'less than'} ${issue.maximum}`;
    default:
      return undefined;
  }
}

/** The schema that describes the value at `path` (through lists, defaults and optionals). */
function schemaAt(path: ConfigPath): z.ZodType | undefined {
  let schema: z.ZodType | undefined = configSchema;
  for (const step of path) {
    while (schema instanceof z.ZodDefault || schema instanceof z.ZodPrefault || schema instanceof z.ZodOptional) {
      schema = schema.unwrap() as z.ZodType;
    }
    if (schema instanceof z.ZodObject && typeof step === 'string') schema = (schema.shape as Record<string, z.ZodType>)[step];
    else if (schema instanceof z.ZodArray && typeof step === 'number') schema = schema.element as z.ZodType;
    else return undefined;
  }
  while (schema instanceof z.ZodDefault || schema instanceof z.ZodPrefault || schema instanceof z.ZodOptional) {
    schema = schema.unwrap() as z.ZodType;
  }
  return schema;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

function unknownKey(objectPath: ConfigPath, key: string): string {
  const schema = schemaAt(objectPath);
  const known = schema instanceof z.ZodObject ? Object.keys(schema.shape) : [];
  const close = known.find((k) => k.toLowerCase() === key.toLowerCase()) ?? known.find((k) => editDistance(k, key) <= 2);
  if (close !== undefined) return `unknown key; did you mean "${close}"?`;
  return known.length > 0 ? `unknown key; the keys here are ${known.join(', ')}` : 'unknown key';
}

/** Turns the issues of a failed parse into problems; `data` is what was parsed, to show offending values. */
export function issueProblems(issues: readonly z.core.$ZodIssue[], data: unknown): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  for (const issue of issues) {
    const path = issue.path.filter((step): step is string | number => typeof step !== 'symbol');
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) problems.push({ path: [...path, key], message: unknownKey(path, key) });
      continue;
    }
    const value = valueAt(data, path);
    if (path.length === 0 && issue.code === 'invalid_type') {
      const what = value === null || value === undefined ? 'the file is empty' : `the file holds ${describeValue(value)}`;
      problems.push({ path, message: `${what}; it must be a mapping with the keys scs, hosts and applications` });
    } else if (issue.code === 'invalid_type' && value === undefined) {
      problems.push({ path, message: 'is required' });
    } else {
      const wrongKind = issue.code === 'invalid_type' || issue.code === 'invalid_union';
      const scalar = typeof value === 'number' || typeof value === 'boolean' || (typeof value === 'string' && value !== '');
      const aboutValue = issue.code !== 'invalid_key' && !issue.message.includes('got ');
      const shown = aboutValue && (wrongKind || scalar) ? `; got ${describeValue(value)}` : '';
      problems.push({ path, message: `${issue.message}${shown}` });
    }
  }
  return problems;
}
