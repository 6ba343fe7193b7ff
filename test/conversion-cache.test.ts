import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { ConversionCache, fingerprint } from '../src/converter/conversion-cache.js';

test('the cache answers only an input equal to one it holds, per direction', () => {
  const cache = new ConversionCache(4);
  const body = `<p>${'x'.repeat(3000)}</p>`;
  cache.set(body, 'html', 'text', 'TEXT');
  assert.equal(cache.get(`${body}`, 'html', 'text'), 'TEXT', 'an equal string built anew');
  assert.equal(cache.get(body, 'html', 'markdown'), undefined, 'another direction');
  assert.equal(cache.get(body.replace('x', 'y'), 'html', 'text'), undefined, 'one character differs');
  assert.equal(cache.hits, 1);
});

test('strings that share a fingerprint are told apart by their content', () => {
  // Same length, same sampled characters: only the unsampled middle differs.
  const base = 'a'.repeat(10_000);
  const variants = Array.from({ length: 6 }, (_, i) => `${base.slice(0, 5_001)}${i}${base.slice(5_002)}`);
  assert.equal(new Set(variants.map(fingerprint)).size, 1, 'the test needs colliding fingerprints');
  const cache = new ConversionCache(16);
  for (const [i, v] of variants.entries()) cache.set(v, 'html', 'text', `out ${i}`);
  for (const [i, v] of variants.entries()) assert.equal(cache.get(v, 'html', 'text'), `out ${i}`);
  assert.equal(cache.get(`${base.slice(0, 5_001)}x${base.slice(5_002)}`, 'html', 'text'), undefined);
});

test('least recently used entries go first; a hit refreshes its entry', () => {
  const cache = new ConversionCache(2);
  cache.set('one', 'html', 'text', '1');
  cache.set('two', 'html', 'text', '2');
  assert.equal(cache.get('one', 'html', 'text'), '1'); // 'two' is now the oldest
  cache.set('three', 'html', 'text', '3');
  assert.equal(cache.get('two', 'html', 'text'), undefined);
  assert.equal(cache.get('one', 'html', 'text'), '1');
  assert.equal(cache.get('three', 'html', 'text'), '3');
});

test('nothing is kept when disabled or above the input size limit', () => {
  const off = new ConversionCache(0);
  off.set('a', 'html', 'text', 'A');
  assert.equal(off.get('a', 'html', 'text'), undefined);
  const small = new ConversionCache(4, 10);
  small.set('x'.repeat(11), 'html', 'text', 'X');
  assert.equal(small.get('x'.repeat(11), 'html', 'text'), undefined);
});

test('the cache behaves like a map of the last entries (property)', () => {
  fc.assert(
    fc.property(fc.array(fc.tuple(fc.constantFrom('set', 'get'), fc.string({ maxLength: 200 }), fc.constantFrom('html>text', 'html>markdown')), { maxLength: 60 }), (ops) => {
      const cache = new ConversionCache(3);
      const model: Array<[string, string]> = []; // [direction + input, output], youngest last
      let n = 0;
      for (const [op, input, direction] of ops) {
        const [from = '', to = ''] = direction.split('>');
        const key = `${direction}\u0000${input}`;
        const at = model.findIndex(([k]) => k === key);
        if (op === 'set') {
          const output = `o${n++}`;
          cache.set(input, from, to, output);
          if (at >= 0) model.splice(at, 1);
          model.push([key, output]);
          const same = model.filter(([k]) => k.startsWith(`${direction}\u0000`));
          if (same.length > 3) model.splice(model.indexOf(same[0] as [string, string]), 1);
        } else {
          const got = cache.get(input, from, to);
          assert.equal(got, at >= 0 ? model[at]?.[1] : undefined);
          if (at >= 0) model.push(...model.splice(at, 1));
        }
      }
    }),
  );
});
