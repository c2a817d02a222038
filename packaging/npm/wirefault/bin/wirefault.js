#!/usr/bin/env node
// Runs the `wirefault` binary of the platform package npm installed beside
// this one: `@wirefault/cli-<platform>-<arch>`, one of this package's
// optionalDependencies, each restricted by its own `os` and `cpu` so npm
// installs only the matching one. Nothing is downloaded at install time.
"use strict";

const { spawnSync } = require("node:child_process");

const platformPackage = `@wirefault/cli-${process.platform}-${process.arch}`;
const executable = process.platform === "win32" ? "wirefault.exe" : "wirefault";

function binaryPath() {
  // WIREFAULT_BINARY: a binary of your own (a platform with no package yet).
  if (process.env.WIREFAULT_BINARY) {
    return process.env.WIREFAULT_BINARY;
  }
  try {
    return require.resolve(`${platformPackage}/bin/${executable}`);
  } catch {
    return null;
  }
}

const binary = binaryPath();
if (binary === null) {
  console.error(
    `wirefault: no binary for ${process.platform}-${process.arch}: the package ` +
      `${platformPackage} is not installed. It is an optional dependency of ` +
      "wirefault: reinstall without --no-optional / --omit=optional, or install " +
      "the auditor with `pip install wirefault` or `cargo install wirefault-cli`, " +
      "or set WIREFAULT_BINARY to a wirefault binary.",
  );
  process.exit(2);
}

const result = spawnSync(binary, process.argv.slice(2), { stdio: "inherit" });
if (result.error) {
  console.error(`wirefault: cannot run ${binary}: ${result.error.message}`);
  process.exit(2);
}
if (result.signal) {
  // Die of the same signal, so a caller sees what the binary saw.
  process.kill(process.pid, result.signal);
}
process.exit(result.status ?? 2);
