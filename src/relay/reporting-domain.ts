import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { CdoError } from '../errors/cdo-error.js';

const DOMAIN = /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$/iu;

/** A configured reporting host name must be a fully qualified domain name (it signs bounces). */
export function checkReportingDomain(name: string | undefined): string | undefined {
  if (name === undefined) return undefined;
  if (!DOMAIN.test(name)) throw new CdoError('CDO_E_INVALID_PARAMETER', `hostname must be a fully qualified domain name such as mail.example.com, got ${JSON.stringify(name.slice(0, 100))}`);
  return name.toLowerCase();
}

/**
 * The domain a bounce comes from (postmaster@…, Reporting-MTA): the configured one, else
 * the machine's fully qualified name (its host name when dotted, or a dotted alias of it
 * in /etc/hosts, as `hostname -f` finds it), else the domain of the message's envelope
 * sender — never a bare name such as `vm`, which receivers reject or mark as spam.
 */
export function reportingDomain(configured: string | undefined, envelopeSender: string): string {
  if (configured !== undefined) return configured;
  const machine = machineDomain();
  if (machine !== undefined) return machine;
  const senderDomain = envelopeSender.slice(envelopeSender.lastIndexOf('@') + 1).toLowerCase();
  return DOMAIN.test(senderDomain) ? senderDomain : 'localhost.localdomain';
}

let cached: { value: string | undefined } | undefined;

function machineDomain(): string | undefined {
  cached ??= { value: lookUp() };
  return cached.value;
}

function lookUp(): string | undefined {
  const short = hostname().toLowerCase();
  if (DOMAIN.test(short)) return short;
  let hosts: string;
  try {
    hosts = readFileSync('/etc/hosts', 'utf8');
  } catch {
    return undefined;
  }
  for (const line of hosts.split('\n')) {
    const names = line.replace(/#.*/u, '').trim().split(/\s+/u).slice(1).map((n) => n.toLowerCase());
    if (!names.some((n) => n === short || n.startsWith(`${short}.`))) continue;
    const dotted = names.find((n) => n.startsWith(`${short}.`) && DOMAIN.test(n));
    if (dotted !== undefined) return dotted;
  }
  return undefined;
}
