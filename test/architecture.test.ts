// The layering of STYLE.md, checked on the sources: dependencies point one way
// (common <- addp <- lca / scs <- cli), no deep imports across packages, no `any` in library code.

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const LAYER: Readonly<Record<string, number>> = { common: 0, addp: 1, lca: 2, scs: 2, cli: 3 };

function sources(dir: string): string[] {
  let files: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) files = files.concat(sources(path));
    else if (name.endsWith('.ts')) files.push(path);
  }
  return files;
}

const packages = readdirSync(join(ROOT, 'packages')).filter((p) => statSync(join(ROOT, 'packages', p, 'src'), { throwIfNoEntry: false })?.isDirectory());

describe('architecture', () => {
  it('knows the layer of every package', () => {
    for (const pkg of packages) expect(LAYER, `packages/${pkg} needs a layer in this test`).to.have.property(pkg);
  });

  for (const pkg of packages) {
    const files = sources(join(ROOT, 'packages', pkg, 'src'));

    it(`packages/${pkg} imports only lower layers, through their public entries`, () => {
      const problems: string[] = [];
      for (const file of files) {
        const text = readFileSync(file, 'utf8');
        for (const match of text.matchAll(/from '@mlayer\/([a-z-]+)(\/[^']*)?'/g)) {
          const [, target = '', subpath] = match;
          const where = relative(ROOT, file);
          if (target === pkg) problems.push(`${where}: imports its own package by name`);
          else if ((LAYER[target] ?? 99) >= (LAYER[pkg] ?? 0)) problems.push(`${where}: ${pkg} must not depend on ${target}`);
          if (subpath !== undefined && !['/app', '/metrics', '/config'].includes(subpath)) problems.push(`${where}: deep import @mlayer/${target}${subpath}`);
        }
      }
      expect(problems).to.deep.equal([]);
    });

    it(`packages/${pkg} has no \`any\` and no console output in library code`, () => {
      const problems: string[] = [];
      for (const file of files) {
        const where = relative(ROOT, file);
        readFileSync(file, 'utf8').split('\n').forEach((line, i) => {
          if (/(:\s*any\b|\bas any\b|<any>)/.test(line)) problems.push(`${where}:${i + 1}: any`);
          if (pkg !== 'cli' && !where.includes('/bin/') && /\bconsole\.(log|error|warn|info)\(/.test(line)) problems.push(`${where}:${i + 1}: console`);
        });
      }
      expect(problems).to.deep.equal([]);
    });
  }
});
