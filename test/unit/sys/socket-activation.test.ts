import { describe, expect, test } from "bun:test";
import { forgetPassedSockets, socketsPassedByServiceManager } from "../../../src/sys/socket-activation";

describe("sockets passed by a service manager", () => {
  test("are LISTEN_FDS descriptors from 3 when LISTEN_PID names this process", () => {
    expect(socketsPassedByServiceManager({ LISTEN_FDS: "3", LISTEN_PID: "42" }, 42)).toEqual([3, 4, 5]);
  });

  test("are none when the variables are another process's, absent or not a count", () => {
    expect(socketsPassedByServiceManager({ LISTEN_FDS: "2", LISTEN_PID: "41" }, 42)).toEqual([]);
    expect(socketsPassedByServiceManager({ LISTEN_FDS: "2" }, 42)).toEqual([]);
    expect(socketsPassedByServiceManager({}, 42)).toEqual([]);
    expect(socketsPassedByServiceManager({ LISTEN_FDS: "two", LISTEN_PID: "42" }, 42)).toEqual([]);
    expect(socketsPassedByServiceManager({ LISTEN_FDS: "99999", LISTEN_PID: "42" }, 42)).toEqual([]);
  });

  test("forgetting them removes the protocol's variables and nothing else", () => {
    const env: Record<string, string | undefined> = { LISTEN_FDS: "1", LISTEN_PID: "42", LISTEN_FDNAMES: "registration", PATH: "/bin" };
    forgetPassedSockets(env);
    expect(env).toEqual({ PATH: "/bin" });
  });
});
