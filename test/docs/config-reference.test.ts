// docs/configuration.md is generated from the configuration schema: it must be exactly what
// scripts/config-reference.ts produces now, list every key the schema accepts and none it
// refuses, and its full example must be a valid file.

import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { parse } from 'yaml';
import { z } from 'zod';
import { ConfigError, configSchema, parseConfig } from '@mlayer/common/config';
import { FULL_EXAMPLE, REFERENCE_FILE, configReference } from '../../scripts/config-reference.js';

interface SchemaKeys {
  /** Every key path, e.g. `scs.addp.timeout`, `applications[].restart.maxDelay`. */
  readonly keys: string[];
  /** Keys whose value is a mapping of free names (env): their entries are not keys. */
  readonly records: Set<string>;
}

/** Walks the zod schema itself (not its JSON Schema, which the generator reads). */
function schemaKeys(schema: z.ZodType, path = '', found: SchemaKeys = { keys: [], records: new Set() }): SchemaKeys {
  if (schema instanceof z.ZodOptional || schema instanceof z.ZodDefault || schema instanceof z.ZodPrefault || schema instanceof z.ZodNullable) {
    return schemaKeys(schema.unwrap() as z.ZodType, path, found);
  }
  if (schema instanceof z.ZodObject) {
    for (const [key, child] of Object.entries(schema.shape as Record<string, z.ZodType>)) {
      const at = path === '' ? key : `${path}.${key}`;
      found.keys.push(at);
      schemaKeys(child, at, found);
    }
  } else if (schema instanceof z.ZodArray) {
    schemaKeys(schema.element as z.ZodType, `${path}[]`, found);
  } else if (schema instanceof z.ZodRecord) {
    found.records.add(path);
  }
  return found;
}

/** The key paths a parsed YAML document uses. */
function dataKeys(value: unknown, records: ReadonlySet<string>, path = '', keys = new Set<string>()): Set<string> {
  if (Array.isArray(value)) {
    for (const item of value) dataKeys(item, records, `${path}[]`, keys);
  } else if (value !== null && typeof value === 'object' && !records.has(path)) {
    for (const [key, child] of Object.entries(value)) {
      const at = path === '' ? key : `${path}.${key}`;
      keys.add(at);
      dataKeys(child, records, at, keys);
    }
  }
  return keys;
}

function documentedKeys(page: string): string[] {
  return [...page.matchAll(/^\| `([^`]+)` \|/gm)].map((m) => m[1] as string);
}

describe('docs/configuration.md', () => {
  const page = readFileSync(REFERENCE_FILE, 'utf8');
  const schema = schemaKeys(configSchema);

  it('is exactly what scripts/config-reference.ts generates from the schema', () => {
    const generated = configReference();
    if (page !== generated) {
      const pageLines = page.split('\n');
      const line = generated.split('\n').findIndex((l, i) => l !== pageLines[i]);
      expect.fail(
        `docs/configuration.md is out of date (first difference at line ${line + 1}: ${JSON.stringify(pageLines[line])}); ` +
          'run `npx tsx scripts/config-reference.ts --write`',
      );
    }
  });

  it('lists every key the schema accepts, once, and no other', () => {
    const listed = documentedKeys(page);
    expect(listed.length, 'a key is listed twice').to.equal(new Set(listed).size);
    const missing = schema.keys.filter((k) => !listed.includes(k));
    const unknown = listed.filter((k) => !schema.keys.includes(k));
    expect(missing, 'keys the schema accepts but the page does not list').to.deep.equal([]);
    expect(unknown, 'keys the page lists but the schema refuses').to.deep.equal([]);
  });

  it('gives a type, a default (or required/optional) and a description for every key', () => {
    for (const row of page.split('\n').filter((l) => /^\| `/.test(l))) {
      const cells = row.split(/(?<!\\)\|/).slice(1, -1).map((c) => c.trim());
      expect(cells, row).to.have.length(4);
      for (const text of cells) expect(text, row).to.not.equal('');
    }
  });

  it('shows a full example that is a valid file and sets every key of the reference', () => {
    expect(page).to.contain(FULL_EXAMPLE.trimEnd());
    const loaded = parseConfig(FULL_EXAMPLE, '/etc/mlayer/solution.yaml');
    expect(loaded.pairs.map((p) => p.name)).to.deep.equal(['tserver-a']);
    const used = dataKeys(parse(FULL_EXAMPLE), schema.records);
    expect(schema.keys.filter((k) => !used.has(k)), 'keys the example does not set').to.deep.equal([]);
  });

  it('is right that unknown keys are refused', () => {
    const withTypo = FULL_EXAMPLE.replace('  startWindow: 10', '  startWindow: 10\n  startwindow: 10');
    expect(() => parseConfig(withTypo, 'typo.yaml')).to.throw(ConfigError).with.property('problems').that.satisfies((problems: string[]) =>
      problems.length === 1 && /^typo\.yaml:10: scs\.startwindow: unknown key/.test(problems[0] ?? ''),
    );
  });
});
