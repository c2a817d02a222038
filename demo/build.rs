//! Compiles the gRPC protos with the protoc binary that the
//! `protoc-bin-vendored` crate ships (no system protoc), and writes their
//! descriptor set for the reflection service.

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let out = std::path::PathBuf::from(std::env::var("OUT_DIR")?);
    let mut config = tonic_prost_build::Config::new();
    config.protoc_executable(protoc_bin_vendored::protoc_bin_path()?);
    tonic_prost_build::configure()
        .file_descriptor_set_path(out.join("demo_descriptor.bin"))
        .compile_with_config(
            config,
            &[
                "proto/wirefault/demo/v1/notes.proto",
                "proto/wirefault/demo/v1/debug.proto",
            ],
            &["proto"],
        )?;
    Ok(())
}
