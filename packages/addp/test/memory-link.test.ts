// The in-memory link: bytes cross on a later tick; a partition drops them, or holds them (and a
// close) until the link heals, as TCP does through a network partition.

import { expect } from 'chai';
import { createMemoryLink } from '@mlayer/addp/internal';

const tick = () => new Promise((resolve) => setImmediate(resolve));

function received(stream: NodeJS.ReadableStream): { data: string[]; ended: boolean } {
  const seen = { data: [] as string[], ended: false };
  stream.on('data', (chunk: Buffer) => seen.data.push(chunk.toString()));
  stream.on('end', () => {
    seen.ended = true;
  });
  return seen;
}

describe('in-memory link', () => {
  it('drops what is written across a partition in drop mode (the default)', async () => {
    const link = createMemoryLink();
    const atServer = received(link.server);
    link.partition('client-to-server');
    link.client.write('lost');
    await tick();
    link.heal();
    link.client.write('after');
    await tick();
    expect(atServer.data).to.deep.equal(['after']);
    link.client.destroy();
    link.server.destroy();
  });

  it('holds what is written across a partition in hold mode and delivers it, in order, on heal', async () => {
    const link = createMemoryLink();
    const atServer = received(link.server);
    const atClient = received(link.client);
    link.partition('client-to-server', 'hold');
    link.client.write('one');
    link.client.write('two');
    link.server.write('back'); // the other direction is open
    await tick();
    expect(atServer.data).to.deep.equal([]);
    expect(atClient.data).to.deep.equal(['back']);
    link.heal();
    await tick();
    expect(atServer.data.join('')).to.equal('onetwo');
    link.client.destroy();
    link.server.destroy();
  });

  it('holds a close too: the peer sees the end only once the link heals', async () => {
    const link = createMemoryLink();
    const atServer = received(link.server);
    link.partition('both', 'hold');
    link.client.write('last words');
    link.client.destroy();
    await tick();
    expect(atServer.ended).to.equal(false);
    link.heal();
    await tick();
    expect(atServer.data).to.deep.equal(['last words']);
    expect(atServer.ended).to.equal(true);
    link.server.destroy();
  });
});
