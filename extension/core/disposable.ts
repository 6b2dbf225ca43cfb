// The teardown of the host's long-lived parts, in one shape (as VS Code's `DisposableStore` and
// vscode-jsonrpc's `Disposable`): each part adds what it must undo (a listener, a timer, a part
// it owns) to its store as it sets it up, and its `close()` is the store's `dispose()`. Closing
// twice is then harmless everywhere, and whatever is set up after close is undone at once
// instead of outliving the part.

/** Something that holds a resource until disposed. Disposing twice does nothing more. */
export interface Disposable {
  dispose(): void;
}

/** A disposable that runs `fn` on its first dispose only. */
export function toDisposable(fn: () => void): Disposable {
  let done = false;
  return {
    dispose() {
      if (done) return;
      done = true;
      fn();
    },
  };
}

/** Any emitter with `on`/`off` (Node's `EventEmitter`, a socket.io socket, a small port of ours). */
export interface Listenable<E, L> {
  on(event: E, listener: L): unknown;
  off(event: E, listener: L): unknown;
}

/** Adds `listener` to `source` for `event`; disposing takes it off again. */
export function listen<E, L>(source: Listenable<E, L>, event: E, listener: L): Disposable {
  source.on(event, listener);
  return toDisposable(() => source.off(event, listener));
}

/**
 * One timer that may be armed, re-armed and cancelled, and is cancelled for good on dispose
 * (an `arm` after that does nothing). Unreferenced unless `ref` is set: a pending flush or
 * retry alone does not keep the process alive.
 */
export class Timer implements Disposable {
  private handle: ReturnType<typeof setTimeout> | undefined;
  private disposed = false;

  constructor(private readonly options: { ref?: boolean } = {}) {}

  /** Whether a callback is waiting to run. */
  get pending(): boolean {
    return this.handle !== undefined;
  }

  /** Runs `fn` after `ms`, in place of what was waiting. */
  arm(ms: number, fn: () => void): void {
    this.cancel();
    if (this.disposed) return;
    this.handle = setTimeout(() => {
      this.handle = undefined;
      fn();
    }, ms);
    if (!this.options.ref) this.handle.unref?.();
  }

  /** Drops what was waiting, if anything. */
  cancel(): void {
    clearTimeout(this.handle);
    this.handle = undefined;
  }

  dispose(): void {
    this.disposed = true;
    this.cancel();
  }
}

/**
 * Disposables disposed together, newest first (teardown mirrors setup: what was set up last,
 * and may use what came before it, goes first). Disposing is idempotent and safe against
 * re-entrancy: the store counts as disposed before the first item runs, so an item that closes
 * its owner again finds nothing left to do. One item that throws does not stop the others; the
 * error (or an `AggregateError` of several) is thrown once all have run.
 */
export class DisposableStore implements Disposable {
  private readonly items: Disposable[] = [];
  private disposed = false;

  get isDisposed(): boolean {
    return this.disposed;
  }

  /** Keeps `item` until the store is disposed; disposed at once when the store already is. */
  add<T extends Disposable>(item: T): T {
    if (this.disposed) item.dispose();
    else this.items.push(item);
    return item;
  }

  /** Runs `fn` on dispose (shorthand for `add(toDisposable(fn))`). */
  defer(fn: () => void): void {
    this.add(toDisposable(fn));
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    const errors: unknown[] = [];
    while (this.items.length > 0) {
      try {
        this.items.pop()!.dispose();
      } catch (err) {
        errors.push(err);
      }
    }
    if (errors.length === 1) throw errors[0];
    if (errors.length > 1) throw new AggregateError(errors, "several disposables failed");
  }
}
