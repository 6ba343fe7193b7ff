import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import addressparser from 'nodemailer/lib/addressparser';
import { PLAIN_ADDRESS, parseAddressList } from '../src/address-list.js';

const RUNS = Number(process.env['CDONTS_PROPERTY_RUNS'] ?? 2000);

// parseAddressList skips addressparser for entries matching PLAIN_ADDRESS, on the
// grounds that addressparser would return exactly that entry as the address, with no
// display name. This checks those grounds, edge cases first.
test('addressparser reads every plain address as itself, without a display name', () => {
  const edges = ['a@b', '.a@b', 'a.@b', 'a..b@c', 'a@.b', 'a@b.', 'a@b..c', '-@-', '%@%', '+@1', 'a@-b-'];
  const alphabet = 'aZ09._%+-@'.split('');
  const generated = fc.sample(fc.string({ unit: fc.constantFrom(...alphabet), minLength: 3, maxLength: 40 }), RUNS * 5);
  for (const entry of [...edges, ...generated].filter((s) => PLAIN_ADDRESS.test(s))) {
    const parsed = addressparser(entry);
    assert.equal(parsed.length, 1, entry);
    assert.deepEqual({ name: parsed[0]?.name, address: (parsed[0] as { address?: string }).address }, { name: '', address: entry }, entry);
  }
});

test('plain and bracketed forms of an address give the same mailbox; bad plain ones are refused', () => {
  for (const address of ['user@example.com', 'first.last+tag@Sub.Example.ORG', 'a%b@x-y.example']) {
    assert.deepEqual(parseAddressList(address, 'To'), parseAddressList(`<${address}>`, 'To'));
  }
  for (const bad of ['a..b@example.com', '.a@example.com', 'a@example..com', 'a@-example.com', 'a@example.com.']) {
    assert.throws(() => parseAddressList(bad, 'To'), /not a valid e-mail address/u, bad);
  }
});
