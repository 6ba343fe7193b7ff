// The contact form of examples/formmail/, written the CDOSYS way: one CDO.Configuration
// made at start-up and shared by every request (as Microsoft recommends; equal settings
// share one SMTP pool anyway, see transportStats()), and a CDO.Message per post.
//
//   SMTP_SERVER=127.0.0.1 SMTP_PORT=2525 node --import tsx examples/cdosys/form-mail-server.ts
//
// Classic ASP original (a common CDOSYS form mailer, header injection included):
//   Set cfg = Server.CreateObject("CDO.Configuration")
//   cfg.Fields(cdoSendUsingMethod) = cdoSendUsingPort : cfg.Fields(cdoSMTPServer) = "mail.example.com"
//   cfg.Fields.Update
//   Set m = Server.CreateObject("CDO.Message") : Set m.Configuration = cfg
//   m.From = Request.Form("email") : m.To = "webmaster@example.com"
//   m.Subject = "Contact Form: " & Request.Form("subject") : m.TextBody = Request.Form("message") : m.Send
import type { Server } from 'node:http';
import { pathToFileURL } from 'node:url';
import { CdoError, cdoSendUsingPort, createObject, formatAddressList, parseAddressList, type Configuration } from '../../src/index.js';
import { createContactFormServer, type ContactForm } from '../formmail/form-mail-server.js';

const F = 'http://schemas.microsoft.com/cdo/configuration/';

export interface CdosysFormMailOptions {
  readonly to: string;
  /** The site's own sender; the visitor goes into Reply-To, never From. */
  readonly from: string;
  readonly configuration: Configuration;
  readonly maxBodyBytes?: number;
}

/** The shared Configuration: SMTP to `server:port`. */
export function smtpConfiguration(server: string, port: number): Configuration {
  const cfg = createObject('CDO.Configuration');
  cfg.Fields.Item(F + 'sendusing').Value = cdoSendUsingPort;
  cfg.Fields.Item(F + 'smtpserver').Value = server;
  cfg.Fields.Item(F + 'smtpserverport').Value = port;
  cfg.Fields.Update();
  return cfg;
}

export function createCdosysFormMailServer(options: CdosysFormMailOptions): Server {
  return createContactFormServer(options.maxBodyBytes, async ({ name, email, subject, message }: ContactForm) => {
    const m = createObject('CDO.Message');
    m.Configuration = options.configuration;
    m.From = options.from;
    m.To = options.to;
    // Parsed, so CR/LF, a second address or a display-name trick is CDO_E_INVALID_PARAMETER → 400.
    const visitor = parseAddressList(email, 'email');
    if (visitor.length !== 1) throw new CdoError('CDO_E_INVALID_PARAMETER', 'email must be exactly one address');
    m.ReplyTo = formatAddressList(visitor);
    m.Subject = `Contact form: ${subject}`;
    m.TextBody = `From: ${name} <${email}>\n\n${message}`;
    const result = await m.Send();
    return result.messageId;
  });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const port = Number(process.env['PORT'] ?? 8080);
  const configuration = smtpConfiguration(process.env['SMTP_SERVER'] ?? '127.0.0.1', Number(process.env['SMTP_PORT'] ?? 25));
  createCdosysFormMailServer({ to: process.env['FORMMAIL_TO'] ?? 'webmaster@example.com', from: process.env['FORMMAIL_FROM'] ?? 'Web Site <web@example.com>', configuration }).listen(port, '127.0.0.1', () => {
    console.log(`CDOSYS form mail on http://127.0.0.1:${port}/`);
  });
}
