/**
 * Which key a build signs with and embeds in the kernel (the bootstrap
 * principal): `--key FILE`, else $CAMBI_KEY, else the development key at
 * $XDG_CONFIG_HOME/cambi/dev-key (default ~/.config/cambi/dev-key), created on
 * first use. The development key is never inside the repository, so it is never
 * committed; a release uses its own key through --key or CAMBI_KEY.
 */
import { homedir } from "node:os";
import path from "node:path";
import { REPO_ROOT } from "../project/root.js";
import { createFileExclusive, generateKeyPair, KeyFileError, publicKeyOf, readableByOthers, readSecretKey, secretKeyText } from "./keys.js";

export interface BootstrapKey {
  secret: Uint8Array;
  publicKey: Uint8Array;
  file: string;
  source: "--key" | "CAMBI_KEY" | "development key";
}

export function devKeyPath(env: NodeJS.ProcessEnv = process.env): string {
  // XDG: a relative XDG_CONFIG_HOME is invalid and ignored.
  const xdg = env.XDG_CONFIG_HOME && path.isAbsolute(env.XDG_CONFIG_HOME) ? env.XDG_CONFIG_HOME : path.join(env.HOME || homedir(), ".config");
  return path.join(xdg, "cambi", "dev-key");
}

function insideRepo(file: string): boolean {
  const rel = path.relative(REPO_ROOT, path.resolve(file));
  return rel === "" || (!rel.startsWith("..") && !path.isAbsolute(rel));
}

/**
 * Resolves the bootstrap key. notice receives the one line said when the
 * development key is created (and warnings about key file permissions).
 */
export function resolveBootstrapKey(opts: { key?: string; env?: NodeJS.ProcessEnv; notice?: (line: string) => void } = {}): BootstrapKey {
  const env = opts.env ?? process.env;
  const notice = opts.notice ?? ((line: string) => process.stderr.write(`${line}\n`));
  let file: string;
  let source: BootstrapKey["source"];
  if (opts.key) {
    file = path.resolve(opts.key);
    source = "--key";
  } else if (env.CAMBI_KEY) {
    file = path.resolve(env.CAMBI_KEY);
    source = "CAMBI_KEY";
  } else {
    file = devKeyPath(env);
    source = "development key";
    if (insideRepo(file)) throw new KeyFileError(`the development key would be inside the repository (${file}); set XDG_CONFIG_HOME elsewhere, or name a key with --key or CAMBI_KEY`);
    if (createFileExclusive(file, secretKeyText(generateKeyPair().secret), 0o600)) {
      notice(`cambi: created development key ${file} (outside the repository)`);
    }
  }
  const secret = readSecretKey(file);
  if (readableByOthers(file)) notice(`cambi: warning: secret key ${file} is readable by other users (chmod 600 it)`);
  return { secret, publicKey: publicKeyOf(secret), file, source };
}
