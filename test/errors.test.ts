import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { test } from 'node:test';
import { CdoError, isCdoError } from '../src/errors/cdo-error.js';
import { TransportError } from '../src/errors/transport-error.js';
import { errorCodes, isErrorCode, type ErrorCode } from '../src/errors/error-codes.js';
import { transportErrorFrom } from '../src/transports/transport-error-from.js';

const README = resolve(import.meta.dirname, '..', 'README.md');

function expectedTable(): string {
  const rows = Object.entries(errorCodes).map(
    ([code, { hresult, description }]) => `| \`${code}\` | \`0x${hresult.toString(16).toUpperCase().padStart(8, '0')}\` | ${hresult | 0} | ${description} |`,
  );
  return ['| Code | HRESULT | `Err.Number` | When |', '|---|---|---|---|', ...rows].join('\n');
}

test('the README error table matches the catalogue exactly', async () => {
  const readme = await readFile(README, 'utf8');
  const block = /<!-- errors:start -->\n([\s\S]*?)\n<!-- errors:end -->/u.exec(readme)?.[1];
  assert.equal(block, expectedTable(), `regenerate the README table:\n${expectedTable()}`);
});

test('every code is an HRESULT failure with a description, and names are unique', () => {
  const hresults = new Set<number>();
  for (const [code, { hresult, description }] of Object.entries(errorCodes)) {
    assert.match(code, /^CDO_E_[A-Z_]+$/u);
    assert.ok(hresult >= 0x80000000 && hresult <= 0xffffffff, code);
    assert.ok(description.length > 10, code);
    assert.ok(!hresults.has(hresult), `${code} reuses an HRESULT`);
    hresults.add(hresult);
    assert.ok(isErrorCode(code));
  }
  assert.equal(isErrorCode('ERR_NOPE'), false);
});

test('CdoError carries code, hresult, the VBScript number and the cause', () => {
  const cause = new Error('root');
  const error = new CdoError('CDO_E_INVALID_OBJECT', 'used after send', { cause });
  assert.equal(error.name, 'CdoError');
  assert.equal(error.code, 'CDO_E_INVALID_OBJECT');
  assert.equal(error.hresult, 0x80040108);
  assert.equal(error.number, -2147221240);
  assert.equal(error.cause, cause);
  assert.ok(isCdoError(error));
  assert.equal(isCdoError(new Error('x')), false);
  assert.equal(isCdoError({ code: 'CDO_E_BUSY' }), false);
});

test('nodemailer failures map to the CDOSYS delivery codes and keep the SMTP details', () => {
  const cases: Array<[Record<string, unknown>, ErrorCode]> = [
    [{ code: 'EAUTH', responseCode: 535, command: 'AUTH PLAIN' }, 'CDO_E_AUTHENTICATION_FAILURE'],
    [{ code: 'EENVELOPE', responseCode: 550, command: 'MAIL FROM' }, 'CDO_E_SENDER_REJECTED'],
    [{ code: 'EENVELOPE', responseCode: 550, command: 'RCPT TO', rejected: ['a@b.example'] }, 'CDO_E_RECIPIENTS_REJECTED'],
    [{ code: 'EMESSAGE', responseCode: 552, command: 'DATA' }, 'CDO_E_SMTP_SEND_FAILED'],
    [{ code: 'ECONNECTION', command: 'CONN' }, 'CDO_E_CONNECTION_DROPPED'],
    [{ code: 'ETIMEDOUT', command: 'CONN' }, 'CDO_E_FAILED_TO_CONNECT'],
    [{ code: 'ECONNREFUSED' }, 'CDO_E_FAILED_TO_CONNECT'],
    [{ code: 'ETIMEDOUT', command: 'DATA' }, 'CDO_E_CONNECTION_DROPPED'],
    [{ code: 'ESOCKET' }, 'CDO_E_CONNECTION_DROPPED'],
    [{ responseCode: 421, response: '421 try later' }, 'CDO_E_SMTP_SEND_FAILED'],
  ];
  for (const [fields, code] of cases) {
    const error = transportErrorFrom(Object.assign(new Error('x'), fields), 'smtp');
    assert.ok(error instanceof TransportError);
    assert.equal(error.code, code, JSON.stringify(fields));
    assert.equal(error.responseCode, fields['responseCode']);
    assert.equal(error.command, fields['command']);
    assert.equal(error.transport, 'smtp');
  }
  const typed = new CdoError('CDO_E_DISK_ERROR', 'x');
  assert.equal(transportErrorFrom(typed, 'pickup'), typed, 'already typed errors pass through');
});
