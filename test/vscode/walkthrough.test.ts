// The first-run walkthrough as package.json contributes it: every step can complete, on an event
// something really sends (a contributed command, a contributed setting, a context key the
// extension sets), its buttons run commands that exist, and its media are small files in the .vsix.

import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";

const REPO = join(__dirname, "..", "..");

interface Step {
  id: string;
  title: string;
  description: string;
  media: { markdown?: string; image?: string | Record<string, string>; altText?: string };
  completionEvents?: string[];
}

const manifest = JSON.parse(readFileSync(join(REPO, "package.json"), "utf8")) as {
  contributes: {
    commands: { command: string }[];
    configuration: { properties: Record<string, unknown> };
    walkthroughs: { id: string; steps: Step[] }[];
  };
};
const commands = new Set(manifest.contributes.commands.map((c) => c.command));
const settings = new Set(Object.keys(manifest.contributes.configuration.properties));
/** VS Code's own commands the walkthrough links to. */
const WORKBENCH = new Set(["workbench.action.openSettings", "workbench.action.openWalkthrough"]);
/** The extension's sources, where the context keys are set. */
const sources = readdirSync(join(REPO, "extension", "vscode"), { recursive: true, encoding: "utf8" })
  .filter((f) => f.endsWith(".ts"))
  .map((f) => readFileSync(join(REPO, "extension", "vscode", f), "utf8"))
  .join("\n");

describe("the first-run walkthrough", () => {
  const walkthrough = manifest.contributes.walkthroughs.find((w) => w.id === "tether.firstRun");

  it("goes from a model to a relay, a paired phone, notifications and a first task", () => {
    assert.ok(walkthrough, "no tether.firstRun walkthrough");
    assert.deepEqual(
      walkthrough.steps.map((s) => s.id),
      ["tether.model", "tether.relay", "tether.pair", "tether.notifications", "tether.task"],
    );
  });

  it("completes each step on an event that is really sent", () => {
    for (const step of walkthrough!.steps) {
      const events = step.completionEvents ?? [];
      assert.ok(events.length > 0, `${step.id} has no completion event (it would complete on a click only)`);
      for (const event of events) {
        const [kind, arg = ""] = event.split(/:(.*)/s);
        if (kind === "onCommand") assert.ok(commands.has(arg), `${step.id}: ${arg} is not a contributed command`);
        else if (kind === "onSettingChanged") assert.ok(settings.has(arg), `${step.id}: ${arg} is not a contributed setting`);
        else if (kind === "onContext") {
          assert.match(arg, /^tether\.\w+$/, `${step.id}: ${arg}`);
          assert.ok(sources.includes(`"${arg}"`), `${step.id}: nothing in extension/vscode sets ${arg}`);
        } else assert.equal(kind, "onStepSelected", `${step.id}: unexpected completion event ${event}`);
      }
    }
    // Only the step done on the phone, which the computer cannot see, completes when looked at.
    const onLook = walkthrough!.steps.filter((s) => s.completionEvents?.includes("onStepSelected")).map((s) => s.id);
    assert.deepEqual(onLook, ["tether.notifications"]);
  });

  it("links its buttons to commands that exist", () => {
    for (const step of walkthrough!.steps) {
      for (const [, id] of step.description.matchAll(/\(command:([\w.]+)/g))
        assert.ok(commands.has(id!) || WORKBENCH.has(id!), `${step.id} links to ${id}, which nobody registers`);
    }
  });

  it("shows small markdown or SVG media, shipped in the .vsix", () => {
    const ignore = readFileSync(join(REPO, ".vscodeignore"), "utf8");
    assert.match(ignore, /^!media\/\*\*$/m, "media/ is not in the .vsix");
    for (const step of walkthrough!.steps) {
      const files = [
        step.media.markdown,
        ...Object.values(typeof step.media.image === "string" ? { a: step.media.image } : (step.media.image ?? {})),
      ];
      const present = files.filter((f): f is string => typeof f === "string");
      assert.ok(present.length > 0, `${step.id} has no media`);
      if (step.media.image) assert.ok(step.media.altText, `${step.id}'s image has no alt text`);
      for (const file of present) {
        assert.match(file, /^media\/walkthrough\/[\w-]+\.(md|svg)$/);
        assert.ok(existsSync(join(REPO, file)), `${file} is missing`);
        assert.ok(statSync(join(REPO, file)).size < 8_000, `${file} is not small`);
      }
    }
  });
});
