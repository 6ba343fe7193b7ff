import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { test } from 'node:test';
import * as cdonts from '../src/index.js';

const readme = await readFile(resolve(import.meta.dirname, '..', 'README.md'), 'utf8');
const migration = readme.slice(readme.indexOf('## Migrating from CDONTS'), readme.indexOf('## License'));

test('the migration table covers every NewMail member of CDONTS and every exported Cdo constant', () => {
  const members = ['From', 'To', 'Cc', 'Bcc', 'Subject', 'Body', 'BodyFormat', 'MailFormat', 'Importance', 'Value', 'AttachFile', 'AttachURL', 'ContentBase', 'ContentLocation', 'SetLocaleIDs', 'Version', 'Send'];
  for (const member of members) {
    assert.ok(Object.getOwnPropertyNames(cdonts.NewMail.prototype).includes(member), `NewMail has ${member}`);
    assert.match(migration, new RegExp(`m\\.${member}\\b`, 'u'), `README migration table shows ${member}`);
  }
  for (const name of Object.keys(cdonts).filter((k) => /^Cdo[A-Z]/u.test(k) && typeof (cdonts as Record<string, unknown>)[k] === 'number')) {
    assert.match(migration, new RegExp(`\`${name}\``, 'u'), `README migration table lists ${name}`);
  }
});

test('the README quick start is two commands: send on the default, then npm test', () => {
  const quickStart = readme.slice(readme.indexOf('## Quick start'), readme.indexOf('## Install'));
  assert.match(quickStart, /npm ci && node bin\/cdonts\.js send /u);
  assert.match(quickStart, /```sh\nnpm test\n```/u);
});
