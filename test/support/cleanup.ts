// What a test or a bench scenario started, stopped in reverse order whatever happened.

/** Runs cleanups in reverse order, each once, never throwing. */
export class Cleanup {
  private readonly steps: (() => unknown)[] = [];

  add<T>(thing: T, close: (thing: T) => unknown): T {
    this.steps.push(() => close(thing));
    return thing;
  }

  async run(): Promise<void> {
    while (this.steps.length) {
      try {
        await this.steps.pop()!();
      } catch {
        // best effort: the next step still runs
      }
    }
  }
}
