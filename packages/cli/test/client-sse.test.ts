// The SSE decoder of `mlayer events --follow`: whatever way the network splits the stream, the
// same messages come out; oversized events are an error frame, never an exception.

import { expect } from 'chai';
import fc from 'fast-check';
import { SseDecoder, type SseFrame } from '../src/client/sse-decoder.js';

function decodeAll(chunks: readonly string[], max?: number): SseFrame[] {
  const decoder = new SseDecoder(max);
  return chunks.flatMap((chunk) => decoder.push(chunk));
}

const STREAM = ': mlayer event stream\n\nid: 1\ndata: {"seq":1}\n\n: heartbeat\n\nid: 2\nevent: note\ndata: first\ndata: second\n\n';
const EXPECTED: SseFrame[] = [
  { kind: 'message', id: '1', event: 'message', data: '{"seq":1}' },
  { kind: 'message', id: '2', event: 'note', data: 'first\nsecond' },
];

describe('SseDecoder', () => {
  it('decodes id, event and multi-line data, and skips comments', () => {
    expect(decodeAll([STREAM])).to.deep.equal(EXPECTED);
  });

  it('gives the same messages for the stream split at every boundary', () => {
    for (let i = 0; i <= STREAM.length; i += 1) {
      expect(decodeAll([STREAM.slice(0, i), STREAM.slice(i)]), `split at ${i}`).to.deep.equal(EXPECTED);
    }
    expect(decodeAll([...STREAM])).to.deep.equal(EXPECTED);
  });

  it('accepts CRLF and CR line ends, also when a CRLF is split across chunks', () => {
    const crlf = STREAM.replaceAll('\n', '\r\n');
    for (let i = 0; i <= crlf.length; i += 1) expect(decodeAll([crlf.slice(0, i), crlf.slice(i)])).to.deep.equal(EXPECTED);
    // A final lone CR waits for the next chunk (it may be half of a CRLF), e.g. the next heartbeat.
    expect(decodeAll([STREAM.replaceAll('\n', '\r'), ': heartbeat\r'])).to.deep.equal(EXPECTED);
  });

  it('keeps the last id for later events and for Last-Event-ID, and holds an unfinished event back', () => {
    const decoder = new SseDecoder();
    expect(decoder.push('id: 7\ndata: a\n\ndata: b\n\ndata: c\n')).to.deep.equal([
      { kind: 'message', id: '7', event: 'message', data: 'a' },
      { kind: 'message', id: '7', event: 'message', data: 'b' },
    ]);
    expect(decoder.lastEventId).to.equal('7');
  });

  it('returns an error frame for an event over the limit, before holding all of it', () => {
    const decoder = new SseDecoder(64);
    expect(decoder.push('data: ' + 'x'.repeat(40) + '\n')).to.deep.equal([]);
    const frames = decoder.push('data: ' + 'y'.repeat(40) + '\n');
    expect(frames).to.deep.equal([{ kind: 'error', message: 'event larger than 64 characters' }]);
    expect(decoder.failed).to.equal(true);
    expect(decoder.push('\n\ndata: z\n\n')).to.deep.equal([]);
    expect(decodeAll(['x'.repeat(100)], 64)).to.deep.equal([{ kind: 'error', message: 'event larger than 64 characters' }]);
  });

  it('never throws on random input and splits never change the result (property)', () => {
    const alphabet = fc.constantFrom('d', 'a', 't', ':', ' ', 'i', '\n', '\r', 'x', '{', '"');
    fc.assert(
      fc.property(fc.array(alphabet, { maxLength: 200 }), fc.array(fc.nat(200), { maxLength: 6 }), (chars, cuts) => {
        const text = chars.join('');
        const points = [...new Set(cuts.map((c) => Math.min(c, text.length)))].sort((a, b) => a - b);
        const chunks: string[] = [];
        let from = 0;
        for (const p of points) {
          chunks.push(text.slice(from, p));
          from = p;
        }
        chunks.push(text.slice(from));
        // A trailing lone CR is held back until the next chunk shows whether LF follows.
        const whole = decodeAll([text, '\n']);
        expect(decodeAll([...chunks, '\n'])).to.deep.equal(whole);
      }),
    );
  });
});
