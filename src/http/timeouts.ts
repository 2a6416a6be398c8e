// How long a GET may wait on the network (README "Network timeouts"): for the status line
// and headers after the request was sent (connecting included), and between two pieces of
// a body. A server that never answers, or trickles a byte at a time, fails with an error
// naming the URL instead of hanging rkt. Set per invocation from the environment.
export interface HttpTimeouts {
  /** Milliseconds from the request to the end of the response headers. */
  responseMs: number;
  /** Milliseconds the body may go without any data arriving. */
  bodyIdleMs: number;
}

const DEFAULT_HTTP_TIMEOUTS: HttpTimeouts = { responseMs: 30_000, bodyIdleMs: 30_000 };

export const RESPONSE_TIMEOUT_VARIABLE = "RKT_HTTP_RESPONSE_TIMEOUT";
export const BODY_IDLE_TIMEOUT_VARIABLE = "RKT_HTTP_IDLE_TIMEOUT";

/** The defaults, overridden by the variables above (seconds, fractions allowed). */
export function httpTimeoutsFromEnvironment(env: Record<string, string | undefined> = process.env): HttpTimeouts {
  return {
    responseMs: secondsVariable(env, RESPONSE_TIMEOUT_VARIABLE) ?? DEFAULT_HTTP_TIMEOUTS.responseMs,
    bodyIdleMs: secondsVariable(env, BODY_IDLE_TIMEOUT_VARIABLE) ?? DEFAULT_HTTP_TIMEOUTS.bodyIdleMs,
  };
}

function secondsVariable(env: Record<string, string | undefined>, name: string): number | undefined {
  const text = env[name];
  if (text === undefined || text === "") return undefined;
  const seconds = Number(text);
  if (!Number.isFinite(seconds) || seconds <= 0) throw new Error(`${name}="${text}" is not a positive number of seconds`);
  return seconds * 1000;
}

/** `2 s`, `0.5 s`: how errors name a timeout. */
export function describeTimeout(ms: number): string {
  return `${ms / 1000} s`;
}
