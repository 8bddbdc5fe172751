/**
 * Every C name the compiler makes, decided here: a module's prefix (its path),
 * its members' names, class glue, locals that C or its headers already own,
 * and temporaries. Keeping them in one place is what keeps them from colliding.
 */

/** The C prefix of a module at `rel` (its path below the repo, `src/` dropped): segments joined by '_'. */
export function modulePrefix(rel: string): string {
  return rel
    .replace(/\.ts$/, "")
    .replace(/^src\//, "")
    .split("/")
    .map((seg) => seg.replace(/[^A-Za-z0-9]/g, "_"))
    .join("_")
    .replace(/^(\d)/, "_$1");
}

/** An exported or module-level name `name` of the module with prefix `prefix`. */
export function moduleMemberName(prefix: string, name: string): string {
  return `${prefix}__${name}`;
}

/** A temporary of a function: `kts_<hint><n>` (locals never start with `kts_`: localCName renames them). */
export function tempName(hint: string, n: number): string {
  return `kts_${hint}${n}`;
}

/** C name of the function that initializes an instance (field initializers, then the constructor). */
export function classInitName(cls: { cname: string }): string {
  return `${cls.cname}__kts_init`;
}

/** C name of a class's constructor body. */
export function classCtorName(cls: { cname: string }): string {
  return `${cls.cname}__kts_ctor`;
}

const C_RESERVED = new Set(
  (
    "auto break case char const continue default do double else enum extern float for goto if inline int long " +
    "register restrict return short signed sizeof static struct switch typedef union unsigned void volatile while " +
    "bool true false self main errno assert stdin stdout stderr asm linux unix offsetof alignas alignof noreturn static_assert"
  ).split(" "),
);

/**
 * A readable C name for a local, parameter or field: the TS name, unless C or
 * its headers own it under -std=gnu11 — keywords, the predefined macros
 * `linux` and `unix`, typedefs (`size_t`, `uint8_t`: any `_t`), macros
 * (`INT8_MAX`, `NULL`, `EOF`: any all-capitals name), the runtime's `kts_`/`KTS_`
 * names — or it could collide with generated names (`__`, a leading `_`).
 * Those get a trailing `_`, and so does every name that already ends in one,
 * so that two different TS names never become the same C name.
 */
export function localCName(name: string): string {
  const owned =
    C_RESERVED.has(name) ||
    /^(kts_|KTS_|_)/.test(name) ||
    name.includes("__") ||
    name.endsWith("_") ||
    name.endsWith("_t") ||
    /^[A-Z][A-Z0-9_]*$/.test(name);
  return owned ? `${name}_` : name;
}
