import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { escapeHtml } from '../converter/text-to-html.js';
import { CdoError } from '../errors/cdo-error.js';
import { sameSecret } from './same-secret.js';
import { watchFolder } from './watch-folder.js';
import { MailIndex, type MailSummary } from './mail-index.js';

const APP_CSP = "default-src 'none'; script-src 'self'; style-src 'unsafe-inline'; connect-src 'self'; frame-src 'self'; img-src 'self'; base-uri 'none'; form-action 'self'";
// The message's own HTML: no script, no network, no same-origin access; inline styles and
// embedded images only.
const MESSAGE_CSP = "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'";

const STYLE = `<style>body{font:14px system-ui,sans-serif;margin:0}header{background:#234;color:#fff;padding:8px 16px}
main{padding:8px 16px}table{border-collapse:collapse;width:100%}td,th{text-align:left;padding:4px 8px;border-bottom:1px solid #ddd}
tr:hover{background:#f4f6f8}pre{white-space:pre-wrap;background:#f7f7f7;padding:8px}iframe{width:100%;height:360px;border:1px solid #ccc}
.muted{color:#667}</style>`;

// Refreshes the list when the server says a folder changed (server-sent events).
const APP_JS = `const list = document.getElementById('list');
const q = new URLSearchParams(location.search).get('q') || '';
async function refresh() {
  const res = await fetch('/api/messages?q=' + encodeURIComponent(q));
  const rows = await res.json();
  list.replaceChildren(...rows.map((m) => {
    const tr = document.createElement('tr');
    tr.dataset.id = m.id;
    const cells = [new Date(m.date).toLocaleString(), m.from, m.to, m.subject, m.folder];
    cells.forEach((text, i) => {
      const td = document.createElement('td');
      if (i === 3) { const a = document.createElement('a'); a.href = '/message/' + m.id.split('/').map(encodeURIComponent).join('/'); a.textContent = text || '(no subject)'; td.append(a); }
      else td.textContent = text;
      tr.append(td);
    });
    return tr;
  }));
  document.getElementById('count').textContent = rows.length + ' messages';
}
new EventSource('/events').addEventListener('change', () => void refresh());
`;

export interface InboxServerOptions {
  /** Folders to show, by label: { pickup: './mailroot/pickup', drop: './mailroot/drop' }. */
  readonly folders: Record<string, string>;
  /**
   * A secret every request must carry: `?token=` once (it becomes a cookie for this port), the
   * cookie, or `Authorization: Bearer`. Required with `hosts`.
   */
  readonly token?: string;
  /**
   * Host names, besides 127.0.0.1, localhost and [::1], that a request's `Host` may name (with
   * the port listened on): the address a non-loopback listener is reached by, or '*' for any
   * (a listener on every address). Only with `token`.
   */
  readonly hosts?: readonly string[];
}

// The names a browser on this machine uses for a loopback listener. A request naming any
// other host came through a name someone else controls (DNS rebinding) and gets nothing.
const LOOPBACK_HOSTS = ['127.0.0.1', 'localhost', '[::1]'] as const;

/**
 * The local mail viewer behind `cdonts inbox`. Listen on 127.0.0.1 (or ::1); it answers only
 * requests whose `Host` is a loopback name with the port it listens on, and with a `token`
 * only requests that carry it.
 */
export function createInboxServer(options: InboxServerOptions): Server {
  const hosts = (options.hosts ?? []).map((h) => h.toLowerCase());
  if (options.token !== undefined && options.token.length < 16) throw new CdoError('CDO_E_INVALID_PARAMETER', 'the inbox token must be at least 16 characters');
  if (hosts.length > 0 && options.token === undefined) throw new CdoError('CDO_E_INVALID_PARAMETER', 'an inbox reachable by other host names needs a token');
  const gate: Gate = { names: new Set([...LOOPBACK_HOSTS, ...hosts]), anyHost: hosts.includes('*'), token: options.token };
  const index = new MailIndex(options.folders);
  const listeners = new Set<ServerResponse>();
  const notify = (): void => {
    for (const response of listeners) response.write('event: change\ndata: {}\n\n');
  };
  const unwatch = index.folders.map((folder) => watchFolder(folder, notify));
  const server = createServer((request, response) => {
    const port = (server.address() as AddressInfo | null)?.port;
    if (port === undefined || !admitted(request, response, gate, port)) return;
    handle(request, response, index, listeners).catch(() => send(response, 500, 'text/plain; charset=utf-8', 'internal error'));
  });
  server.on('close', () => {
    for (const stop of unwatch) stop();
    for (const response of listeners) response.end();
  });
  return server;
}

interface Gate {
  readonly names: ReadonlySet<string>;
  readonly anyHost: boolean;
  readonly token: string | undefined;
}

/** Host and token checks, before anything is read; answers 403 (or the token's redirect) itself. */
function admitted(request: IncomingMessage, response: ServerResponse, gate: Gate, port: number): boolean {
  const host = (request.headers.host ?? '').toLowerCase();
  const colon = host.lastIndexOf(':');
  const hostPortOk = colon > 0 && host.slice(colon + 1) === String(port) && (gate.anyHost || gate.names.has(host.slice(0, colon)));
  if (!hostPortOk) {
    send(response, 403, 'text/plain; charset=utf-8', 'forbidden: this inbox answers only to its own address');
    return false;
  }
  if (gate.token === undefined) return true;
  const cookieName = `cdonts-inbox-${port}`;
  const url = new URL(request.url ?? '/', 'http://inbox.invalid');
  const offered = url.searchParams.get('token');
  if (offered !== null && sameSecret(offered, gate.token)) {
    // The token becomes a cookie, and the address bar loses it.
    url.searchParams.delete('token');
    response.writeHead(303, {
      location: `${url.pathname}${url.search}`,
      'set-cookie': `${cookieName}=${encodeURIComponent(gate.token)}; HttpOnly; SameSite=Strict; Path=/`,
      'cache-control': 'no-store',
      'referrer-policy': 'no-referrer',
    });
    response.end();
    return false;
  }
  const cookie = cookieValue(request.headers.cookie, cookieName);
  const bearer = /^Bearer (.+)$/u.exec(request.headers.authorization ?? '')?.[1];
  if ((cookie !== undefined && sameSecret(cookie, gate.token)) || (bearer !== undefined && sameSecret(bearer, gate.token))) return true;
  send(response, 403, 'text/plain; charset=utf-8', 'forbidden: open the address with ?token= that cdonts inbox printed');
  return false;
}

function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) {
      try {
        return decodeURIComponent(part.slice(eq + 1).trim());
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

async function handle(request: IncomingMessage, response: ServerResponse, index: MailIndex, listeners: Set<ServerResponse>): Promise<void> {
  const url = new URL(request.url ?? '/', 'http://127.0.0.1');
  if (request.method !== 'GET') return send(response, 405, 'text/plain; charset=utf-8', 'GET only');
  const path = url.pathname;
  if (path === '/') return send(response, 200, 'text/html; charset=utf-8', listPage(await index.list(url.searchParams.get('q') ?? ''), url.searchParams.get('q') ?? ''), APP_CSP);
  if (path === '/app.js') return send(response, 200, 'text/javascript; charset=utf-8', APP_JS, APP_CSP);
  if (path === '/api/messages') return send(response, 200, 'application/json', JSON.stringify(await index.list(url.searchParams.get('q') ?? '')), APP_CSP);
  if (path === '/events') {
    response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', 'content-security-policy': APP_CSP });
    response.write(': connected\n\n');
    listeners.add(response);
    request.on('close', () => listeners.delete(response));
    return;
  }
  const match = /^\/message\/([\w-]+)\/([\w.-]+\.eml)(?:\/(html|raw|attachment\/(\d+)))?$/u.exec(path);
  if (match === null) return send(response, 404, 'text/plain; charset=utf-8', 'not found');
  const [, folder = '', name = '', part, attachmentIndex] = match;
  const message = await index.read(`${folder}/${name}`);
  if (message === undefined) return send(response, 404, 'text/plain; charset=utf-8', 'no such message');
  const { parsed, raw, summary } = message;
  if (part === 'raw') return send(response, 200, 'text/plain; charset=utf-8', raw, APP_CSP);
  if (part === 'html') return send(response, 200, 'text/html; charset=utf-8', typeof parsed.html === 'string' ? parsed.html : '', MESSAGE_CSP);
  if (attachmentIndex !== undefined) {
    const attachment = parsed.attachments[Number(attachmentIndex)];
    if (attachment === undefined) return send(response, 404, 'text/plain; charset=utf-8', 'no such attachment');
    response.writeHead(200, {
      'content-type': 'application/octet-stream',
      'content-disposition': `attachment; filename*=UTF-8''${encodeURIComponent(attachment.filename ?? `attachment-${attachmentIndex}`)}`,
      'content-security-policy': MESSAGE_CSP,
      'x-content-type-options': 'nosniff',
    });
    response.end(attachment.content);
    return;
  }
  const base = `/message/${encodeURIComponent(folder)}/${encodeURIComponent(name)}`;
  const headers = [...parsed.headerLines].map((h) => `<tr><th>${escapeHtml(h.key)}</th><td>${escapeHtml(h.line.slice(h.line.indexOf(':') + 1).trim())}</td></tr>`).join('');
  const attachments = parsed.attachments
    .map((a, i) => `<li><a href="${base}/attachment/${i}" download>${escapeHtml(a.filename ?? `attachment ${i}`)}</a> <span class="muted">${escapeHtml(a.contentType)}, ${a.size} bytes</span></li>`)
    .join('');
  const html = typeof parsed.html === 'string' ? `<h2>HTML</h2><iframe id="html" sandbox="" src="${base}/html" title="HTML part"></iframe>` : '';
  const page = `<!doctype html><meta charset="utf-8"><title>${escapeHtml(summary.subject)}</title>${STYLE}
<header><a href="/" style="color:#fff">← all messages</a></header><main>
<h1 id="subject">${escapeHtml(summary.subject || '(no subject)')}</h1>
<p class="muted">From ${escapeHtml(summary.from)} to ${escapeHtml(summary.to)}</p>
${attachments === '' ? '' : `<h2>Attachments</h2><ul id="attachments">${attachments}</ul>`}
${html}
<h2>Text</h2><pre id="text">${escapeHtml(parsed.text ?? '')}</pre>
<h2>Headers</h2><table id="headers">${headers}</table>
<p><a href="${base}/raw">Raw source</a></p></main>`;
  return send(response, 200, 'text/html; charset=utf-8', page, APP_CSP);
}

function listPage(messages: readonly MailSummary[], query: string): string {
  const rows = messages
    .map(
      (m) =>
        `<tr data-id="${escapeHtml(m.id)}"><td>${escapeHtml(new Date(m.date).toLocaleString())}</td><td>${escapeHtml(m.from)}</td><td>${escapeHtml(m.to)}</td>` +
        `<td><a href="/message/${m.id.split('/').map(encodeURIComponent).join('/')}">${escapeHtml(m.subject || '(no subject)')}</a></td><td>${escapeHtml(m.folder)}</td></tr>`,
    )
    .join('');
  return `<!doctype html><meta charset="utf-8"><title>cdonts inbox</title>${STYLE}
<header>cdonts inbox — <span id="count">${messages.length} messages</span></header><main>
<form><input name="q" value="${escapeHtml(query)}" placeholder="search sender, recipient, subject"> <button>Search</button></form>
<table><thead><tr><th>Date</th><th>From</th><th>To</th><th>Subject</th><th>Folder</th></tr></thead><tbody id="list">${rows}</tbody></table>
</main><script src="/app.js"></script>`;
}

function send(response: ServerResponse, status: number, type: string, body: string | Buffer, csp = APP_CSP): void {
  if (response.headersSent) return;
  response.writeHead(status, { 'content-type': type, 'content-security-policy': csp, 'x-content-type-options': 'nosniff', 'referrer-policy': 'no-referrer' });
  response.end(body);
}
