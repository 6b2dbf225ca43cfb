// API keys for OpenAI-compatible servers and Anthropic, in the editor's SecretStorage (the OS
// keychain where there is one): never in settings, never in a file, never in the log.

import * as vscode from "vscode";

export type KeyProvider = "openai" | "anthropic";

const secretKey = (provider: KeyProvider): string => `tether.apiKey.${provider}`;

export class ApiKeys {
  private readonly cache = new Map<KeyProvider, string>();

  constructor(private readonly secrets: vscode.SecretStorage) {}

  /** Reads the stored keys into memory: the model resolver is synchronous. */
  async load(): Promise<void> {
    for (const provider of ["openai", "anthropic"] as const) {
      const key = await this.secrets.get(secretKey(provider));
      if (key) this.cache.set(provider, key);
      else this.cache.delete(provider);
    }
  }

  get(provider: KeyProvider): string | undefined {
    return this.cache.get(provider);
  }

  async set(provider: KeyProvider, key: string | undefined): Promise<void> {
    if (key) {
      await this.secrets.store(secretKey(provider), key);
      this.cache.set(provider, key);
    } else {
      await this.secrets.delete(secretKey(provider));
      this.cache.delete(provider);
    }
  }

  /** Fires when a key changes, also from another window of the editor. */
  onDidChange(listener: () => void): vscode.Disposable {
    return this.secrets.onDidChange((e) => {
      if (e.key.startsWith("tether.apiKey.")) void this.load().then(listener);
    });
  }
}
