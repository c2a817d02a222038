// Lays out the npm packages for `npm pack` (run by scripts/package.sh):
//
//   node packaging/npm/stage.mjs VERSION OUT_DIR BINARY PLATFORM ARCH
//
// OUT_DIR/wirefault: the main package (packaging/npm/wirefault), its version
// and its optionalDependencies' versions set to VERSION (the crate's: the one
// source of the version), with the README and the licenses.
// OUT_DIR/cli-PLATFORM-ARCH: `@wirefault/cli-PLATFORM-ARCH`, carrying BINARY
// as bin/wirefault (.exe on win32), with `os` and `cpu` set so npm installs
// it only there. PLATFORM and ARCH are Node's names (process.platform,
// process.arch); the main package must list the platform package.
import * as fs from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const [version, outDir, binary, platform, arch] = process.argv.slice(2);
if (!arch) {
  console.error("usage: node stage.mjs VERSION OUT_DIR BINARY PLATFORM ARCH");
  process.exit(2);
}

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, "../..");
const template = join(here, "wirefault");
const extras = [
  ["crates/wirefault-cli/README.md", "README.md"],
  ["LICENSE-MIT", "LICENSE-MIT"],
  ["LICENSE-APACHE", "LICENSE-APACHE"],
];

function writeJson(path, value) {
  fs.writeFileSync(path, `${JSON.stringify(value, null, 2)}\n`);
}

function copyExtras(dir) {
  for (const [from, to] of extras) {
    fs.copyFileSync(join(repo, from), join(dir, to));
  }
}

// The main package.
const main = JSON.parse(fs.readFileSync(join(template, "package.json"), "utf8"));
const platformName = `@wirefault/cli-${platform}-${arch}`;
if (!(platformName in main.optionalDependencies)) {
  console.error(`${platformName} is not in the main package's optionalDependencies`);
  process.exit(1);
}
main.version = version;
for (const name of Object.keys(main.optionalDependencies)) {
  main.optionalDependencies[name] = version;
}
const mainDir = join(outDir, "wirefault");
fs.rmSync(mainDir, { recursive: true, force: true });
fs.mkdirSync(join(mainDir, "bin"), { recursive: true });
writeJson(join(mainDir, "package.json"), main);
fs.copyFileSync(join(template, "bin/wirefault.js"), join(mainDir, "bin/wirefault.js"));
fs.chmodSync(join(mainDir, "bin/wirefault.js"), 0o755);
copyExtras(mainDir);

// The platform package.
const executable = platform === "win32" ? "wirefault.exe" : "wirefault";
const platformDir = join(outDir, `cli-${platform}-${arch}`);
fs.rmSync(platformDir, { recursive: true, force: true });
fs.mkdirSync(join(platformDir, "bin"), { recursive: true });
writeJson(join(platformDir, "package.json"), {
  name: platformName,
  version,
  description: `The ${platform}-${arch} binary of wirefault (installed by the wirefault package).`,
  license: main.license,
  repository: main.repository,
  os: [platform],
  cpu: [arch],
  // The Linux binaries are built for glibc (manylinux); musl needs its own.
  ...(platform === "linux" ? { libc: ["glibc"] } : {}),
  files: [`bin/${executable}`, "LICENSE-MIT", "LICENSE-APACHE"],
  preferUnplugged: true,
});
fs.copyFileSync(binary, join(platformDir, "bin", executable));
fs.chmodSync(join(platformDir, "bin", executable), 0o755);
copyExtras(platformDir);
console.log(mainDir);
console.log(platformDir);
