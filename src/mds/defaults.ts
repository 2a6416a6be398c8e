// Where rkt and its metadata service meet by default (rkt-cli §3.14).
export const DEFAULT_APP_PORT = 2375;
export const DEFAULT_REGISTRATION_SOCKET = "/run/rkt/metadata-svc.sock";
