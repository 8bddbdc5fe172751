/**
 * @noble/ed25519 with its synchronous API switched on (SHA-512 from
 * @noble/hashes): one place, so every user of Ed25519 in the toolchain gets the
 * same configured module.
 */
import * as ed from "@noble/ed25519";
import { sha512 } from "@noble/hashes/sha2.js";

ed.hashes.sha512 = sha512;

export { ed };
