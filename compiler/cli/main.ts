/**
 * The `cambi` command line: argument parsing only. Each command's work lives in
 * its own module; commands of DESIGN section 7 that are not built yet say so and
 * exit 2 rather than printing anything that looks like a result.
 */
import { Command, Option } from "commander";
import { readFileSync } from "node:fs";
import path from "node:path";
import { CommandExit } from "./output.js";
import { REPO_ROOT } from "../project/root.js";

const VERSION = (JSON.parse(readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")) as { version: string }).version;

/**
 * Each command's module is loaded when the command runs: `cambi build` with
 * nothing to do must not pay for loading TypeScript (`check`, `compile`) or
 * noble (`sign`).
 */
type Action = (...args: never[]) => unknown;
function lazy<M>(load: () => Promise<M>, pick: (m: M) => Action): (...args: unknown[]) => Promise<void> {
  return async (...args) => {
    await (pick(await load()) as (...a: unknown[]) => unknown)(...args);
  };
}
const compileCommand = lazy(() => import("./compile.js"), (m) => m.compileCommand);
const checkCommand = lazy(() => import("./check.js"), (m) => m.checkCommand);
const execCommand = lazy(() => import("./exec.js"), (m) => m.execCommand);
const explainCommand = lazy(() => import("./explain.js"), (m) => m.explainCommand);
const selftestCommand = lazy(() => import("./selftest.js"), (m) => m.selftestCommand);
const demoCommand = lazy(() => import("./selftest.js"), (m) => m.demoCommand);
const buildCommand = lazy(() => import("./build.js"), (m) => m.buildCommand);
const runCommand = lazy(() => import("./run.js"), (m) => m.runCommand);
const testCommand = lazy(() => import("./test.js"), (m) => m.testCommand);
const benchCommand = lazy(() => import("./bench.js"), (m) => m.benchCommand);
const keygenCommand = lazy(() => import("./keygen.js"), (m) => m.keygenCommand);
const signCommand = lazy(() => import("./sign.js"), (m) => m.signCommand);
const verifyCommand = lazy(() => import("./verify.js"), (m) => m.verifyCommand);
const imageCommand = lazy(() => import("./image.js"), (m) => m.imageCommand);

const program = new Command();
program
  .name("cambi")
  .description("The CambiOS toolchain: kernel TypeScript compiler, builds, QEMU runs, signing.")
  .version(VERSION)
  .showHelpAfterError()
  .configureOutput({ writeErr: (s) => process.stderr.write(s) });

const archOption = () => new Option("--arch <arch>", "target architecture").choices(["x86_64", "aarch64"]).default("x86_64");

program
  .command("compile")
  .description("compile a KTS program to C and then to a native executable (host) or objects (freestanding)")
  .argument("<entry.ts>", "the entry module (for host: exports main())")
  .addOption(new Option("--target <target>", "host executable or freestanding objects").choices(["host", "freestanding"]).default("host"))
  .addOption(archOption())
  .option("-o, --out <path>", "output executable (host) or directory (freestanding)")
  .option("--emit-c <dir>", "where to write the generated C (default: .cambi/gen/<target>-<arch>/<entry>)")
  .option("--no-sanitize", "host: build without AddressSanitizer/UndefinedBehaviorSanitizer")
  .option("-O <level>", "host: clang optimization level", "1")
  .action(compileCommand);

program
  .command("check")
  .description("report TypeScript and KTS diagnostics for modules (default: src/kernel, src/services)")
  .argument("[paths...]", "files or directories")
  .addOption(archOption())
  .addOption(new Option("--target <target>", "check for this target").choices(["host", "freestanding"]).default("freestanding"))
  .option("--unsafe", "also count unsafe API sites per module")
  .action(checkCommand);

program
  .command("exec")
  .description("run a KTS program (entry exporting main()) in the C world (ASan+UBSan) or under Node; output and exit status as the tests compare them")
  .argument("<entry.ts>", "the entry module")
  .addOption(new Option("--world <world>", "which world runs it").choices(["native", "node"]).makeOptionMandatory())
  .action(execCommand);

program.command("explain").description("print the meaning of a diagnostic code").argument("<code>", "e.g. KT2001").action(explainCommand);

program
  .command("selftest")
  .description("run the whole test suite (what `npm test` runs)")
  .action(selftestCommand);

program.command("demo").description("compile and run the compiler's demo program (until CambiOS boots)").action(demoCommand);

const tierOption = () => new Option("--tier <tier>", "boot-image tier: images/<tier>.json");
const keyOption = () => new Option("--key <file>", "bootstrap secret key (default: $CAMBI_KEY, else the development key in $XDG_CONFIG_HOME/cambi/dev-key)");
const servicesOption = () => new Option("--services <dir>", "where service sources live: <dir>/<name>/main.ts (default: src/services)");

program
  .command("build")
  .description("build a tier's signed boot bundle and the kernel image (with the bootstrap public key) for an arch")
  .addOption(archOption())
  .addOption(tierOption().default("standard"))
  .addOption(keyOption())
  .addOption(servicesOption())
  .option("--watch", "rebuild whenever a file under src/ or images/ is saved")
  .action(buildCommand);

program
  .command("run")
  .description("boot CambiOS in QEMU with the serial console on stdin/stdout")
  .addOption(archOption())
  .option("--smp <n>", "number of CPUs", "1")
  .option("--mem <MiB>", "guest RAM in MiB", "128")
  .option("--gdb", "wait for gdb on localhost:1234")
  .option("--expect <regex>", "exit 0 as soon as the serial output matches; non-zero on timeout or panic")
  .option("--timeout <s>", "seconds to wait for --expect", "30")
  .option("--append <cmdline>", "kernel command line, e.g. loglevel=3")
  .option("--programs <a.ts,b.ts>", "user programs to build into the boot bundle (QEMU -initrd)")
  .option("--entry <file.ts>", "boot an image built from another entry module (e.g. src/kernel/tests/fault-main.ts)")
  .addOption(new Option("--tier <tier>", "boot-image tier: images/<tier>.json (default: standard; none for --entry images)"))
  .option("--initrd <file>", "boot this bundle instead of building one (e.g. a damaged copy)")
  .option("--disk <file>", "raw disk image attached as virtio-blk (default: build/<arch>/disk.img, created on first use)")
  .option("--cpu <model>", "QEMU CPU model (default max), e.g. max,-rdrand,-rdseed or cortex-a72: a CPU without a random generator")
  .option(
    "--net <mode>",
    "network card (virtio-net, MAC 52:54:00:12:34:56): none (no card); user (QEMU's NAT to the host's network: DHCP, gateway 10.0.2.2, DNS 10.0.2.3); " +
      "user:restrict (the same, cut off from everything beyond QEMU); dgram:GUESTPORT:PEERPORT (each Ethernet frame one UDP datagram " +
      "between 127.0.0.1:GUESTPORT, QEMU's end, and 127.0.0.1:PEERPORT, a test peer such as test/harness/net-peer.ts)",
    "none",
  )
  .option("--image <file>", "boot a disk image made by `cambi image` through firmware instead of -kernel (the kernel, bundle and command line are the image's)")
  .addOption(new Option("--firmware <firmware>", "with --image: UEFI (OVMF; AAVMF on aarch64) or legacy BIOS (SeaBIOS, x86_64)").choices(["uefi", "bios"]).default("uefi"))
  .addOption(keyOption())
  .addOption(servicesOption())
  .action(runCommand);

program
  .command("test")
  .description("build the test kernel and run its in-kernel suites in QEMU; exit status reflects failures")
  .addOption(archOption())
  .option("--smp <n>", "number of CPUs", "4")
  .option("--mem <MiB>", "guest RAM in MiB", "128")
  .option("--timeout <s>", "seconds to wait for the summary line", "120")
  .action(testCommand);

program
  .command("bench")
  .description("measure null syscall, context switch and IPC round trip in guest instructions (QEMU -icount); prints JSON lines")
  .addOption(archOption())
  .option("--timeout <s>", "seconds to wait for the benchmark image", "300")
  .option("--ipc", "only the system-call, IPC and boot figures (no block or store tiers)")
  .action(benchCommand);

program
  .command("keygen")
  .description("create an Ed25519 key pair: <dir>/cambi.key (secret, mode 0600) and <dir>/cambi.pub")
  .requiredOption("-o, --out <dir>", "directory for the key files")
  .action(keygenCommand);

program
  .command("sign")
  .description("sign a service ELF into a boot module (docs/signed-module.md)")
  .argument("<elf>", "the service ELF")
  .requiredOption("--key <secret>", "secret key file (cambi.key)")
  .option("-o, --out <file>", "the signed module (default: <elf>.signed)")
  .action(signCommand);

program
  .command("verify")
  .description("verify a signed boot module as the kernel does: ok, or refused with the reason")
  .argument("<module>", "the signed module")
  .requiredOption("--pubkey <pub>", "public key file (cambi.pub) the module must be signed by")
  .action(verifyCommand);

program
  .command("image")
  .description("build a bootable disk image (GPT: EFI system partition with GRUB, the kernel and the tier's signed bundle; BIOS boot partition) for UEFI and legacy BIOS")
  .addOption(archOption())
  .addOption(tierOption().default("standard"))
  .option("-o, --out <file>", "the image file (default: build/<arch>/cambios-<tier>.img)")
  .addOption(keyOption())
  .option("--append <cmdline>", "kernel command line written into the boot menu, e.g. loglevel=3")
  .option("--print-digest", "print the image's BLAKE3 on standard output: blake3 <hex>  <file>")
  .action(imageCommand);

const notYet: [string, string, string][] = [];
for (const [name, desc, issue] of notYet) {
  program
    .command(name)
    .description(`${desc} [not built yet]`)
    .allowUnknownOption()
    .allowExcessArguments()
    .helpOption(false)
    .action(() => {
      process.stderr.write(`cambi ${name}: not built yet (arrives with ${issue}).\n`);
      process.exit(2);
    });
}

try {
  await program.parseAsync(process.argv);
} catch (e) {
  if (!(e instanceof CommandExit)) throw e;
  process.exit(e.status);
}
