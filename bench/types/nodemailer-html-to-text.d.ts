declare module 'nodemailer-html-to-text' {
  import type { PluginFunction } from 'nodemailer/lib/mailer';
  export function htmlToText(options?: Record<string, unknown>): PluginFunction;
}
