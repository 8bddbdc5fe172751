/** A tool (clang, ld.lld, llvm-*) failed; on generated C that is a cambi bug, and the message says so. */
export class ToolchainError extends Error {}
