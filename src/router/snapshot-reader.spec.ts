import { RoutingProtocolError } from './routing-table.js';
import { SnapshotReader } from './snapshot-reader.js';

/** Feeds `text` in pieces cut at `cuts` (byte offsets), returns the version and the entries. */
function read(text: string, cuts: number[] = []): { version: number; entries: unknown[] } {
  const bytes = Buffer.from(text);
  const entries: unknown[] = [];
  const reader = new SnapshotReader((value) => entries.push(value));
  let from = 0;
  for (const cut of [...cuts, bytes.length]) {
    reader.write(bytes.subarray(from, cut));
    from = cut;
  }
  return { version: reader.end(), entries };
}

const APPS = [
  { id: 'a', name: 'one', hosts: ['one.localhost'], maintenance: false, web_dynos: [] },
  // Braces, brackets, quotes and escapes inside strings, and a multi-byte character.
  { id: 'b', name: 'tw"o', maintenance_page_url: 'https://x/{[}]\\"é', web: { quantity: 2 } },
  { id: 'c', name: 'three', web_dynos: [{ name: 'web.1', address: '10.0.0.1:5000' }] },
];

describe('SnapshotReader', () => {
  it('hands over every entry and the version, however the bytes are split', () => {
    const text = JSON.stringify({ version: 42, apps: APPS });
    const whole = read(text);
    expect(whole).toEqual({ version: 42, entries: APPS });
    const length = Buffer.byteLength(text);
    for (let cut = 1; cut < length; cut++) {
      expect(read(text, [cut])).toEqual(whole);
    }
    expect(
      read(
        text,
        Array.from({ length: length - 1 }, (_, i) => i + 1),
      ),
    ).toEqual(whole);
  });

  it('accepts whitespace, other fields and any field order', () => {
    const text = `
      { "generated" : "now, [not apps]" ,
        "apps" : [ ${JSON.stringify(APPS[0])} ,
                   ${JSON.stringify(APPS[2])} ] ,
        "meta": { "apps": [1, 2] },
        "version" : 7 }`;
    expect(read(text)).toEqual({ version: 7, entries: [APPS[0], APPS[2]] });
    expect(read('{"apps":[],"version":0}')).toEqual({ version: 0, entries: [] });
  });

  it.each([
    ['no version', '{"apps":[]}'],
    ['a version that is not a number', '{"version":"3","apps":[]}'],
    ['no apps', '{"version":3}'],
    ['apps that are not an array', '{"version":3,"apps":{}}'],
    ['apps holding numbers', '{"version":3,"apps":[1]}'],
    ['apps holding strings', '{"version":3,"apps":["x"]}'],
    ['apps holding arrays', '{"version":3,"apps":[[]]}'],
    ['a truncated document', '{"version":3,"apps":[{"id":"a"}'],
    ['a truncated string', '{"version":3,"apps":[{"id":"a'],
    ['a broken entry', '{"version":3,"apps":[{"id":}]}'],
    ['trailing data', '{"version":3,"apps":[]}{}'],
    ['an array', '[{"version":3,"apps":[]}]'],
  ])('refuses %s', (_, text) => {
    expect(() => read(text)).toThrow(RoutingProtocolError);
  });

  it('refuses bytes that are not UTF-8', () => {
    const reader = new SnapshotReader(() => undefined);
    expect(() => reader.write(Buffer.from([0x7b, 0xff, 0xfe]))).toThrow();
  });
});
