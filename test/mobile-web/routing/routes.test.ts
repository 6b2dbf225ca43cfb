import assert from "node:assert/strict";
import {
  changesRoute,
  dirRoute,
  fileRoute,
  joinPath,
  newTaskRoute,
  parseRoute,
  routeHash,
  threadRoute,
  threadsRoute,
  type Route,
} from "../../../mobile-web/src/routing/routes";

describe("phone routes", () => {
  it("brings every screen back from its own address", () => {
    const screens: Route[] = [{ name: "home" }, { name: "hosts" }, { name: "add" }, { name: "settings" }];
    for (const screen of screens) assert.deepEqual(parseRoute(routeHash(screen)), screen);
    assert.equal(routeHash({ name: "settings" }), "#/settings");
    assert.deepEqual(parseRoute(""), { name: "home" });
  });

  it("round-trips a nested file whose name holds spaces, #, ?, % and accents", () => {
    const route = fileRoute("host_1", "src/my dir/a#b?c%d café.ts");
    const hash = routeHash(route);
    // A raw "#" or "?" past the prefix would cut the path short in the address bar.
    assert.doesNotMatch(hash.slice(1), /[#?]/);
    assert.deepEqual(parseRoute(hash), { name: "host", hostId: "host_1", view: "file", path: "src/my dir/a#b?c%d café.ts" });
  });

  it("gives a host's threads its bare address and the workspace root /d", () => {
    assert.equal(routeHash(dirRoute("abc", "")), "#/h/abc/d");
    assert.deepEqual(parseRoute("#/h/abc"), { name: "threads", hostId: "abc" });
    assert.deepEqual(parseRoute("#/h/abc/d"), { name: "host", hostId: "abc", view: "dir", path: "" });
    assert.deepEqual(parseRoute("#/h/abc/d/"), { name: "host", hostId: "abc", view: "dir", path: "" });
  });

  it("addresses a thread and the new-task screen", () => {
    for (const route of [threadRoute("abc", "t_1-x"), newTaskRoute("abc"), threadsRoute("abc")]) {
      assert.deepEqual(parseRoute(routeHash(route)), route);
    }
    assert.equal(routeHash(threadRoute("abc", "t1")), "#/h/abc/t/t1");
    assert.deepEqual(parseRoute("#/h/abc/t/bad.id"), { name: "home" });
  });

  it("addresses the workspace's Changes and a thread's", () => {
    assert.equal(routeHash(changesRoute("abc")), "#/h/abc/g");
    assert.equal(routeHash(changesRoute("abc", "t1")), "#/h/abc/t/t1/g");
    for (const route of [changesRoute("abc"), changesRoute("abc", "t_1-x")])
      assert.deepEqual(parseRoute(routeHash(route)), route);
    // "g" as a folder stays a folder.
    assert.deepEqual(parseRoute("#/h/abc/d/g"), { name: "host", hostId: "abc", view: "dir", path: "g" });
  });

  it("reads an address the browser percent-encoded", () => {
    assert.deepEqual(parseRoute("#/h/abc/d/docs/r%C3%A9sum%C3%A9%20final"), {
      name: "host",
      hostId: "abc",
      view: "dir",
      path: "docs/résumé final",
    });
  });

  it("cleans stray slashes out of paths, so one folder has one address", () => {
    assert.deepEqual(dirRoute("abc", "/src//lib/"), dirRoute("abc", "src/lib"));
    assert.equal(routeHash(dirRoute("abc", "/src//lib/")), "#/h/abc/d/src/lib");
    assert.equal(joinPath("", "README.md"), "README.md");
    assert.equal(joinPath("src/", "index.ts"), "src/index.ts");
  });

  it("opens a file at a line, and keeps a path's own question mark part of the path", () => {
    const route = fileRoute("abc", "src/what?.ts", 42);
    assert.equal(routeHash(route), "#/h/abc/f/src/what%3F.ts?line=42");
    assert.deepEqual(parseRoute(routeHash(route)), route);
    assert.deepEqual(parseRoute("#/h/abc/f/src/what%3F.ts"), fileRoute("abc", "src/what?.ts"));
    // A line number that cannot be one is read as part of the name, which the host then does not find.
    assert.deepEqual(parseRoute("#/h/abc/f/a.ts?line=0"), fileRoute("abc", "a.ts?line=0"));
  });

  it("sends a malformed or hostile address home instead of failing", () => {
    for (const hash of [
      "#/h/abc/d/%E0%A4%A", // broken percent-encoding
      "#/h/" + "a".repeat(65), // host id too long
      "#/h/a.b/d/src", // host id with a character ids never have
      "#/h/abc/x/src", // unknown view
      "#/nowhere",
      "#pair=slot.key.secret",
    ]) {
      assert.deepEqual(parseRoute(hash), { name: "home" }, hash);
    }
  });
});
