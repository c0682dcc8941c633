// Where a value of the configuration is written: a path of keys and indexes to a line of the
// YAML text, through the parsed Document and its LineCounter.

import { type Document, type LineCounter, isAlias, isMap, isScalar, isSeq } from 'yaml';
import type { ConfigPath } from './problems.js';

function start(node: unknown): number | undefined {
  if (typeof node !== 'object' || node === null || !('range' in node)) return undefined;
  const range = (node as { range?: readonly number[] | null }).range;
  return range?.[0];
}

function keyText(key: unknown): string {
  return isScalar(key) ? String(key.value) : String(key);
}

export class SourceMap {
  constructor(
    private readonly doc: Document,
    private readonly lines: LineCounter,
  ) {}

  /**
   * The line of the value at `path`: the line of its key in a mapping, of the item in a list.
   * A path that does not exist (a missing key) gives the line of its deepest existing parent.
   */
  lineOf(path: ConfigPath): number {
    let node: unknown = this.doc.contents;
    let offset = start(node) ?? 0;
    for (const step of path) {
      if (isAlias(node)) node = node.resolve(this.doc);
      if (isMap(node)) {
        const pair = node.items.find((item) => keyText(item.key) === String(step));
        if (pair === undefined) break;
        offset = start(pair.key) ?? offset;
        node = pair.value;
      } else if (isSeq(node) && typeof step === 'number') {
        const item: unknown = node.items[step];
        if (item === undefined) break;
        offset = start(item) ?? offset;
        node = item;
      } else {
        break;
      }
    }
    return this.lines.linePos(offset).line;
  }

  /** The line of a character offset (YAML syntax errors carry offsets). */
  lineAt(offset: number): number {
    return this.lines.linePos(offset).line;
  }
}
