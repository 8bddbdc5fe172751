/**
 * Boot-image manifests (images/<tier>.json): which services a tier starts,
 * their restart policy and their capabilities, validated with zod. An error
 * names the file and the field, e.g.
 *   images/standard.json: services[2].capabilities[0].rights[1]: Invalid option: ...
 * A service finds its capabilities by position (capAt(i)), so the order of
 * `capabilities` is part of the service's interface. Endpoints are declared by
 * use; their table (bundle order) is the order of first use.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { z } from "zod";
import { REPO_ROOT } from "../project/root.js";
import { CAP_KIND_CODES, IRQ_LINES, KIND_RIGHTS, MEMORY_MAX_PAGES, MMIO_WINDOWS, PAYLOAD_RULES, RESTART_CODES, RIGHT_BITS, V2, type EncodedCap, type EncodedRule, type RightName } from "./bundle.js";

export const IMAGES_DIR = path.join(REPO_ROOT, "images");
/** The first service of every tier: the kernel starts it, it starts the rest. */
export const FIRST_SERVICE = "init";

const NAME = /^[a-z][a-z0-9-]{0,30}$/;
const name = z.string().regex(NAME, "must match ^[a-z][a-z0-9-]{0,30}$");
const keysOf = <T extends object>(o: T) => Object.keys(o) as [keyof T & string, ...(keyof T & string)[]];

function rightsOf(allowed: readonly RightName[]) {
  return z
    .array(z.enum(allowed as [RightName, ...RightName[]]))
    .min(1, "needs at least one right")
    .refine((r) => new Set(r).size === r.length, "a right is listed twice");
}
const rightNames = (mask: number) => keysOf(RIGHT_BITS).filter((r) => (mask & RIGHT_BITS[r]) !== 0);

/** A PCI id as the manifest spells it: "1af4". */
const hex16 = z.string().regex(/^[0-9a-f]{4}$/, "a PCI id: 4 lowercase hex digits, e.g. \"1af4\"");

const capability = z.discriminatedUnion("kind", [
  z.strictObject({ kind: z.literal("endpoint"), name, rights: rightsOf(rightNames(KIND_RIGHTS.endpoint)) }),
  z.strictObject({
    kind: z.literal("memory"),
    pages: z.number().int().min(1).max(MEMORY_MAX_PAGES),
    rights: rightsOf(rightNames(KIND_RIGHTS.memory)).refine((r) => r.includes("map"), "a memory capability needs the map right"),
  }),
  z.strictObject({ kind: z.literal("irq"), line: z.enum(keysOf(IRQ_LINES)), rights: rightsOf(["receive", "grant"]).optional() }),
  z.strictObject({
    kind: z.literal("mmio"),
    window: z.enum(keysOf(MMIO_WINDOWS)),
    rights: rightsOf(rightNames(KIND_RIGHTS.mmio)).refine((r) => r.includes("map"), "an mmio capability needs the map right"),
  }),
  z.strictObject({ kind: z.literal("device"), vendor: hex16, device: hex16 }),
  z.strictObject({ kind: z.literal("audit") }),
  z.strictObject({ kind: z.literal("console") }),
  z.strictObject({ kind: z.literal("random") }),
  z.strictObject({ kind: z.literal("clock") }),
  z.strictObject({ kind: z.literal("system"), rights: rightsOf(rightNames(KIND_RIGHTS.system)) }),
]);

const service = z
  .strictObject({
    name,
    restart: z.enum(keysOf(RESTART_CODES)),
    capabilities: z.array(capability).max(V2.maxCaps, `at most ${V2.maxCaps} capabilities`),
  })
  .superRefine((s, ctx) => {
    // Without an IOMMU a device can reach all memory: only a device's driver may hold DMA memory.
    const driver = s.capabilities.some((c) => c.kind === "device");
    s.capabilities.forEach((c, i) => {
      if (c.kind === "memory" && c.rights.includes("dma") && !driver) {
        ctx.addIssue({ code: "custom", path: ["capabilities", i, "rights"], message: "only a device driver (a service with a device capability) may hold DMA memory" });
      }
    });
  });

/** A message label as the services spell it: four printable characters ("LOG!" is 0x4c4f4721). */
const LABEL = /^[\x20-\x7e]{4}$/;
/** Per inspected endpoint: the labels requests may carry, each with its payload rule (keys checked below, with clearer messages than zod's). */
const inspection = z.record(z.string(), z.record(z.string(), z.enum(keysOf(PAYLOAD_RULES))));

const manifestSchema = z
  .strictObject({
    description: z.string().optional(),
    services: z.array(service).min(1, "a tier needs at least init").max(V2.maxServices, `at most ${V2.maxServices} services`),
    inspect: inspection.optional(),
  })
  .superRefine((m, ctx) => {
    if (m.services[0] && m.services[0].name !== FIRST_SERVICE) {
      ctx.addIssue({ code: "custom", path: ["services", 0, "name"], message: `the first service must be '${FIRST_SERVICE}', not '${m.services[0].name}'` });
    }
    const seen = new Set<string>();
    m.services.forEach((s, i) => {
      if (seen.has(s.name)) ctx.addIssue({ code: "custom", path: ["services", i, "name"], message: `service '${s.name}' is listed twice` });
      seen.add(s.name);
    });
    const endpoints = endpointsOf(m.services);
    if (endpoints.length > V2.maxEndpoints) ctx.addIssue({ code: "custom", path: ["services"], message: `${endpoints.length} endpoints, at most ${V2.maxEndpoints}` });
    let rules = 0;
    for (const [ep, labels] of Object.entries(m.inspect ?? {})) {
      if (!endpoints.includes(ep)) ctx.addIssue({ code: "custom", path: ["inspect", ep], message: `no service uses an endpoint named '${ep}'` });
      for (const l of Object.keys(labels)) {
        if (!LABEL.test(l)) ctx.addIssue({ code: "custom", path: ["inspect", ep, l], message: `a label is 4 printable ASCII characters, e.g. "LOG!"` });
      }
      rules += Object.keys(labels).length;
    }
    if (rules > V2.maxRules) ctx.addIssue({ code: "custom", path: ["inspect"], message: `${rules} inspection rules, at most ${V2.maxRules}` });
  });

export type Capability = z.infer<typeof capability>;
export type ServiceSpec = z.infer<typeof service>;

export interface Manifest {
  tier: string;
  /** The manifest file, as errors name it. */
  file: string;
  description?: string;
  services: ServiceSpec[];
  /** Inspected endpoints: endpoint name -> label -> payload rule. */
  inspect: Record<string, Record<string, keyof typeof PAYLOAD_RULES>>;
}

export class ManifestError extends Error {}

/** A zod path as a field reference: services[2].capabilities[0].rights */
function fieldPath(p: readonly PropertyKey[]): string {
  let s = "";
  for (const k of p) s += typeof k === "number" ? `[${k}]` : s === "" ? String(k) : `.${String(k)}`;
  return s || "(top level)";
}

function displayPath(file: string): string {
  const rel = path.relative(process.cwd(), file);
  return rel.startsWith("..") || path.isAbsolute(rel) ? file : rel;
}

/** Validates parsed JSON as the manifest of `file`'s tier; throws ManifestError naming file and fields. */
export function parseManifest(file: string, json: unknown): Manifest {
  const shown = displayPath(file);
  const tier = path.basename(file, ".json");
  if (!/^[a-z0-9-]{1,15}$/.test(tier)) throw new ManifestError(`${shown}: the tier name (the file name) must be 1..15 of [a-z0-9-]`);
  const r = manifestSchema.safeParse(json);
  if (!r.success) {
    const lines: string[] = [];
    for (const issue of r.error.issues) {
      if (issue.code === "unrecognized_keys") {
        for (const k of issue.keys) lines.push(`${shown}: ${fieldPath([...issue.path, k])}: unknown field`);
      } else {
        lines.push(`${shown}: ${fieldPath(issue.path)}: ${issue.message}`);
      }
    }
    throw new ManifestError(lines.join("\n"));
  }
  return { tier, file: shown, ...(r.data.description !== undefined ? { description: r.data.description } : {}), services: r.data.services, inspect: r.data.inspect ?? {} };
}

export function loadManifest(file: string): Manifest {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    throw new ManifestError(`${displayPath(file)}: cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new ManifestError(`${displayPath(file)}: not valid JSON: ${(e as Error).message}`);
  }
  return parseManifest(file, json);
}

/** The tiers that have a manifest: images/*.json. */
export function availableTiers(imagesDir = IMAGES_DIR): string[] {
  return readdirSync(imagesDir).filter((f) => f.endsWith(".json")).map((f) => f.slice(0, -5)).sort();
}

export function loadTier(tier: string, imagesDir = IMAGES_DIR): Manifest {
  const file = path.join(imagesDir, `${tier}.json`);
  if (!existsSync(file)) throw new ManifestError(`no manifest for tier '${tier}' (${displayPath(file)}); tiers: ${availableTiers(imagesDir).join(", ")}`);
  return loadManifest(file);
}

function endpointsOf(services: ServiceSpec[]): string[] {
  const names: string[] = [];
  for (const s of services) for (const c of s.capabilities) if (c.kind === "endpoint" && !names.includes(c.name)) names.push(c.name);
  return names;
}

/** The endpoint table: every endpoint name, in order of first use. */
export function endpointTable(m: Manifest): string[] {
  return endpointsOf(m.services);
}

function rightsMask(rights: readonly RightName[]): number {
  return rights.reduce((mask, r) => mask | RIGHT_BITS[r], 0);
}

/** A label's number: its four characters, the first in the top byte ("LOG!" -> 0x4c4f4721). */
export function labelValue(text: string): number {
  return ((text.charCodeAt(0) << 24) | (text.charCodeAt(1) << 16) | (text.charCodeAt(2) << 8) | text.charCodeAt(3)) >>> 0;
}

/** The manifest's inspection rules in the bundle's codes. */
export function encodeInspection(m: Manifest, endpoints: string[]): EncodedRule[] {
  return Object.entries(m.inspect).flatMap(([ep, labels]) =>
    Object.entries(labels).map(([text, rule]) => ({ endpoint: endpoints.indexOf(ep), label: labelValue(text), rule: PAYLOAD_RULES[rule] })),
  );
}

/** A service's capabilities in the bundle's codes, in manifest order. */
export function encodeCapabilities(s: ServiceSpec, endpoints: string[]): EncodedCap[] {
  return s.capabilities.map((c): EncodedCap => {
    switch (c.kind) {
      case "endpoint":
        return { kind: CAP_KIND_CODES.endpoint, rights: rightsMask(c.rights), arg: endpoints.indexOf(c.name) };
      case "memory":
        return { kind: CAP_KIND_CODES.memory, rights: rightsMask(c.rights), arg: c.pages };
      case "irq":
        return { kind: CAP_KIND_CODES.irq, rights: c.rights ? rightsMask(c.rights) : RIGHT_BITS.receive, arg: IRQ_LINES[c.line] };
      case "mmio":
        return { kind: CAP_KIND_CODES.mmio, rights: rightsMask(c.rights), arg: MMIO_WINDOWS[c.window] };
      case "device":
        return { kind: CAP_KIND_CODES.device, rights: 0, arg: ((parseInt(c.vendor, 16) << 16) | parseInt(c.device, 16)) >>> 0 };
      case "audit":
        return { kind: CAP_KIND_CODES.audit, rights: RIGHT_BITS.receive, arg: 0 };
      case "console":
        return { kind: CAP_KIND_CODES.console, rights: RIGHT_BITS.send, arg: 0 };
      case "random":
        return { kind: CAP_KIND_CODES.random, rights: RIGHT_BITS.receive, arg: 0 };
      case "clock":
        return { kind: CAP_KIND_CODES.clock, rights: RIGHT_BITS.send, arg: 0 };
      case "system":
        return { kind: CAP_KIND_CODES.system, rights: rightsMask(c.rights), arg: 0 };
    }
  });
}
