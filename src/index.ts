// The public entry point. Anything not exported here is internal.
export { NewMail, type NewMailOptions, type NewMailState, type BodyFormatValue, type MailFormatValue, type ImportanceValue } from './new-mail.js';
export { createObject } from './create-object.js';
export { configure, close, getDefaultMailer, type ConfigureOptions } from './default-mailer.js';
export { Mailer, type MailerOptions, type MailerState, type SendResult } from './mailer.js';
export { converter } from './converter/converter.js';
export { ConverterHost, type ConverterHostOptions, type ConverterSource, type ConverterState, type ConverterStats } from './converter/converter-host.js';
export { ConverterLease } from './converter/converter-lease.js';
export { bodyKinds, type BodyKind } from './converter/body-kind.js';
export * from './cdo-constants.js';
export { parseAddressList, formatAddressList, type Mailbox } from './address-list.js';
export { supportedCodePages } from './code-pages.js';
export { CdoError, isCdoError } from './errors/cdo-error.js';
export { TransportError, type TransportErrorDetails } from './errors/transport-error.js';
export { errorCodes, type ErrorCode } from './errors/error-codes.js';
export { PickupTransport, type PickupTransportOptions } from './transports/pickup-transport.js';
export { MemoryTransport, type StoredMessage } from './transports/memory-transport.js';
export type { TransportSpec } from './transports/create-transport.js';
export { Relay, startRelay, type RelayOptions, type RelayEvent, type RelayStats, type RelayState } from './relay/relay.js';
