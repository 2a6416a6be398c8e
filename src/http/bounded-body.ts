// Reading a response body with a bound: never more than a limit (SIZE_LIMITS for what is
// held in memory, a declared size for a download), and exactly the Content-Length when the
// server gave one, so a body cannot run past what its headers or its descriptor promised.
import { describeLimit } from "../size-limits";
import type { HttpResponse } from "./client";

/** The whole body of `response`, at most `limit` bytes; `what` names it in errors. */
export async function readBoundedBody(response: HttpResponse, limit: number, what: string): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of boundedChunks(response, limit, what)) chunks.push(chunk);
  return Buffer.concat(chunks);
}

/** The body's chunks; fails once more than `limit` bytes, or more or fewer than Content-Length, arrive. */
export async function* boundedChunks(response: HttpResponse, limit: number, what: string): AsyncGenerator<Uint8Array> {
  const declared = contentLength(response);
  if (declared !== undefined && declared > limit) {
    await response.body?.cancel();
    throw tooLarge(response, what, limit);
  }
  let received = 0;
  for await (const chunk of response.body ?? []) {
    received += chunk.length;
    if (received > limit) throw tooLarge(response, what, limit);
    if (declared !== undefined && received > declared) throw new Error(`${response.finalUrl}: the ${what} is longer than its Content-Length of ${declared} bytes`);
    yield chunk;
  }
  if (declared !== undefined && received < declared) throw new Error(`${response.finalUrl}: the ${what} ended after ${received} of its ${declared} bytes`);
}

function contentLength(response: Response): number | undefined {
  const header = response.headers.get("content-length");
  if (header === null || !/^\d+$/.test(header.trim())) return undefined;
  return Number(header);
}

function tooLarge(response: HttpResponse, what: string, limit: number): Error {
  return new Error(`${response.finalUrl}: the ${what} is larger than ${describeLimit(limit)}`);
}
