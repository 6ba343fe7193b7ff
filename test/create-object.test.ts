import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createObject, NewMail, CdoBodyFormatHTML, CdoBodyFormatText, CdoMailFormatMime, CdoMailFormatText, CdoLow, CdoNormal, CdoHigh, CdoEncodingUUencode, CdoEncodingBase64 } from '../src/index.js';
import { isCdoError } from '../src/errors/cdo-error.js';

test('createObject("CDONTS.NewMail") in any case returns a NewMail', () => {
  for (const progId of ['CDONTS.NewMail', 'cdonts.newmail', 'CDONTS.NEWMAIL']) {
    const mail = createObject(progId);
    assert.ok(mail instanceof NewMail);
    assert.equal(mail.Version, '1.2');
  }
  assert.throws(() => createObject('CDO.Nothing'), (e: unknown) => isCdoError(e) && e.code === 'CDO_E_INVALID_PARAMETER');
});

test('its members are case-insensitive, as in VBScript', () => {
  const mail = createObject('CDONTS.NewMail') as NewMail & Record<string, unknown>;
  mail['to'] = 'a@example.com';
  mail['SUBJECT'] = 'Hi';
  (mail['value'] as (n: string, v: string) => void)('Reply-To', 'r@example.com');
  assert.equal(mail.To, 'a@example.com');
  assert.equal(mail['subject'], 'Hi');
  assert.equal(mail.Value('Reply-To'), 'r@example.com');
  assert.equal(typeof mail['send'], 'function');
  assert.equal('attachfile' in mail, true);
  assert.throws(() => (mail['to'] = 'bad address'), (e: unknown) => isCdoError(e) && e.code === 'CDO_E_INVALID_PARAMETER');
});

test('the CDONTS constants have the type library values', () => {
  assert.deepEqual(
    [CdoBodyFormatHTML, CdoBodyFormatText, CdoMailFormatMime, CdoMailFormatText, CdoLow, CdoNormal, CdoHigh, CdoEncodingUUencode, CdoEncodingBase64],
    [0, 1, 0, 1, 0, 1, 2, 0, 1],
  );
});
