// The canonical CDONTS use — a contact form posted to a page that mails it — written
// safely: every field is validated, user input never becomes a header except through
// properties that refuse CR/LF, and bad input gets a clear 400.
//
//   node --import tsx examples/formmail/form-mail-server.ts   (then open http://127.0.0.1:8080/)
//
// Classic ASP original (cdonts.md §5 I), which let spammers inject headers:
//   Mailer.From = Request.Form("email") : Mailer.Subject = "Contact Form: " & product
//   Mailer.To = strTo : Mailer.Body = body : Mailer.Value("Reply-To") = email : Mailer.Send
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { pathToFileURL } from 'node:url';
import { formatAddressList, isCdoError, Mailer, NewMail, parseAddressList } from '../../src/index.js';

export interface FormMailOptions {
  /** Who receives the submissions. */
  readonly to: string;
  /** The site's own sender address; the visitor goes into Reply-To, never From. */
  readonly from: string;
  /** Where mail goes; the configured default when absent. */
  readonly mailer?: Mailer;
  readonly maxBodyBytes?: number;
}

const FORM = `<!doctype html><meta charset="utf-8"><title>Contact us</title>
<form method="post" action="/contact">
<label>Name <input name="name" maxlength="100" required></label>
<label>E-mail <input name="email" type="email" maxlength="254" required></label>
<label>Subject <input name="subject" maxlength="200" required></label>
<label>Message <textarea name="message" maxlength="10000" required></textarea></label>
<button>Send</button></form>`;

class BadRequest extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** The validated fields of one contact-form post. */
export interface ContactForm {
  readonly name: string;
  readonly email: string;
  readonly subject: string;
  readonly message: string;
}

export function createFormMailServer(options: FormMailOptions): Server {
  return createContactFormServer(options.maxBodyBytes, (form) => sendWithNewMail(form, options));
}

/**
 * The HTTP side both examples share (this one, and examples/cdosys/ written the CDOSYS
 * way): serves the form, validates a post, hands it to `send` (which returns the
 * Message-ID), and maps errors to statuses.
 */
export function createContactFormServer(maxBody: number | undefined, send: (form: ContactForm) => Promise<string>): Server {
  const maxBodyBytes = maxBody ?? 64 * 1024;
  return createServer((request, response) => {
    handle(request, response, send, maxBodyBytes).catch((error: unknown) => {
      const status = error instanceof BadRequest ? error.status : isCdoError(error) && error.code === 'CDO_E_INVALID_PARAMETER' ? 400 : 502;
      const message = error instanceof BadRequest || status === 400 ? (error as Error).message : 'the message could not be sent; please try again later';
      reply(response, status, message);
    });
  });
}

async function handle(request: IncomingMessage, response: ServerResponse, send: (form: ContactForm) => Promise<string>, maxBodyBytes: number): Promise<void> {
  if (request.url === '/' && request.method === 'GET') {
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(FORM);
    return;
  }
  if (request.url !== '/contact') throw new BadRequest(404, 'not found');
  if (request.method !== 'POST') throw new BadRequest(405, 'use POST');
  if (!(request.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) {
    throw new BadRequest(415, 'send the form as application/x-www-form-urlencoded');
  }
  const form = new URLSearchParams(await readBody(request, maxBodyBytes));
  const field = (name: string, max: number): string => {
    const value = (form.get(name) ?? '').trim();
    if (value === '') throw new BadRequest(400, `${name} is required`);
    if (value.length > max) throw new BadRequest(400, `${name} is longer than ${max} characters`);
    return value;
  };
  const name = field('name', 100);
  const email = field('email', 254);
  const subject = field('subject', 200);
  const message = field('message', 10_000);
  const messageId = await send({ name, email, subject, message });
  reply(response, 200, `Thank you, ${name}. Your message was sent (${messageId}).`);
}

async function sendWithNewMail({ name, email, subject, message }: ContactForm, options: FormMailOptions): Promise<string> {
  const mail = new NewMail(options.mailer === undefined ? {} : { mailer: options.mailer });
  mail.From = options.from;
  mail.To = options.to;
  // The visitor's address goes into Reply-To as a parsed address: CR/LF, a second address
  // or a display-name trick are all refused with CDO_E_INVALID_PARAMETER → 400.
  const visitor = parseAddressList(email, 'email');
  if (visitor.length !== 1) throw new BadRequest(400, 'email must be exactly one address');
  mail.Value('Reply-To', formatAddressList(visitor));
  mail.Subject = `Contact form: ${subject}`;
  mail.Body = `From: ${name} <${email}>\n\n${message}`;
  const result = await mail.Send();
  return result.messageId;
}

async function readBody(request: IncomingMessage, limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new BadRequest(413, `the form is larger than ${limit} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function reply(response: ServerResponse, status: number, message: string): void {
  if (response.headersSent) return;
  response.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', connection: 'close' }).end(`${message}\n`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const port = Number(process.env['PORT'] ?? 8080);
  createFormMailServer({ to: process.env['FORMMAIL_TO'] ?? 'webmaster@example.com', from: process.env['FORMMAIL_FROM'] ?? 'Web Site <web@example.com>' }).listen(port, '127.0.0.1', () => {
    console.log(`form mail on http://127.0.0.1:${port}/ — messages go to the pickup directory unless CDONTS_TRANSPORT is set`);
  });
}
