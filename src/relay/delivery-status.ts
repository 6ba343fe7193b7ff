import MimeNode from 'nodemailer/lib/mime-node';

export interface FailedRecipient {
  readonly recipient: string;
  /** The server's reply, e.g. "550 5.1.1 no such user". */
  readonly reason: string;
}

/**
 * A delivery status notification (RFC 3464) for recipients a message could not reach:
 * multipart/report with a human-readable part, the message/delivery-status fields and
 * the original headers. Built with nodemailer's MIME tree; sent from the null sender, so
 * a bounce is never bounced.
 */
export async function buildDeliveryStatus(options: {
  readonly to: string;
  readonly failed: readonly FailedRecipient[];
  readonly originalHeaders: string;
  readonly arrival: Date;
  /** The reporting MTA's fully qualified domain name: the bounce comes from postmaster@ it. */
  readonly reportingMta: string;
}): Promise<Buffer> {
  const reportingMta = options.reportingMta;
  const root = new MimeNode('multipart/report; report-type=delivery-status');
  root.setHeader('From', `Mail Delivery Subsystem <postmaster@${reportingMta}>`);
  root.setHeader('To', options.to);
  root.setHeader('Subject', 'Delivery Status Notification (Failure)');
  root.setHeader('Auto-Submitted', 'auto-replied');
  root.createChild('text/plain; charset=utf-8').setContent(
    `Your message could not be delivered to:\n\n${options.failed.map((f) => `  ${f.recipient}: ${f.reason}`).join('\n')}\n`,
  );
  const fields = [
    `Reporting-MTA: dns; ${reportingMta}`,
    `Arrival-Date: ${options.arrival.toUTCString()}`,
    ...options.failed.flatMap((f) => [
      '',
      `Final-Recipient: rfc822; ${f.recipient}`,
      'Action: failed',
      `Status: ${statusOf(f.reason)}`,
      `Diagnostic-Code: smtp; ${f.reason.replace(/[\r\n]+/gu, ' ')}`,
    ]),
  ];
  root.createChild('message/delivery-status').setContent(`${fields.join('\r\n')}\r\n`);
  root.createChild('text/rfc822-headers').setContent(options.originalHeaders);
  return root.build();
}

/** The enhanced status code in a reply ("550 5.1.1 …" → 5.1.1), else one from the reply code. */
function statusOf(reason: string): string {
  const enhanced = /\b([245]\.\d{1,3}\.\d{1,3})\b/u.exec(reason);
  if (enhanced !== null) return enhanced[1] ?? '5.0.0';
  return /^4/u.test(reason) ? '4.0.0' : '5.0.0';
}
