// HTTP: the one door every request of rkt goes through (client.ts says its rules), below
// fetch, docker, trust and appc discovery: GETs with redirects checked hop by hop,
// timeouts, bodies read with a bound into memory or streamed to a file, Basic credentials.
export { basicAuthorization, type BasicCredentials } from "./basic-auth";
export { readBoundedBody } from "./bounded-body";
export { httpClient, isHttpUrl, type HttpGet, type HttpResponse } from "./client";
export { downloadToFile, saveResponseBody } from "./download-file";
export { requestOverUnixSocket, requestOverUnixSocketSync, SocketUnreachable, type SocketAnswer } from "./unix-socket";
