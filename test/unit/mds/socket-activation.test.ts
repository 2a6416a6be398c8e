import { expect, test } from "bun:test";
import { takeActivatedSocket } from "../../../src/mds/socket-activation";

test("sockets passed to this process: fd 3, and the variables are gone afterwards", () => {
  const env: Record<string, string | undefined> = { LISTEN_FDS: "1", LISTEN_PID: "42", LISTEN_FDNAMES: "registration", PATH: "/bin" };
  expect(takeActivatedSocket(env, 42)).toBe(3);
  expect(env).toEqual({ PATH: "/bin" });
});

test("no LISTEN_FDS, or sockets meant for another process: none, and the variables are still removed", () => {
  expect(takeActivatedSocket({}, 42)).toBeUndefined();
  const env: Record<string, string | undefined> = { LISTEN_FDS: "1", LISTEN_PID: "7" };
  expect(takeActivatedSocket(env, 42)).toBeUndefined();
  expect(env).toEqual({});
});

test("a LISTEN_FDS that is not a positive count is an error naming it", () => {
  expect(() => takeActivatedSocket({ LISTEN_FDS: "0", LISTEN_PID: "42" }, 42)).toThrow('LISTEN_FDS="0": expected the number of sockets passed, at least 1');
  expect(() => takeActivatedSocket({ LISTEN_FDS: "x" }, 42)).toThrow('LISTEN_FDS="x"');
});
