import { describe, expect, test } from "bun:test";
import { finalAppEnvironment, mergeAppEnvironment, parseEnvAssignment } from "../../../src/pod/environment";

describe("app environment", () => {
  test("--inherit-env < image < --set-env", () => {
    const merged = mergeAppEnvironment(
      [{ name: "A", value: "image" }, { name: "B", value: "image" }],
      ["B=flag", "C=flag"].map(parseEnvAssignment),
      { A: "host", D: "host" },
    );
    expect(Object.fromEntries(merged.map((v) => [v.name, v.value]))).toEqual({ A: "image", B: "flag", C: "flag", D: "host" });
  });

  test("--inherit-env leaves out the socket-activation variables meant for rkt itself", () => {
    const merged = mergeAppEnvironment([], [], { LISTEN_FDS: "1", LISTEN_PID: "42", LISTEN_FDNAMES: "web", KEPT: "host" });
    expect(merged).toEqual([{ name: "KEPT", value: "host" }]);
  });

  test("an assignment needs a name, an equals sign, and a name without control characters", () => {
    expect(() => parseEnvAssignment("NOVALUE")).toThrow("environment variable must be specified as name=value");
    expect(() => parseEnvAssignment("=1")).toThrow("environment variable must be specified as name=value");
    expect(() => parseEnvAssignment("A\tB=1")).toThrow("the variable name must not contain control characters");
    expect(parseEnvAssignment("A=x=y")).toEqual({ name: "A", value: "x=y" });
    expect(parseEnvAssignment("E=")).toEqual({ name: "E", value: "" });
  });

  test("the final environment has the appc defaults only where unset, and the executor's variables", () => {
    const env = finalAppEnvironment("web", [{ name: "HOME", value: "/srv" }, { name: "container", value: "other" }], "");
    const map = Object.fromEntries(env.map((v) => [v.name, v.value]));
    expect(map).toEqual({
      PATH: "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
      SHELL: "/bin/sh",
      USER: "root",
      LOGNAME: "root",
      HOME: "/srv",
      AC_APP_NAME: "web",
      AC_METADATA_URL: "",
      container: "rkt",
    });
  });
});
