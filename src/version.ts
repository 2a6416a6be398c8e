export const RKT_VERSION = "0.8.0";
export const APPC_VERSION = "0.6.1";
