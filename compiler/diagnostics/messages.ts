/**
 * The one table of KTS diagnostics. Every KTnnnn code the compiler reports is
 * defined here, once, with its message template ({0}, {1} … are filled in) and a
 * fix hint; `cambi explain KTnnnn` reads it.
 * Bands: KT1xxx unsupported syntax, KT2xxx types and integer semantics, KT3xxx
 * memory and closures, KT4xxx intrinsics and the unsafe API, KT9xxx internal.
 * TypeScript's own TSnnnn diagnostics are reported unchanged beside these.
 */
export const MESSAGES = {
  // ---- KT1xxx: syntax outside the subset ----
  KT1001: { text: "{0} is not supported in kernel TypeScript", hint: "see docs/kts-language.md for the subset" },
  KT1002: { text: "'try'/'catch'/'throw' are not supported in kernel TypeScript", hint: "return an error value, or call panic()" },
  KT1003: { text: "'var' is not supported", hint: "use 'let' or 'const'" },
  KT1004: { text: "top-level statements other than declarations are not supported", hint: "move the code into a function" },
  KT1005: { text: "'{0}' is not available in kernel TypeScript", hint: "only the prelude (\"kts\") and project modules can be used" },
  KT1006: { text: "an assignment can only be a statement of its own", hint: "split the assignment out of the expression" },
  KT1007: { text: "object literals are not supported", hint: "declare a class and use 'new'" },
  KT1008: { text: "destructuring is not supported", hint: "read each field or element separately" },
  KT1009: { text: "spread and rest elements are not supported", hint: "pass arrays as parameters" },
  KT1010: { text: "classes cannot extend other classes", hint: "embed the other class as a field" },
  KT1011: { text: "getters and setters are not supported", hint: "write a method" },
  KT1012: { text: "optional and default parameters are not supported", hint: "pass every argument explicitly" },
  KT1013: { text: "decorators are not supported", hint: "remove the decorator" },
  KT1014: { text: "'async', 'await' and generators are not supported", hint: "write synchronous code" },
  KT1015: { text: "a label must name a loop, a switch or a block", hint: "put the label on the loop it breaks" },
  KT1016: { text: "namespace imports, default exports and 'export *' are not supported", hint: "import names with 'import { a } from', re-export with 'export { a } from'" },
  KT1017: { text: "module '{0}' cannot be imported by kernel TypeScript", hint: "import the prelude (\"kts\") or a project module" },
  KT1018: { text: "'this' can only be used inside a class's methods and constructor", hint: "" },
  KT1019: { text: "string values are not supported; string literals may only be passed to print(), panic() and assert()", hint: "log with print(`...`)" },
  KT1020: { text: "modules '{0}' and '{1}' both become the C name '{2}'", hint: "rename one of the files (C names join path segments with '_' and replace other characters with '_')" },
  KT1021: { text: "module '{0}' would become the C name '{1}', which is reserved for generated code", hint: "rename the file or its folder so that its path does not start with 'kts'" },
  KT1022: { text: "definite assignment assertions ('!') are not supported: the value would be undefined in one world and garbage in the other", hint: "initialize it where it is declared" },
  KT1023: { text: "a message cannot contain a NUL character: C prints a string up to its first NUL", hint: "print the parts before and after it separately" },
  KT1024: { text: "an entry's main must take no parameters and return void or an integer type", hint: "export function main(): u32 (the exit status is its low 8 bits)" },
  KT1025: { text: "this is nested more than {0} levels deep (statements, blocks and expressions), beyond what C compilers accept", hint: "split it: name intermediate results with const, move inner blocks into functions" },
  KT1030: { text: "a @recursion mark needs a bound and its reason: '@recursion N — why' (N a positive integer, one mark per function)", hint: "e.g. /** @recursion 4 — one call per page-table level */ (docs/kts-language.md)" },
  KT1031: { text: "'{0}' is marked @recursion but is in no cycle of direct calls", hint: "remove the mark: it bounds nothing" },
  KT1032: { text: "the cycle through '{0}' has more than one @recursion mark ('{1}')", hint: "keep one mark per cycle: its bound counts every function of the cycle" },
  KT1033: { text: "'{0}' is recursive (a cycle of direct calls: {1}), and recursion in a kernel must be bounded and marked", hint: "add /** @recursion N — why */ to one function of the cycle, N the most times any function of the cycle is on a stack at once (the kernel's stack check counts the cycle's frames N times), or remove the recursion" },
  KT1034: { text: "an @align tag needs a power of two from 8 to 4096 and its reason: '@align N — why' (one per class)", hint: "e.g. /** @align 64 — indexed on the IPC path: a shift, not a multiply */ (docs/kts-language.md)" },
  // ---- KT2xxx: types and integer semantics ----
  KT2000: { text: "type '{0}' is not supported in kernel TypeScript", hint: "use u8/u16/u32/u64, i8/i16/i32/i64, usize/isize, bool, a class, an enum or T[]" },
  KT2001: { text: "this {0} expression may leave the range of '{0}' and must be converted before it is {1}", hint: "wrap it: {0}(...)" },
  KT2002: { text: "operands have different types '{0}' and '{1}'", hint: "convert one side explicitly, e.g. {2}(x)" },
  KT2003: { text: "'{0}' is only allowed as the update of a for loop whose condition bounds the same variable, and nothing else changes it", hint: "write x = {1}(x + 1) or x = {1}(x + y)" },
  KT2004: { text: "'{0}' needs a type annotation", hint: "annotate it, e.g. let x: u32 = 0" },
  KT2005: { text: "operator '{0}' cannot be applied to type '{1}'", hint: "{2}" },
  KT2006: { text: "this expression may exceed 2^53 under Node, where it would be inexact", hint: "convert an intermediate result, use mul32(a, b), or widen to u64" },
  KT2007: { text: "the value {0} does not fit in type '{1}'", hint: "write a value in range or convert explicitly" },
  KT2008: { text: "floating-point values are not supported", hint: "use integer types" },
  KT2009: { text: "a condition must be of type 'bool', not '{0}'", hint: "compare explicitly, e.g. x != 0" },
  KT2010: { text: "'>>' on '{0}' is not supported: JavaScript sign-extends it", hint: "use '>>>' for an unsigned shift" },
  KT2011: { text: "expected a value of type '{0}' here, not '{1}'", hint: "" },
  KT2012: { text: "array length must be a compile-time constant between 1 and 2^24", hint: "use a literal or an unannotated module-level const" },
  KT2013: { text: "an array index must be an unsigned number type (u8, u16 or u32), not '{0}'", hint: "convert it with u32(x)" },
  KT2014: { text: "a '/' or '%' result must be converted directly, e.g. {0}(a / b)", hint: "wrap the division in a conversion" },
  KT2015: { text: "a 64-bit value must be converted before '>>': under Node its bits above 64 would shift in", hint: "convert the shifted value first: u64(...) >> n" },
  KT2016: { text: "a shift count of a 64-bit value must have type 'u64'", hint: "convert it with u64(n)" },
  KT2017: { text: "duplicate case value {0}", hint: "" },
  KT2018: { text: "a case value must be a constant of the switch's type", hint: "" },
  KT2019: { text: "expected {0} argument(s), got {1}", hint: "" },
  KT2020: { text: "this value has no type in kernel TypeScript", hint: "give it a type annotation" },
  KT2023: { text: "'{0}' here may leave the range of '{1}' or evaluate its parts in another order than JavaScript", hint: "write x = {1}(x {2} y)" },
  KT2022: { text: "division by zero in a constant expression", hint: "" },
  KT2024: { text: "the memory order of {0} must be one of {1}", hint: "pass one of the prelude's constants RELAXED, ACQUIRE, RELEASE, ACQ_REL, SEQ_CST (from \"kts\")" },
  KT2021: { text: "'{0}' comes from the prelude, but this file does not import it", hint: "add {0} to this file's import from \"{1}\"" },
  // ---- KT3xxx: memory, closures, references ----
  KT3001: { text: "closures are not supported (this function {0})", hint: "declare a module-level function and pass its name" },
  KT3002: { text: "a function declaration must be at module level", hint: "move it to the top level of the module" },
  KT3010: { text: "'new' is only allowed as the initializer of a const, of a class field, or of a module-level const", hint: "declare: const x = new C()" },
  KT3011: { text: "arrays can only be made by array(), arrayOf(), structs() or arrays() as the initializer of a declaration or field", hint: "declare: const a: u32[] = array(16, 0)" },
  KT3020: { text: "'{0}' lives on this function's stack and cannot {1}", hint: "make it module-level, or pass it to the callee as a parameter" },
  KT3021: { text: "a class instance or array cannot be assigned: that would copy it or re-point a reference", hint: "copy the fields or elements you need" },
  KT3022: { text: "a function cannot return an array", hint: "pass an output array as a parameter" },
  KT3023: { text: "a class-typed or array field must be initialized with 'new' or array()/arrayOf()/structs() in its declaration", hint: "declare: inner = new C() or items: u32[] = array(8, 0)" },
  KT3024: { text: "module-level variables must be initialized", hint: "give it an initial value" },
  KT3025: { text: "arrays of arrays of arrays, and arrays of arrays of classes, are not supported", hint: "use arrays(N, M, fill) for one level of rows of integers, or a class with an array field" },
  KT3026: { text: "structs() needs a class whose constructor takes no parameters", hint: "" },
  KT3027: { text: "class '{0}' contains itself by value (through its field of type '{1}'): it would have no end", hint: "hold the inner instance in a module-level variable, or pass it as a parameter" },
  // ---- KT4xxx: intrinsics and the unsafe API ----
  KT4001: { text: "'{0}' can only be imported by a module that starts with the directive \"use unsafe\"", hint: "add \"use unsafe\"; as the first statement if this module must touch hardware" },
  KT4002: { text: "intrinsic '{0}' is not available on {1}", hint: "guard it with if (ARCH === \"{2}\")" },
  KT4003: { text: "'{0}' is only available with --target host", hint: "" },
  KT4004: { text: "'{0}' takes a string literal naming a register known for {1}", hint: "known: {2}" },
  KT4005: { text: "{0}() can only be used inside a template literal passed to print(), panic() or assert()", hint: "" },
  KT4006: { text: "external functions ('declare function') can only be declared by a module with \"use unsafe\"", hint: "" },
  KT4007: { text: "'{0}' must be called, not used as a value", hint: "" },
  // ---- KT9xxx: internal ----
  KT9001: { text: "internal compiler error: {0}", hint: "this is a bug in cambi; please report it with the source that triggered it" },
} as const;

export type DiagnosticCode = keyof typeof MESSAGES;

export function formatMessage(code: DiagnosticCode, args: readonly string[]): { text: string; hint: string } {
  const fill = (s: string) => s.replace(/\{(\d)\}/g, (_, i: string) => args[Number(i)] ?? "");
  return { text: fill(MESSAGES[code].text), hint: fill(MESSAGES[code].hint) };
}
