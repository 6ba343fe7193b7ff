// The CDONTS type library's constants, with their exact values (cdonts.h, actmsg.idl).
// Behaviour always keys on the numeric value, as scripts defined these by hand.

export const CdoBodyFormatHTML = 0;
export const CdoBodyFormatText = 1;

export const CdoMailFormatMime = 0;
export const CdoMailFormatText = 1;

export const CdoEncodingUUencode = 0;
export const CdoEncodingBase64 = 1;

export const CdoLow = 0;
export const CdoNormal = 1;
export const CdoHigh = 2;

export const CdoTo = 1;
export const CdoCc = 2;
export const CdoBcc = 3;
