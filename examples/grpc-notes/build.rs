//! Compiles `proto/notes.proto` with the protoc binary that the
//! `protoc-bin-vendored` crate ships: no system protoc, nothing downloaded
//! at build time besides crates.

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut config = tonic_prost_build::Config::new();
    config.protoc_executable(protoc_bin_vendored::protoc_bin_path()?);
    tonic_prost_build::configure().compile_with_config(
        config,
        &["proto/notes.proto"],
        &["proto"],
    )?;
    Ok(())
}
