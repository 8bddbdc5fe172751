import { writeFileSync } from "node:fs";
import { generateEd25519Cases } from "./ed25519-cases";
const c = generateEd25519Cases({});
writeFileSync("/tmp/bench/all.bin", c.stdin);
writeFileSync("/tmp/bench/all.expected", c.expected);
const big = generateEd25519Cases({ seed: 99, randomValid: 5000, randomInvalid: 5000, randomHash: 1000, randomScalar: 5000 });
writeFileSync("/tmp/bench/big.bin", big.stdin);
writeFileSync("/tmp/bench/big.expected", big.expected);
console.log(c.labels.length, big.labels.length);
