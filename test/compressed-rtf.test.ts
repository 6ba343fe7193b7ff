// Compressed RTF ([MS-OXRTFCP]): the spec's vectors both ways, strict and lenient
// reading of broken streams, round-trip properties, fuzzing of the reader, and a
// differential check against @kenjiuno/decompressrtf. Vectors: shared/reference/rtf.md §3.1.
import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { test } from 'node:test';
import { crc32 } from 'node:zlib';
import fc from 'fast-check';
import { decompressRTF as kenjiunoDecompress } from '@kenjiuno/decompressrtf';
import * as cdonts from '../src/index.js';
import { isCdoError } from '../src/errors/cdo-error.js';
import { compressRtf, compressRtfSync, type CompressRtfOptions } from '../src/rtf/compress-rtf.js';
import { decompressRtf, decompressRtfSync, type DecompressRtfOptions } from '../src/rtf/decompress-rtf.js';
import { RTF_PRELOAD, readUint32LE, writeUint32LE } from '../src/rtf/compressed-rtf-format.js';
import { rtfCrc } from '../src/rtf/rtf-crc.js';
import { specLzfuCompress } from './support/spec-lzfu-writer.js';

const RUNS = Number(process.env['CDONTS_PROPERTY_RUNS'] ?? 150);

const hex = (bytes: Uint8Array): string => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('hex');
const fromHex = (text: string): Uint8Array => new Uint8Array(Buffer.from(text.replace(/\s+/gu, ''), 'hex'));
const latin1 = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, 'latin1'));
const text = (bytes: Uint8Array): string => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('latin1');
const equalBytes = (a: Uint8Array, b: Uint8Array): boolean => Buffer.compare(a, b) === 0;

function expectCdoError(fn: () => unknown, code: string, message?: RegExp): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(isCdoError(error), `a CdoError, got ${String(error)}`);
    assert.equal(error.code, code);
    if (message) assert.match(error.message, message);
    return true;
  });
}

/** A stream around `contents`, the header fields computed unless given. */
function stream(contents: Uint8Array | number[], fields: { rawSize: number; compSize?: number; compType?: 'LZFu' | 'MELA'; crc?: number }): Uint8Array {
  const out = new Uint8Array(16 + contents.length);
  out.set(contents, 16);
  out.set(latin1(fields.compType ?? 'LZFu'), 8);
  writeUint32LE(out, 0, fields.compSize ?? contents.length + 12);
  writeUint32LE(out, 4, fields.rawSize);
  writeUint32LE(out, 12, fields.crc ?? (fields.compType === 'MELA' ? 0 : rtfCrc(out, 16)));
  return out;
}

/** Recomputes COMPSIZE and the CRC so a damaged stream gets past the header checks. */
function reseal(bytes: Uint8Array): Uint8Array {
  if (bytes.length >= 16) {
    writeUint32LE(bytes, 0, bytes.length - 4);
    if (readUint32LE(bytes, 8) === 0x75465a4c) writeUint32LE(bytes, 12, rtfCrc(bytes, 16));
  }
  return bytes;
}

// §3.1 vectors.
const CP1 = {
  raw: '{\\rtf1\\ansi\\ansicpg1252\\pard hello world}\r\n',
  compressed: '2d0000002b0000004c5a4675f1c5c7a7 03000a007263706731323542320af32068656c090020627705b06c647d0a800fa0',
};
const CP2 = { raw: '{\\rtf1 WXYZWXYZWXYZWXYZWXYZ}', compressed: '1a0000001c0000004c5a4675e2d44b51 410004205758595a0d6e7d010eb0' };
const CP3 = { raw: '{\\rtf1\\ansi\\ansicpg1252\\pard test}', compressed: '23000000220000004c5a4675335ce874 03000a007263706731323592320af320740790747d0f10' };
const CP5 = [
  { raw: '', compressed: '0f000000000000004c5a467527d7ca10 010cf0' },
  { raw: '{\\rtf1}', compressed: '12000000070000004c5a4675f2e29a7b 0500047d0d60' },
  { raw: `{\\rtf1 ${'A'.repeat(40)}}`, compressed: '1a000000300000004c5a4675a38cefa5 b9000420410d6f0d6f0d637d0ff0' },
  { raw: '{\\rtf1\\ansi\r\n\\par hello\r\n\\par }', compressed: '1c0000001f0000004c5a467535a8a67a 6300090a8568656c09000a857d010ee0' },
];

test('the preloaded dictionary is the spec\'s 207 bytes, with CR LF at 168/169', () => {
  assert.equal(RTF_PRELOAD.length, 207);
  assert.equal(
    hex(RTF_PRELOAD),
    '7b5c727466315c616e73695c6d61635c64656666305c6465667461623732307b' +
      '5c666f6e7474626c3b7d7b5c66305c666e696c205c66726f6d616e205c667377' +
      '697373205c666d6f6465726e205c66736372697074205c666465636f72204d53' +
      '2053616e7320536572696653796d626f6c417269616c54696d6573204e657720' +
      '526f6d616e436f75726965727b5c636f6c6f7274626c5c726564305c67726565' +
      '6e305c626c7565300d0a5c706172205c706172645c706c61696e5c66305c6673' +
      '32305c625c695c755c7461625c7478',
  );
  assert.deepEqual([RTF_PRELOAD[168], RTF_PRELOAD[169]], [0x0d, 0x0a]);
});

test('rtfCrc: CP-1 contents 0xa7c7c5f1, CP-2 0x514bd4e2, empty 0; zlib\'s CRC-32 without its pre/post inversion', () => {
  const cp1 = fromHex(CP1.compressed);
  const cp2 = fromHex(CP2.compressed);
  assert.equal(rtfCrc(cp1, 16), 0xa7c7c5f1);
  assert.equal(rtfCrc(cp1.subarray(16)), 0xa7c7c5f1);
  assert.equal(rtfCrc(cp2, 16, cp2.length), 0x514bd4e2);
  assert.equal(rtfCrc(new Uint8Array(0)), 0);
  assert.equal(rtfCrc(cp1, 16, 16), 0);
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 2000 }), (bytes) => rtfCrc(bytes) === ((crc32(bytes, 0xffffffff) ^ 0xffffffff) >>> 0)),
    { numRuns: 100 },
  );
});

test('CP-1 (spec example 1): decompresses, and our writer produces the same 49 bytes', () => {
  assert.equal(text(decompressRtfSync(fromHex(CP1.compressed))), CP1.raw);
  assert.equal(hex(compressRtfSync(latin1(CP1.raw))), CP1.compressed.replace(' ', ''));
});

test('CP-2 (spec example 2, a reference that overlaps the write position): both directions', () => {
  assert.equal(text(decompressRtfSync(fromHex(CP2.compressed))), CP2.raw);
  assert.equal(hex(compressRtfSync(latin1(CP2.raw))), CP2.compressed.replace(' ', ''));
});

test('CP-3 (delimitry README): both directions', () => {
  assert.equal(text(decompressRtfSync(fromHex(CP3.compressed))), CP3.raw);
  assert.equal(hex(compressRtfSync(latin1(CP3.raw))), CP3.compressed.replace(' ', ''));
});

test('CP-4 (MELA, uncompressed): decodes, and compression "MELA" writes the same header', () => {
  const mela = fromHex(`2e000000220000004d454c4100000000${hex(latin1(CP3.raw))}`);
  assert.equal(text(decompressRtfSync(mela)), CP3.raw);
  const encoded = compressRtfSync(latin1(CP1.raw), { compression: 'MELA' });
  assert.equal(hex(encoded), `370000002b0000004d454c4100000000${hex(latin1(CP1.raw))}`);
  assert.equal(text(decompressRtfSync(encoded)), CP1.raw);
});

test('CP-5 (empty, minimal, a run of 40, CR LF): all four both directions', () => {
  for (const { raw, compressed } of CP5) {
    assert.equal(text(decompressRtfSync(fromHex(compressed))), raw, JSON.stringify(raw));
    assert.equal(hex(compressRtfSync(latin1(raw))), compressed.replace(' ', ''), JSON.stringify(raw));
  }
});

test('the promise forms give the same bytes, and reject (never throw) on bad input', async () => {
  const compressed = await compressRtf(latin1(CP1.raw));
  assert.equal(hex(compressed), CP1.compressed.replace(' ', ''));
  assert.equal(text(await decompressRtf(compressed)), CP1.raw);
  assert.equal(text(await decompressRtf(compressed.buffer as ArrayBuffer)), CP1.raw);
  const pending = decompressRtf(fromHex('0102'));
  assert.ok(pending instanceof Promise);
  await assert.rejects(pending, { code: 'CDO_E_BAD_DATA' });
  await assert.rejects(compressRtf('text' as unknown as Uint8Array), { code: 'CDO_E_INVALID_PARAMETER' });
  assert.equal(cdonts.compressRtf, compressRtf);
  assert.equal(cdonts.decompressRtf, decompressRtf);
});

test('§3.1 negatives: strict mode refuses each with CDO_E_BAD_DATA; lenient refuses the unreadable headers', () => {
  const flipped = fromHex(CP1.compressed);
  flipped[12] = flipped[12]! ^ 0xff;
  assert.equal(hex(flipped.subarray(8, 16)), '4c5a46750ec5c7a7');
  const cases: Array<[string, Uint8Array, RegExp]> = [
    ['empty', new Uint8Array(0), /0 bytes long, shorter than the 16-byte header/u],
    ['15 bytes', latin1('0123456789abcde'), /15 bytes long/u],
    ['COMPTYPE "ABCD"', fromHex('100000001100000041424344ffffffff'), /unknown COMPTYPE "ABCD" at offset 8/u],
    ['16-byte LZFu header claiming 4 more bytes', fromHex('10000000110000004c5a4675ffffffff'), /COMPSIZE 16 at offset 0 says the stream is 20 bytes long, but it is 16/u],
    ['CP-1 with CRC byte 0 flipped', flipped, /CRC mismatch: the header at offset 12 says 0xa7c7c50e, the content bytes \[16, 49\) give 0xa7c7c5f1/u],
  ];
  for (const [, bytes, message] of cases) {
    expectCdoError(() => decompressRtfSync(bytes), 'CDO_E_BAD_DATA', message);
  }
  // Lenient: still no header, still no known COMPTYPE …
  for (const [, bytes] of cases.slice(0, 3)) expectCdoError(() => decompressRtfSync(bytes, { lenient: true }), 'CDO_E_BAD_DATA');
  // … but a header without contents yields nothing, and a bad CRC is ignored.
  assert.equal(decompressRtfSync(cases[3]![1], { lenient: true }).length, 0);
  assert.equal(text(decompressRtfSync(flipped, { lenient: true })), CP1.raw);
});

test('strict mode: every size, CRC and token problem is CDO_E_BAD_DATA naming the field or offset', () => {
  const cp1 = fromHex(CP1.compressed);
  const bad = (bytes: Uint8Array, message: RegExp): void => expectCdoError(() => decompressRtfSync(bytes), 'CDO_E_BAD_DATA', message);

  // Trailing bytes after COMPSIZE are refused (PADDING lies inside COMPSIZE).
  bad(new Uint8Array([...cp1, 0]), /COMPSIZE 45 at offset 0 says the stream is 49 bytes long, but it is 50/u);
  // COMPSIZE below 12.
  bad(stream([1, 0x0c, 0xf0], { rawSize: 0, compSize: 3 }), /COMPSIZE 3 at offset 0 is less than 12/u);
  // Truncated: header resealed, so only the missing tokens are wrong.
  bad(reseal(cp1.slice(0, 48)), /truncated: a 2-byte reference is due at offset 47/u);
  bad(reseal(cp1.slice(0, 46)), /truncated: a 2-byte reference is due at offset 45 but the content ends at 46/u);
  bad(reseal(cp1.slice(0, 44)), /truncated: a literal is due at offset 44/u);
  bad(stream([0x00, 0x41], { rawSize: 1 }), /truncated: a literal is due at offset 18/u);
  bad(stream([0x00, ...latin1('ABCDEFGH')], { rawSize: 8 }), /no end marker: the content ends at offset 25 after 8 of 8 bytes/u);
  // A reference to dictionary position 300 when only 0..206 were ever written.
  bad(stream([0x01, 0x12, 0xc0], { rawSize: 2 }), /reference at offset 17 reads dictionary position 300, which has never been written \(write position 207\)/u);
  // RAWSIZE that does not match the output, both ways.
  bad(stream([0x01, 0x0c, 0xf0], { rawSize: 1 }), /end marker at offset 17 comes after 0 bytes, but RAWSIZE is 1/u);
  bad(stream([0x02, 0x41, 0x0d, 0x00], { rawSize: 2 }), /end marker at offset 18 comes after 1 bytes, but RAWSIZE is 2/u);
  bad(stream([0x00, 0x41, 0x42], { rawSize: 1 }), /literal at offset 18 goes past RAWSIZE 1/u);
  bad(stream([0x01, 0x00, 0x0f], { rawSize: 5 }), /reference at offset 17 goes past RAWSIZE 5/u);
  // RAWSIZE that no content of this length can produce is refused before allocating.
  bad(stream([0x01, 0x0c, 0xf0], { rawSize: 1_000_000 }), /RAWSIZE 1000000 at offset 4 cannot come out of 3 content bytes/u);
  // MELA: CRC must be 0, RAWSIZE must be the content length.
  bad(stream(latin1('{\\rtf1}'), { rawSize: 7, compType: 'MELA', crc: 1 }), /CRC field at offset 12 of an uncompressed \(MELA\) stream must be 0, found 0x00000001/u);
  bad(stream(latin1('{\\rtf1}'), { rawSize: 9, compType: 'MELA' }), /RAWSIZE 9 at offset 4 differs from the 7 content bytes/u);
  bad(stream(latin1('{\\rtf1}'), { rawSize: 5, compType: 'MELA' }), /RAWSIZE 5 at offset 4 differs from the 7 content bytes/u);
  // PADDING after the end marker (inside COMPSIZE, covered by the CRC) is fine.
  assert.equal(text(decompressRtfSync(stream([0x01, 0x0c, 0xf0, 0xde, 0xad], { rawSize: 0 }))), '');
});

test('lenient mode salvages what is there: no CRC, clipped to RAWSIZE, stops at the damage, invents nothing', () => {
  const cp1 = fromHex(CP1.compressed);
  const lenient = (bytes: Uint8Array): string => text(decompressRtfSync(bytes, { lenient: true }));
  // Truncated (header untouched): a prefix of the real text, never NUL padding.
  for (let length = 16; length < cp1.length; length++) {
    const out = lenient(cp1.slice(0, length));
    assert.ok(CP1.raw.startsWith(out), `prefix at ${length}: ${JSON.stringify(out)}`);
  }
  assert.equal(lenient(cp1.slice(0, 47)), CP1.raw);
  // Trailing bytes after COMPSIZE are ignored; an implausible COMPSIZE is ignored.
  assert.equal(lenient(new Uint8Array([...cp1, 0x41, 0x42])), CP1.raw);
  const wrongSize = cp1.slice();
  writeUint32LE(wrongSize, 0, 3);
  assert.equal(lenient(wrongSize), CP1.raw);
  // RAWSIZE smaller than the text: clipped; larger: what the stream holds.
  assert.equal(lenient(stream([0x00, ...latin1('ABCDEFGH'), 0x01, 0x0d, 0x70], { rawSize: 3 })), 'ABC');
  assert.equal(lenient(stream([0x01, 0x00, 0x0f], { rawSize: 5 })), '{\\rtf');
  assert.equal(lenient(stream([0x01, 0x0c, 0xf0], { rawSize: 100 })), '');
  // No end marker: stops at the end of the input.
  assert.equal(lenient(stream([0x00, ...latin1('ABCDEFGH')], { rawSize: 100 })), 'ABCDEFGH');
  // A reference to a never-written byte ends the salvage there.
  assert.equal(lenient(stream([0x02, 0x41, 0x12, 0xc0, 0x42], { rawSize: 100 })), 'A');
  // MELA: the CRC field is ignored, RAWSIZE clips, a short stream gives what it has.
  assert.equal(lenient(stream(latin1('{\\rtf1}'), { rawSize: 4, compType: 'MELA', crc: 7 })), '{\\rt');
  assert.equal(lenient(stream(latin1('{\\rtf1}'), { rawSize: 50, compType: 'MELA' })), '{\\rtf1}');
});

test('arguments: non-bytes are CDO_E_INVALID_PARAMETER; a RAWSIZE over maxOutputBytes is CDO_E_STRING_TOO_LONG in both modes', () => {
  for (const value of ['{\\rtf1}', 42, null, undefined, [1, 2, 3], new DataView(new ArrayBuffer(20)), new Uint16Array(20)]) {
    expectCdoError(() => decompressRtfSync(value as unknown as Uint8Array), 'CDO_E_INVALID_PARAMETER', /decompressRtf: expected a Uint8Array, Buffer or ArrayBuffer/u);
    expectCdoError(() => compressRtfSync(value as unknown as Uint8Array), 'CDO_E_INVALID_PARAMETER', /compressRtf: expected a Uint8Array, Buffer or ArrayBuffer/u);
  }
  expectCdoError(() => compressRtfSync(new Uint8Array(1), { compression: 'zip' as 'LZFu' }), 'CDO_E_INVALID_PARAMETER', /compression must be "LZFu" or "MELA"/u);
  expectCdoError(() => decompressRtfSync(fromHex(CP1.compressed), { maxOutputBytes: Number.NaN }), 'CDO_E_INVALID_PARAMETER');
  expectCdoError(() => decompressRtfSync(fromHex(CP1.compressed), { lenient: 'yes' } as unknown as DecompressRtfOptions), 'CDO_E_INVALID_PARAMETER');
  for (const options of [null, 'lenient', 1]) {
    expectCdoError(() => decompressRtfSync(fromHex(CP1.compressed), options as unknown as DecompressRtfOptions), 'CDO_E_INVALID_PARAMETER', /options must be an object/u);
    expectCdoError(() => compressRtfSync(new Uint8Array(1), options as unknown as CompressRtfOptions), 'CDO_E_INVALID_PARAMETER', /options must be an object/u);
  }
  // ArrayBuffer and Buffer are accepted; the result is a plain Uint8Array that shares no memory with a Buffer input.
  assert.equal(text(decompressRtfSync(Buffer.from(CP1.compressed.replace(' ', ''), 'hex'))), CP1.raw);
  const melaBuffer = Buffer.from(compressRtfSync(latin1('{\\rtf1}'), { compression: 'MELA' }));
  const fromBuffer = decompressRtfSync(melaBuffer);
  assert.equal(Object.getPrototypeOf(fromBuffer), Uint8Array.prototype);
  melaBuffer[16] = 0x21;
  assert.equal(text(fromBuffer), '{\\rtf1}');
  assert.equal(hex(compressRtfSync(latin1(CP1.raw).buffer as ArrayBuffer)), CP1.compressed.replace(' ', ''));

  const huge = stream([0x01, 0x0c, 0xf0], { rawSize: 0xfffffff0 });
  for (const lenient of [false, true]) {
    expectCdoError(() => decompressRtfSync(huge, { lenient }), 'CDO_E_STRING_TOO_LONG', /RAWSIZE 4294967280 is larger than the limit of 16777216 bytes/u);
    expectCdoError(() => decompressRtfSync(fromHex(CP1.compressed), { lenient, maxOutputBytes: 42 }), 'CDO_E_STRING_TOO_LONG', /RAWSIZE 43 .* 42 bytes/u);
  }
  assert.equal(text(decompressRtfSync(fromHex(CP1.compressed), { maxOutputBytes: 43 })), CP1.raw);
});

/** An Outlook-style RTF body encapsulating HTML ([MS-OXRTFEX]), `paragraphs` long. */
function outlookHtmlRtf(paragraphs: number): string {
  const words = ['order', 'shipped', 'invoice', 'attached', 'meeting', 'Thursday', 'résumé', 'quarterly', 'report', 'budget', 'café', 'deadline'];
  let rtf =
    '{\\rtf1\\ansi\\ansicpg1252\\fromhtml1 \\fbidis \\deff0{\\fonttbl\r\n{\\f0\\fswiss\\fcharset0 Arial;}\r\n{\\f1\\fmodern Courier New;}\r\n' +
    '{\\f2\\fnil\\fcharset2 Symbol;}\r\n{\\f3\\fmodern\\fcharset0 Courier New;}\r\n{\\f4\\fswiss\\fcharset0 "Calibri";}}\r\n' +
    '{\\colortbl\\red0\\green0\\blue0;\\red5\\green99\\blue193;}\r\n\\uc1\\pard\\plain\\deftab360 \\f0\\fs24 \r\n' +
    '{\\*\\htmltag19 <html xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office">}\r\n' +
    '{\\*\\htmltag34 <head>}\r\n{\\*\\htmltag1 \\par }\r\n{\\*\\htmltag161 <meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1">}\r\n' +
    '{\\*\\htmltag241 <style>}\r\n{\\*\\htmltag241 \\par p.MsoNormal, li.MsoNormal, div.MsoNormal \\{margin:0cm; font-size:11.0pt; font-family:"Calibri",sans-serif;\\}}\r\n' +
    '{\\*\\htmltag249 </style>}\r\n{\\*\\htmltag41 </head>}\r\n{\\*\\htmltag50 <body lang=EN-US link="#0563C1" vlink="#954F72">}\\htmlrtf \\lang1033 \\htmlrtf0 \r\n';
  for (let i = 0; i < paragraphs; i++) {
    const a = words[i % words.length]!;
    const b = words[(i * 7 + 3) % words.length]!;
    const body = `Paragraph ${i}: the ${a} for account ${(i * 7919) % 100_000} is ${b}; see item ${i * 13} \\'96 regards, ${a.toUpperCase()}`;
    rtf +=
      `{\\*\\htmltag64 <p class=MsoNormal>}\\htmlrtf {\\htmlrtf0 ${body.replace(/[é]/gu, "\\'e9")}` +
      `{\\*\\htmltag84 <a href="https://example.com/${a}/${i}">}\\htmlrtf {\\field{\\*\\fldinst{HYPERLINK "https://example.com/${a}/${i}"}}{\\fldrslt\\cf1\\ul \\htmlrtf0 link${i}\\htmlrtf }\\htmlrtf0 \\htmlrtf }\\htmlrtf0 ` +
      `{\\*\\htmltag92 </a>}\\htmlrtf }\\htmlrtf0 \r\n{\\*\\htmltag72 </p>}\r\n{\\*\\htmltag0 \\par }\\htmlrtf \\par\r\n\\htmlrtf0 \r\n`;
  }
  return `${rtf}{\\*\\htmltag58 </body>}\r\n{\\*\\htmltag27 </html>}\r\n}`;
}

test('own vector: a 12 KB Outlook encapsulated-HTML body (the dictionary wraps 3 times) round-trips, and @kenjiuno/decompressrtf reads it the same', async () => {
  const raw = latin1(outlookHtmlRtf(28));
  assert.ok(raw.length > 3 * 4096, `${raw.length} bytes`);
  const compressed = compressRtfSync(raw);
  assert.ok(compressed.length < raw.length / 2, `compressed to ${compressed.length} of ${raw.length}`);
  assert.equal(readUint32LE(compressed, 0), compressed.length - 4);
  assert.equal(readUint32LE(compressed, 4), raw.length);
  assert.equal(readUint32LE(compressed, 12), rtfCrc(compressed, 16));
  assert.ok(equalBytes(decompressRtfSync(compressed), raw));
  assert.ok(equalBytes(await decompressRtf(await compressRtf(raw)), raw));
  assert.ok(equalBytes(Uint8Array.from(kenjiunoDecompress(Array.from(compressed))), raw));
  // And a 1 MB one, to be sure nothing is quadratic.
  const big = latin1(outlookHtmlRtf(2400));
  assert.ok(big.length > 1_000_000);
  assert.ok(equalBytes(decompressRtfSync(compressRtfSync(big)), big));
});

test('own vector: a body with a trailing NUL after the final brace keeps it', () => {
  const raw = latin1('{\\rtf1\\ansi\\ansicpg1252\\fromtext \\deff0{\\fonttbl{\\f0\\fswiss Arial;}}\r\n\\pard\\plain Hello\\par\r\n}\0');
  const compressed = compressRtfSync(raw);
  const back = decompressRtfSync(compressed);
  assert.equal(back.length, raw.length);
  assert.equal(back[back.length - 1], 0);
  assert.ok(equalBytes(back, raw));
  assert.ok(equalBytes(decompressRtfSync(compressRtfSync(raw, { compression: 'MELA' })), raw));
});

// Inputs: any bytes, RTF-ish text over a small alphabet (frequent matches and ties),
// long runs, and sizes past one and two dictionary lengths.
const rtfAlphabet = fc.constantFrom(...'{}\\ \r\nabcdefrtpq0123'.split(''), '\\par ', '\\pard', '\\f0', '\\htmltag', '{\\*\\htmltag64 <p>}', 'AAAAAAAAAAAAAAAAAAAA');
// size 'max': without it fast-check keeps arrays to a few dozen elements.
const rtfIsh = (minLength: number, maxLength: number): fc.Arbitrary<Uint8Array> =>
  fc.array(rtfAlphabet, { minLength, maxLength, size: 'max' }).map((parts) => latin1(parts.join('')));
const anyBytes = (maxLength: number): fc.Arbitrary<Uint8Array> => fc.uint8Array({ maxLength, size: 'max' });
const runs = fc
  .array(fc.tuple(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 1, max: 600 })), { minLength: 1, maxLength: 40, size: 'max' })
  .map((pieces) => Uint8Array.from(pieces.flatMap(([byte, count]) => new Array<number>(count).fill(byte))));
const periodic = fc
  .tuple(fc.uint8Array({ minLength: 1, maxLength: 40 }), fc.integer({ min: 4200, max: 9000 }), fc.array(fc.tuple(fc.nat(), fc.nat(255)), { maxLength: 30 }))
  .map(([unit, length, edits]) => {
    const bytes = Uint8Array.from({ length }, (_, i) => unit[i % unit.length]!);
    for (const [at, value] of edits) bytes[at % length] = value;
    return bytes;
  });
const anyInput = fc.oneof(
  { arbitrary: anyBytes(20_000), weight: 2 },
  { arbitrary: rtfIsh(0, 800), weight: 3 },
  { arbitrary: rtfIsh(1500, 4000), weight: 2 },
  { arbitrary: runs, weight: 2 },
  { arbitrary: periodic, weight: 2 },
);

test(`property: decompress(compress(x)) is x for LZFu, and @kenjiuno/decompressrtf agrees (${RUNS} runs, up to 20 KB)`, () => {
  let wrapped = 0;
  let twice = 0;
  fc.assert(
    fc.property(anyInput, (input) => {
      if (input.length > 4096) wrapped++;
      if (input.length > 8192) twice++;
      const compressed = compressRtfSync(input);
      assert.ok(equalBytes(decompressRtfSync(compressed), input));
      assert.ok(equalBytes(Uint8Array.from(kenjiunoDecompress(Array.from(compressed))), input));
    }),
    { numRuns: RUNS },
  );
  assert.ok(wrapped > RUNS / 10 && twice > RUNS / 20, `inputs > 4096: ${wrapped}, > 8192: ${twice}`);
});

test(`property: decompress(compress(x, MELA)) is x (${RUNS} runs)`, () => {
  fc.assert(
    fc.property(anyInput, (input) => {
      const stored = compressRtfSync(input, { compression: 'MELA' });
      assert.equal(stored.length, input.length + 16);
      assert.ok(equalBytes(decompressRtfSync(stored), input));
    }),
    { numRuns: RUNS },
  );
});

test(`property: before the dictionary wraps, our writer emits exactly the spec writer's bytes (${RUNS} runs)`, () => {
  const small = fc.oneof(rtfIsh(0, 150), anyBytes(3800), runs.map((bytes) => bytes.subarray(0, 3800)));
  fc.assert(
    fc.property(small, (input) => {
      fc.pre(input.length + 207 + 17 < 4096);
      assert.equal(hex(compressRtfSync(input)), hex(specLzfuCompress(input)));
    }),
    { numRuns: RUNS },
  );
});

test('after the dictionary wraps, the spec writer can emit a reference that reads back wrong; ours round-trips', () => {
  // The spec's search writes the bytes it has matched into the dictionary, over the
  // oldest positions, and then compares later candidates against them. Here the oldest
  // candidate matches "ABAABA"; the candidate two bytes newer then sees "ABA" + old
  // bytes and a 17-byte match that the reader, which has not overwritten anything yet,
  // decodes as "AABABAC…".
  const tail = latin1('ABAABACDEFGHIJKLMNOPQ');
  const oldest = latin1('ABAABABACDEFGHIJKLMNOPQ');
  const filler: number[] = [];
  const pairs = new Set<number>();
  for (let previous = 0x80, seed = 7; filler.length < 4095 - oldest.length; ) {
    seed = (seed * 1103515245 + 12345) >>> 0;
    const next = 0x80 + ((seed >>> 16) & 0x7f);
    if (pairs.has((previous << 8) | next)) continue;
    pairs.add((previous << 8) | next); // no pair twice: every filler byte is a literal
    filler.push(next);
    previous = next;
  }
  const input = new Uint8Array([...oldest, ...filler, ...tail]);
  const spec = decompressRtfSync(specLzfuCompress(input));
  assert.equal(text(spec.subarray(spec.length - tail.length)), 'AABABACDEFGHIJKLMNOPQ');
  assert.ok(equalBytes(decompressRtfSync(compressRtfSync(input)), input));
});

/** Decompresses and checks the contract: only CDO_E_BAD_DATA / STRING_TOO_LONG, bounded time and size. */
function probe(bytes: Uint8Array, options: DecompressRtfOptions): Uint8Array | undefined {
  const started = performance.now();
  try {
    const out = decompressRtfSync(bytes, options);
    const rawSize = readUint32LE(bytes, 4);
    assert.ok(out.length <= rawSize, `output ${out.length} > RAWSIZE ${rawSize}`);
    if (!options.lenient) assert.equal(out.length, rawSize);
    return out;
  } catch (error) {
    if (error instanceof assert.AssertionError) throw error;
    assert.ok(isCdoError(error) && (error.code === 'CDO_E_BAD_DATA' || error.code === 'CDO_E_STRING_TOO_LONG'), `unexpected ${String(error)}`);
    return undefined;
  } finally {
    const ms = performance.now() - started;
    assert.ok(ms < 2000, `took ${ms.toFixed(0)} ms`);
  }
}

const mutation = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.nat(7) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }) }),
  fc.record({
    kind: fc.constant('header' as const),
    field: fc.constantFrom(0, 4, 8, 12),
    value: fc.oneof(fc.constantFrom(0, 1, 11, 12, 15, 16, 17, 0x7fffffff, 0x80000000, 0xffffffff, 0x75465a4c, 0x414c454d), fc.nat()),
  }),
  fc.record({ kind: fc.constant('reseal' as const) }),
);
type Mutation = typeof mutation extends fc.Arbitrary<infer T> ? T : never;

function mutate(source: Uint8Array, mutations: readonly Mutation[]): Uint8Array {
  let bytes = source.slice();
  for (const m of mutations) {
    if (m.kind === 'flip' && bytes.length > 0) bytes[m.at % bytes.length]! ^= 1 << m.bit;
    else if (m.kind === 'truncate') bytes = bytes.slice(0, m.at % (bytes.length + 1));
    else if (m.kind === 'insert') {
      const at = m.at % (bytes.length + 1);
      bytes = new Uint8Array([...bytes.subarray(0, at), ...m.bytes, ...bytes.subarray(at)]);
    } else if (m.kind === 'header' && bytes.length >= 16) writeUint32LE(bytes, m.field, m.value);
    else if (m.kind === 'reseal') reseal(bytes);
  }
  return bytes;
}

test(`fuzz: mutated valid streams (bit flips, truncations, insertions, header edits) only ever fail with CDO_E_BAD_DATA or STRING_TOO_LONG (${RUNS * 4} runs)`, () => {
  const source = fc.tuple(fc.oneof(rtfIsh(0, 300), anyBytes(3000), periodic.map((b) => b.subarray(0, 6000))), fc.constantFrom('LZFu' as const, 'MELA' as const));
  fc.assert(
    fc.property(
      source,
      fc.array(mutation, { minLength: 1, maxLength: 6 }),
      fc.boolean(),
      fc.constantFrom(undefined, 64, 1_000_000),
      ([input, compression], mutations, resealAtEnd, maxOutputBytes) => {
        const damaged = mutate(compressRtfSync(input, { compression }), mutations);
        // Resealed, the damage gets past COMPSIZE and CRC into the token decoder.
        if (resealAtEnd) reseal(damaged);
        for (const lenient of [false, true]) probe(damaged, maxOutputBytes === undefined ? { lenient } : { lenient, maxOutputBytes });
      },
    ),
    { numRuns: RUNS * 4 },
  );
});

test(`fuzz: random bytes, bare and behind a well-formed LZFu header, strict and lenient (${RUNS * 4} runs)`, () => {
  fc.assert(
    fc.property(anyBytes(5000), fc.nat(60_000), fc.boolean(), (bytes, rawSize, sealed) => {
      const candidate = sealed ? stream(bytes, { rawSize }) : bytes;
      for (const lenient of [false, true]) probe(candidate, { lenient });
    }),
    { numRuns: RUNS * 4 },
  );
});

test(`fuzz: a truncated stream is refused in strict mode and gives a prefix of the original in lenient mode (${RUNS} runs)`, () => {
  fc.assert(
    fc.property(fc.oneof(rtfIsh(1, 400), periodic.map((b) => b.subarray(0, 5000))), fc.double({ min: 0, max: 1, noNaN: true }), (input, fraction) => {
      const compressed = compressRtfSync(input);
      const length = 16 + Math.floor((compressed.length - 16) * fraction);
      fc.pre(length < compressed.length);
      const cut = compressed.slice(0, length);
      const salvaged = probe(cut, { lenient: true });
      assert.ok(salvaged && equalBytes(salvaged, input.subarray(0, salvaged.length)), 'lenient output is a prefix');
      expectCdoError(() => decompressRtfSync(reseal(cut.slice())), 'CDO_E_BAD_DATA');
    }),
    { numRuns: RUNS },
  );
});
