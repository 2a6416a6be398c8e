// HTTP: the one door every request of rkt goes through (client.ts says its rules), below
// fetch, docker and trust: GETs with redirects checked hop by hop, timeouts, bodies read
// with a bound into memory or streamed to a file, and Basic credentials.
export { basicAuthorization, type BasicCredentials } from "./basic-auth";
export { readBoundedBody } from "./bounded-body";
export { httpClient, isHttpUrl, type HttpClientOptions, type HttpGet, type HttpResponse } from "./client";
export { downloadToFile, saveResponseBody, type DownloadOptions } from "./download-file";
export { DEFAULT_HTTP_TIMEOUTS, type HttpTimeouts } from "./timeouts";
