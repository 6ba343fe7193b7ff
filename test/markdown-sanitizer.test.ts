// sanitize-html is pinned at 2.17.5, the last release whose engines admit Node 20.19. The
// advisories fixed after it concern tags our allowlist never lets through (noscript, textarea,
// xmp, iframe, meta, SVG animation) or options we do not use (srcset); these are their
// payloads, put through markdown → html: the output holds only allowlisted tags and
// attributes, with no script, handler or javascript: URL.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SANITIZE_OPTIONS } from '../src/converter/body-engines.js';
import { ConverterHost } from '../src/converter/converter-host.js';

const host = new ConverterHost({ lingerMs: 0 });

const PAYLOADS = [
  // GHSA-x3q4-9hxx-gx8m: <noscript> closed early by htmlparser2, not by the browser.
  '<div><noscript></div><img src=x onerror=alert(1)></noscript></div>',
  '<noscript><p title="</noscript><img src=x onerror=alert(1)>"></noscript>',
  // GHSA-jxwj-j7wr-gfrw and CVE-2026-40186: raw text re-emitted from <textarea> / <xmp>.
  '<textarea></textarea/><img src=x onerror=alert(1)></textarea>',
  '<xmp><img src=x onerror=alert(1)></xmp>',
  '<svg><textarea><img src=x onerror=alert(1)></textarea></svg>',
  // GHSA-c9rx-x947-fp3h: a discarded <iframe>'s fallback, nested deeply.
  `${'<iframe>'.repeat(2000)}<img src=x onerror=alert(1)>`,
  // GHSA-cv27-6wvh-8x7j: a refresh to javascript:.
  '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
  // GHSA-374f-7chj-9948: SVG animation retargeting an href.
  '<svg><a href="#"><animate attributeName="href" values="#;javascript:alert(1)"/><text>x</text></a></svg>',
  '<svg:animate attributeName="xlink:href" to="javascript:alert(1)"/>',
  // srcset URLs (checked by the wrong name before 2.18).
  '<img src="a.png" srcset="javascript:alert(1) 1x">',
  '<a href="java\tscript:alert(1)">x</a> <a href="&#106;avascript:alert(1)">y</a>',
];

const ALLOWED_TAGS = new Set<string>(SANITIZE_OPTIONS.allowedTags);
const ALLOWED_ATTRIBUTES: Record<string, readonly string[]> = SANITIZE_OPTIONS.allowedAttributes;

test('the pinned sanitizer keeps only allowlisted tags and attributes against later advisories\' payloads', async () => {
  const lease = await host.acquire();
  try {
    for (const payload of PAYLOADS) {
      const html = await lease.convert(payload, 'markdown', 'html');
      // Text may mention anything once escaped; tags and their attributes may not.
      assert.doesNotMatch(html, /<[^>]*(?:javascript:|\son\w+\s*=)|<(?:script|noscript|textarea|xmp|iframe|meta|svg|animate)/iu, `${payload.slice(0, 80)} → ${html.slice(0, 200)}`);
      for (const [, tag = '', attributes = ''] of html.matchAll(/<([a-z][a-z0-9]*)([^>]*)>/giu)) {
        assert.ok(ALLOWED_TAGS.has(tag.toLowerCase()), `tag <${tag}> from ${payload.slice(0, 80)}`);
        for (const [, name = ''] of attributes.matchAll(/\s([^\s=/]+)(?:="[^"]*")?/gu)) {
          assert.ok(ALLOWED_ATTRIBUTES[tag.toLowerCase()]?.includes(name), `attribute ${name} on <${tag}> from ${payload.slice(0, 80)}`);
        }
      }
    }
  } finally {
    await lease.release();
  }
});
