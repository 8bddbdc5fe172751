/**
 * BLAKE3 (src/lib/crypto/blake3.ts) in both worlds (the native build of the
 * generated C with ASan+UBSan, and Node): runs the request driver
 * test/crypto/blake3-driver.ts on the official test vectors and on seeded random
 * batches (blake3-cases.ts), comparing with @noble/hashes and with literal values
 * from BLAKE3's test_vectors.json.
 */
import { describe, it, expect } from "vitest";
import path from "node:path";
import { blake3 } from "@noble/hashes/blake3.js";
import { runInNode, type RunResult } from "../harness/node-world";
import { buildHost, runExe } from "../harness/host-world";
import {
  type Blake3Batch,
  blake3Cases,
  blake3VectorRequests,
  buildBatch,
  decodeBlake3Output,
  vectorInput,
  VECTOR_CONTEXT,
  VECTOR_KEY,
  VECTOR_OUT_LEN,
} from "./blake3-cases";

const DRIVER = path.join(import.meta.dirname, "blake3-driver.ts");

/** Official 131-byte outputs from test_vectors.json (BLAKE3-team/BLAKE3). */
const OFFICIAL: { len: number; mode: "hash" | "keyed_hash" | "derive_key"; hex: string }[] = [
  {
    len: 0,
    mode: "hash",
    hex: "af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262e00f03e7b69af26b7faaf09fcd333050338ddfe085b8cc869ca98b206c08243a26f5487789e8f660afe6c99ef9e0c52b92e7393024a80459cf91f476f9ffdbda7001c22e159b402631f277ca96f2defdf1078282314e763699a31c5363165421cce14d",
  },
  {
    len: 0,
    mode: "keyed_hash",
    hex: "92b2b75604ed3c761f9d6f62392c8a9227ad0ea3f09573e783f1498a4ed60d26b18171a2f22a4b94822c701f107153dba24918c4bae4d2945c20ece13387627d3b73cbf97b797d5e59948c7ef788f54372df45e45e4293c7dc18c1d41144a9758be58960856be1eabbe22c2653190de560ca3b2ac4aa692a9210694254c371e851bc8f",
  },
  {
    len: 0,
    mode: "derive_key",
    hex: "2cc39783c223154fea8dfb7c1b1660f2ac2dcbd1c1de8277b0b0dd39b7e50d7d905630c8be290dfcf3e6842f13bddd573c098c3f17361f1f206b8cad9d088aa4a3f746752c6b0ce6a83b0da81d59649257cdf8eb3e9f7d4998e41021fac119deefb896224ac99f860011f73609e6e0e4540f93b273e56547dfd3aa1a035ba6689d89a0",
  },
  {
    len: 1,
    mode: "hash",
    hex: "2d3adedff11b61f14c886e35afa036736dcd87a74d27b5c1510225d0f592e213c3a6cb8bf623e20cdb535f8d1a5ffb86342d9c0b64aca3bce1d31f60adfa137b358ad4d79f97b47c3d5e79f179df87a3b9776ef8325f8329886ba42f07fb138bb502f4081cbcec3195c5871e6c23e2cc97d3c69a613eba131e5f1351f3f1da786545e5",
  },
  {
    len: 1025,
    mode: "hash",
    hex: "d00278ae47eb27b34faecf67b4fe263f82d5412916c1ffd97c8cb7fb814b8444f4c4a22b4b399155358a994e52bf255de60035742ec71bd08ac275a1b51cc6bfe332b0ef84b409108cda080e6269ed4b3e2c3f7d722aa4cdc98d16deb554e5627be8f955c98e1d5f9565a9194cad0c4285f93700062d9595adb992ae68ff12800ab67a",
  },
  {
    len: 1025,
    mode: "keyed_hash",
    hex: "357dc55de0c7e382c900fd6e320acc04146be01db6a8ce7210b7189bd664ea69362396b77fdc0d2634a552970843722066c3c15902ae5097e00ff53f1e116f1cd5352720113a837ab2452cafbde4d54085d9cf5d21ca613071551b25d52e69d6c81123872b6f19cd3bc1333edf0c52b94de23ba772cf82636cff4542540a7738d5b930",
  },
  {
    len: 1025,
    mode: "derive_key",
    hex: "effaa245f065fbf82ac186839a249707c3bddf6d3fdda22d1b95a3c970379bcb5d31013a167509e9066273ab6e2123bc835b408b067d88f96addb550d96b6852dad38e320b9d940f86db74d398c770f462118b35d2724efa13da97194491d96dd37c3c09cbef665953f2ee85ec83d88b88d11547a6f911c8217cca46defa2751e7f3ad",
  },
  {
    len: 8193,
    mode: "hash",
    hex: "bab6c09cb8ce8cf459261398d2e7aef35700bf488116ceb94a36d0f5f1b7bc3bb2282aa69be089359ea1154b9a9286c4a56af4de975a9aa4a5c497654914d279bea60bb6d2cf7225a2fa0ff5ef56bbe4b149f3ed15860f78b4e2ad04e158e375c1e0c0b551cd7dfc82f1b155c11b6b3ed51ec9edb30d133653bb5709d1dbd55f4e1ff6",
  },
  {
    len: 102400,
    mode: "hash",
    hex: "bc3e3d41a1146b069abffad3c0d44860cf664390afce4d9661f7902e7943e085e01c59dab908c04c3342b816941a26d69c2605ebee5ec5291cc55e15b76146e6745f0601156c3596cb75065a9c57f35585a52e1ac70f69131c23d611ce11ee4ab1ec2c009012d236648e77be9295dd0426f29b764d65de58eb7d01dd42248204f45f8e",
  },
  {
    len: 102400,
    mode: "keyed_hash",
    hex: "1c35d1a5811083fd7119f5d5d1ba027b4d01c0c6c49fb6ff2cf75393ea5db4a7f9dbdd3e1d81dcbca3ba241bb18760f207710b751846faaeb9dff8262710999a59b2aa1aca298a032d94eacfadf1aa192418eb54808db23b56e34213266aa08499a16b354f018fc4967d05f8b9d2ad87a7278337be9693fc638a3bfdbe314574ee6fc4",
  },
  {
    len: 102400,
    mode: "derive_key",
    hex: "4652cff7a3f385a6103b5c260fc1593e13c778dbe608efb092fe7ee69df6e9c6d83a3e041bc3a48df2879f4a0a3ed40e7c961c73eff740f3117a0504c2dff4786d44fb17f1549eb0ba585e40ec29bf7732f0b7e286ff8acddc4cb1e23b87ff5d824a986458dcc6a04ac83969b80637562953df51ed1a7e90a7926924d2763778be8560",
  },
];

type World = "host" | "node";
let hostExe: string | undefined;
async function runDriver(world: World, stdin: Buffer): Promise<RunResult> {
  if (world === "node") return runInNode(DRIVER, stdin);
  hostExe ??= buildHost(DRIVER, { optimize: "-O2" });
  return await runExe(hostExe, stdin);
}

/** Runs a batch through the driver; checks every result, then the exact text. */
async function expectBatch(world: World, batch: Blake3Batch): Promise<string[]> {
  const r = await runDriver(world, batch.stdin);
  expect(r.stderr).toBe("");
  expect(r.status).toBe(0);
  const got = decodeBlake3Output(r.stdout);
  expect(got.length).toBe(batch.results.length);
  for (let i = 0; i < got.length; i++) {
    expect(got[i], batch.labels[i]).toBe(batch.results[i]);
  }
  expect(r.stdout).toBe(batch.expected);
  return got;
}

it("the literal official vectors agree with @noble/hashes", async () => {
    for (const v of OFFICIAL) {
      const input = vectorInput(v.len);
      const opts =
        v.mode === "keyed_hash"
          ? { key: VECTOR_KEY, dkLen: VECTOR_OUT_LEN }
          : v.mode === "derive_key"
            ? { context: VECTOR_CONTEXT, dkLen: VECTOR_OUT_LEN }
            : { dkLen: VECTOR_OUT_LEN };
      expect(Buffer.from(blake3(input, opts)).toString("hex"), `${v.mode} len=${v.len}`).toBe(v.hex);
    }
});

describe.each(["host", "node"] as const)("BLAKE3 (%s world)", (world) => {
  it("matches the official test vectors in all modes, whole and incremental", async () => {
    const requests = blake3VectorRequests();
    const got = await expectBatch(world, buildBatch(requests));
    const name = ["hash", "keyed_hash", "derive_key"];
    for (const v of OFFICIAL) {
      for (let i = 0; i < requests.length; i++) {
        const q = requests[i]!;
        if (q.input.length !== v.len || name[q.mode] !== v.mode) continue;
        // The default-length (32-byte) output is a prefix of the extended one.
        expect(got[i], q.label).toBe(v.hex.slice(0, 2 * q.outLen));
      }
    }
  }, 120_000);

  // The native build is fast: 1200 random cases per seed there, 600 under Node.
  const count = world === "host" ? 1200 : 600;
  for (const seed of [1, 2]) {
    it(`matches @noble/hashes on ${count} random requests (seed ${seed})`, async () => {
      await expectBatch(world, blake3Cases(seed, count));
    }, 120_000);
  }
});
