// Preloaded by bunfig.toml. End-to-end tests and their setup hooks start real pods,
// registries and servers: give them room on a loaded 2-core machine. (bunfig's own
// `timeout` reaches only the tests, not beforeAll/afterAll hooks.)
import { setDefaultTimeout } from "bun:test";

setDefaultTimeout(120_000);
