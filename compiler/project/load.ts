/**
 * Loads a KTS program: a ts-morph Project over the repository's tsconfig, the entry
 * module and everything it imports, TypeScript's own diagnostics for those files,
 * and the module order in which their initializers run (Node's ESM order:
 * depth-first, imports in source order, dependencies first).
 */
import path from "node:path";
import { existsSync } from "node:fs";
import { Project, type SourceFile, ts } from "ts-morph";
import type { Diagnostic } from "../diagnostics/diagnostic.js";

import { REPO_ROOT, relPath } from "./root.js";

export { REPO_ROOT, relPath };
export const PRELUDE_DIR = path.join(REPO_ROOT, "src/prelude");

export type PreludeModule = "kts" | "kts/unsafe" | "kts/host";
const PRELUDE_FILES: Record<string, PreludeModule> = {
  [path.join(PRELUDE_DIR, "kts.ts")]: "kts",
  [path.join(PRELUDE_DIR, "unsafe.ts")]: "kts/unsafe",
  [path.join(PRELUDE_DIR, "host.ts")]: "kts/host",
};

export function preludeModuleOf(sf: SourceFile): PreludeModule | undefined {
  return PRELUDE_FILES[path.normalize(sf.getFilePath())];
}

export interface LoadedProgram {
  project: Project;
  /** Project modules (not the prelude), in initialization order; the entry is last. */
  modules: SourceFile[];
  entry: SourceFile;
  tsDiagnostics: Diagnostic[];
}

const projects = new Map<string, Project>();

/**
 * TypeScript's "cannot find name; change your lib / install @types/node" hints:
 * KTS programs see only the ES5 core lib (parsing DOM and Node's types cost a
 * second per build), and the subset's own diagnostic (KT1005, KT1017, KT2021)
 * says what to do instead.
 */
const LIB_HINTS = new Set([2580, 2581, 2582, 2583, 2584, 2585, 2591, 2592, 2593]);

/**
 * One Project per arch per process: the lib files are parsed once, which makes
 * repeated compiles fast. The module "arch" resolves to src/arch/<arch>/index.ts,
 * the build-time choice of arch layer (tsconfig maps it to x86_64 for editors).
 */
export function getProject(arch: string): Project {
  let p = projects.get(arch);
  if (!p) {
    const prelude = (f: string) => [`./src/prelude/${f}.ts`];
    p = new Project({
      tsConfigFilePath: path.join(REPO_ROOT, "tsconfig.json"),
      skipAddingFilesFromTsConfig: true,
      compilerOptions: {
        lib: ["lib.es5.d.ts"],
        types: [],
        paths: { kts: prelude("kts"), "kts/unsafe": prelude("unsafe"), "kts/host": prelude("host"), arch: [`./src/arch/${arch}/index.ts`] },
      },
    });
    projects.set(arch, p);
  }
  return p;
}

export function loadProgram(entryPaths: string[], arch: string): LoadedProgram {
  const project = getProject(arch);
  const entries: SourceFile[] = [];
  for (const p of entryPaths) {
    const abs = path.resolve(p);
    if (!existsSync(abs)) throw new Error(`${p}: no such file`);
    let sf = project.getSourceFile(abs);
    if (sf) sf.refreshFromFileSystemSync();
    else sf = project.addSourceFileAtPath(abs);
    entries.push(sf);
  }
  project.resolveSourceFileDependencies();
  // Pick up edits to already-loaded dependencies.
  for (const sf of project.getSourceFiles()) {
    if (!sf.isInNodeModules() && !sf.isDeclarationFile()) sf.refreshFromFileSystemSync();
  }

  const modules: SourceFile[] = [];
  const visited = new Set<SourceFile>();
  const visit = (sf: SourceFile) => {
    if (visited.has(sf)) return;
    visited.add(sf);
    for (const imp of [...sf.getImportDeclarations(), ...sf.getExportDeclarations()]) {
      // `import { x } from ;` is TypeScript's syntax error to report, not a module to load.
      const spec = imp.compilerNode.moduleSpecifier;
      if (!spec || !ts.isStringLiteral(spec)) continue;
      const dep = imp.getModuleSpecifierSourceFile();
      if (dep && !preludeModuleOf(dep) && !dep.isInNodeModules() && !dep.isDeclarationFile()) visit(dep);
    }
    modules.push(sf);
  };
  for (const e of entries) visit(e);

  const program = project.getProgram().compilerObject;
  const tsDiagnostics: Diagnostic[] = [];
  for (const sf of modules) {
    const raw = sf.compilerNode;
    const diags = [...program.getSyntacticDiagnostics(raw), ...program.getSemanticDiagnostics(raw)];
    for (const d of diags) if (!LIB_HINTS.has(d.code)) tsDiagnostics.push(convertTsDiagnostic(d));
  }
  return { project, modules, entry: entries[entries.length - 1]!, tsDiagnostics };
}

function convertTsDiagnostic(d: ts.Diagnostic): Diagnostic {
  const message = ts.flattenDiagnosticMessageText(d.messageText, "\n  ");
  if (!d.file || d.start === undefined) {
    return { file: "<tsconfig>", line: 1, col: 1, length: 1, code: `TS${d.code}`, message };
  }
  const { line, character } = d.file.getLineAndCharacterOfPosition(d.start);
  const lineText = d.file.text.split(/\r?\n/)[line] ?? "";
  return {
    file: relPath(d.file.fileName),
    line: line + 1,
    col: character + 1,
    length: d.length ?? 1,
    code: `TS${d.code}`,
    message,
    sourceLine: lineText,
  };
}
