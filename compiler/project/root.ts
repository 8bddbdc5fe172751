/**
 * Where the project is: the repository root (the folder holding this compiler)
 * and paths relative to it. Kept apart from load.ts so that commands which find
 * their build up to date never load TypeScript.
 */
import path from "node:path";

export const REPO_ROOT = path.resolve(import.meta.dirname, "../..");

export function relPath(file: string): string {
  return path.relative(REPO_ROOT, file).split(path.sep).join("/");
}
