import { describe, expect, test } from "bun:test";
import { socketsPassedToRkt } from "../../../src/pod/socket-activation";

describe("sockets passed to rkt by socket activation", () => {
  test("are LISTEN_FDS descriptors from 3 when LISTEN_PID names this process", () => {
    expect(socketsPassedToRkt({ LISTEN_FDS: "3", LISTEN_PID: "42" }, 42)).toEqual([3, 4, 5]);
  });

  test("are none when the variables are another process's, absent or not a count", () => {
    expect(socketsPassedToRkt({ LISTEN_FDS: "2", LISTEN_PID: "41" }, 42)).toEqual([]);
    expect(socketsPassedToRkt({ LISTEN_FDS: "2" }, 42)).toEqual([]);
    expect(socketsPassedToRkt({}, 42)).toEqual([]);
    expect(socketsPassedToRkt({ LISTEN_FDS: "two", LISTEN_PID: "42" }, 42)).toEqual([]);
    expect(socketsPassedToRkt({ LISTEN_FDS: "99999", LISTEN_PID: "42" }, 42)).toEqual([]);
  });
});
