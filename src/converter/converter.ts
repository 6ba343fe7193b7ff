import { ConverterHost } from './converter-host.js';

/**
 * The process-wide body converter. This module and the default configuration are the
 * only process-wide state in the library; constructing the host starts nothing.
 */
export const converter = new ConverterHost();
