//! Start-up configuration: flags, environment, TOML file; a bad value stops
//! start-up with a message naming it and a non-zero exit.
#![allow(clippy::unwrap_used)]

use std::io::Read;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Runs the binary; one that starts anyway is killed after 10 s (and the
/// caller's assertion on the exit code fails).
fn demo(args: &[&str], env: &[(&str, &str)]) -> (i32, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_wirefault-demo"));
    cmd.args(args)
        .env_remove("RUST_LOG")
        // Should a bad value be taken, nothing binds a real port.
        .env("WIREFAULT_DEMO_ADDR", "127.0.0.1:0")
        .env("WIREFAULT_DEMO_UI_ADDR", "off")
        .env("WIREFAULT_DEMO_DB", ":memory:")
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            child.kill().unwrap();
            break child.wait().unwrap();
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    (status.code().unwrap_or(-1), stderr)
}

/// Flags, environment, and what the error message must name.
type Case<'a> = (&'a [&'a str], &'a [(&'a str, &'a str)], &'a [&'a str]);

#[test]
fn bad_values_stop_start_up_naming_them() {
    let cases: &[Case] = &[
        (
            &["--allow-origin", "http://127.0.0.1:3001/app"],
            &[],
            &["--allow-origin", "http://127.0.0.1:3001/app", "path"],
        ),
        (
            &["--allow-origin", "127.0.0.1:3001"],
            &[],
            &["--allow-origin", "127.0.0.1:3001"],
        ),
        (
            &["--ws-close-codes", "loud"],
            &[],
            &["--ws-close-codes", "loud"],
        ),
        (&["--rate-limit", "60"], &[], &["--rate-limit", "60"]),
        (&["--addr", "nowhere"], &[], &["--addr", "nowhere"]),
        (
            &[],
            &[("WIREFAULT_DEMO_RATE_LIMIT", "0/60")],
            &["--rate-limit", "0/60"],
        ),
        (
            &["--header-read-timeout", "0"],
            &[],
            &["--header-read-timeout", "\"0\""],
        ),
        (
            &["--max-connections", "lots"],
            &[],
            &["--max-connections", "lots"],
        ),
        (
            &[],
            &[("WIREFAULT_DEMO_DRAIN_TIMEOUT", "-1")],
            &["--drain-timeout", "-1"],
        ),
        (
            &[],
            &[("WIREFAULT_DEMO_IDLE_TIMEOUT", "soon")],
            &["--idle-timeout", "soon"],
        ),
        (
            &[],
            &[("WIREFAULT_DEMO_WRITE_TIMEOUT", "0")],
            &["--write-timeout", "0"],
        ),
        (
            &["--config", "/definitely/missing.toml"],
            &[],
            &["/definitely/missing.toml"],
        ),
    ];
    for (args, env, needles) in cases {
        let (code, stderr) = demo(args, env);
        assert_ne!(code, 0, "{args:?} {env:?} started");
        for needle in *needles {
            assert!(
                stderr.contains(needle),
                "{args:?}: {needle:?} not in {stderr}"
            );
        }
    }
}

#[test]
fn the_config_file_names_bad_keys() {
    let dir = std::env::temp_dir().join(format!("wf-demo-config-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("demo.toml");
    std::fs::write(
        &file,
        "allow_origin = [\"https://ok.example\", \"https://bad.example/path\"]\n",
    )
    .unwrap();
    let (code, stderr) = demo(&["--config", file.to_str().unwrap()], &[]);
    assert_ne!(code, 0);
    assert!(stderr.contains("https://bad.example/path"), "{stderr}");
    std::fs::write(&file, "ws_close_codes = \"mirror\"\nunknown_key = 1\n").unwrap();
    let (code, stderr) = demo(&["--config", file.to_str().unwrap()], &[]);
    assert_ne!(code, 0);
    assert!(stderr.contains("unknown_key"), "{stderr}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn file_then_environment_then_flags() {
    use clap::Parser;
    use wirefault_demo::config::{Args, Config};
    let dir = std::env::temp_dir().join(format!("wf-demo-precedence-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("demo.toml");
    std::fs::write(&file, "rate_limit = \"5/10\"\nws_close_codes = \"mirror\"\nfault_routes = true\nui_addr = \"off\"\nheader_read_timeout = 0.5\nidle_timeout = 7\nwrite_timeout = 2.5\nmax_connections = 64\ndrain_timeout = 3\n").unwrap();
    let args = Args::try_parse_from([
        "wirefault-demo",
        "--config",
        file.to_str().unwrap(),
        "--rate-limit",
        "7/10",
        "--drain-timeout",
        "4",
    ])
    .unwrap();
    let config = Config::from_args(args).unwrap();
    assert_eq!(config.rate_limit.writes, 7, "a flag beats the file");
    assert_eq!(config.ws_close_codes, wirefault::CloseCodes::HttpMirror);
    assert!(config.fault_routes);
    assert_eq!(config.ui_addr, None);
    assert_eq!(
        config.serve.get_header_read_timeout(),
        Duration::from_millis(500)
    );
    assert_eq!(config.serve.get_idle_timeout(), Duration::from_secs(7));
    assert_eq!(
        config.serve.get_write_timeout(),
        Duration::from_millis(2500)
    );
    assert_eq!(config.serve.get_max_connections(), 64);
    assert_eq!(
        config.serve.get_drain_timeout(),
        Duration::from_secs(4),
        "a flag beats the file"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
