// The CDOSYS type library's constants with their exact values (cdosys.h; reference §2).
// Behaviour keys on the numbers: scripts without the METADATA import defined them by hand.

export const cdoDefaults = -1;
export const cdoIIS = 1;
export const cdoOutlookExpress = 2;

export const cdoSendUsingPickup = 1;
export const cdoSendUsingPort = 2;

export const cdoAnonymous = 0;
export const cdoBasic = 1;
export const cdoNTLM = 2;

export const cdoDSNDefault = 0;
export const cdoDSNNever = 1;
export const cdoDSNFailure = 2;
export const cdoDSNSuccess = 4;
export const cdoDSNDelay = 8;
export const cdoDSNSuccessFailOrDelay = 14;

export const cdoSuppressNone = 0;
export const cdoSuppressImages = 1;
export const cdoSuppressBGSounds = 2;
export const cdoSuppressFrames = 4;
export const cdoSuppressObjects = 8;
export const cdoSuppressStyleSheets = 16;
export const cdoSuppressAll = 31;

export const cdoRefTypeId = 0;
export const cdoRefTypeLocation = 1;

export const cdoLow = 0;
export const cdoNormal = 1;
export const cdoHigh = 2;

export const cdoPriorityNonUrgent = -1;
export const cdoPriorityNormal = 0;
export const cdoPriorityUrgent = 1;
