// The SCS's durable epoch: written (temp file, fsync, rename, fsync of the directory) before a
// promoted SCS acts under it, so that no crash can make it act twice under the same epoch.

import { mkdir, open, readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { MlayerError, errorMessage } from '@mlayer/common';

/** What the SCS needs of its durable epoch (the chaos harness keeps it in memory). */
export interface EpochStorage {
  load(): Promise<number>;
  /** Resolves once `epoch` is durable. */
  save(epoch: number): Promise<void>;
}

export class EpochStore implements EpochStorage {
  readonly file: string;

  constructor(private readonly dir: string) {
    this.file = join(dir, 'epoch.json');
  }

  async load(): Promise<number> {
    try {
      const { epoch } = JSON.parse(await readFile(this.file, 'utf8')) as { epoch?: unknown };
      return typeof epoch === 'number' && Number.isInteger(epoch) && epoch >= 0 ? epoch : 0;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 0;
      throw new MlayerError('EEPOCH', `cannot read the SCS epoch from ${this.file}: ${errorMessage(error)}`, { cause: error });
    }
  }

  async save(epoch: number): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    const tmp = `${this.file}.tmp`;
    const handle = await open(tmp, 'w');
    try {
      await handle.writeFile(`${JSON.stringify({ epoch })}\n`);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, this.file);
    const dir = await open(this.dir, 'r');
    try {
      await dir.sync();
    } finally {
      await dir.close();
    }
  }
}
