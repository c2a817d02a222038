//! The server's bounds, on the real binary over real sockets: a client
//! that never finishes its request head cannot keep the process alive
//! past the drain bound, nor keep the service down past the header-read
//! timeout when file descriptors run out.
#![allow(clippy::unwrap_used)]

use std::io::{BufRead, BufReader, ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A running `wirefault-demo`, killed on drop.
struct Demo {
    child: Child,
    addr: SocketAddr,
    log: Arc<Mutex<String>>,
}

impl Demo {
    /// Starts the binary (through `prefix`, e.g. `prlimit`, when given)
    /// and waits at most 10 s for its "API on" line.
    fn start(prefix: &[&str], args: &[&str]) -> Demo {
        let exe = env!("CARGO_BIN_EXE_wirefault-demo");
        let mut cmd = match prefix.split_first() {
            Some((program, rest)) => {
                let mut cmd = Command::new(program);
                cmd.args(rest).arg(exe);
                cmd
            }
            None => Command::new(exe),
        };
        cmd.args([
            "--addr",
            "127.0.0.1:0",
            "--ui-addr",
            "off",
            "--db",
            ":memory:",
        ])
        .args(args)
        .env("RUST_LOG", "info")
        .env("NO_COLOR", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
        let mut child = cmd.spawn().unwrap();
        let log = Arc::new(Mutex::new(String::new()));
        let (tx, rx) = std::sync::mpsc::channel();
        for stream in [
            Box::new(child.stdout.take().unwrap()) as Box<dyn Read + Send>,
            Box::new(child.stderr.take().unwrap()),
        ] {
            let (log, tx) = (Arc::clone(&log), tx.clone());
            std::thread::spawn(move || {
                for line in BufReader::new(stream).lines() {
                    let Ok(line) = line else { break };
                    if let Some(addr) = api_addr(&line) {
                        let _ = tx.send(addr);
                    }
                    log.lock().unwrap().push_str(&(line + "\n"));
                }
            });
        }
        let addr = match rx.recv_timeout(Duration::from_secs(10)) {
            Ok(addr) => addr,
            Err(_) => {
                let _ = child.kill();
                panic!("the demo did not start: {}", log.lock().unwrap());
            }
        };
        Demo { child, addr, log }
    }

    fn log(&self) -> String {
        self.log.lock().unwrap().clone()
    }

    fn terminate(&self) {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
    }

    /// The exit status, if the process ends within `bound`.
    fn wait_exit(&mut self, bound: Duration) -> Option<ExitStatus> {
        let deadline = Instant::now() + bound;
        while Instant::now() < deadline {
            if let Some(status) = self.child.try_wait().unwrap() {
                return Some(status);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        None
    }

    /// `GET /health` on a new connection, within `bound`: the status line.
    fn health(&self, bound: Duration) -> Option<String> {
        let mut stream = TcpStream::connect_timeout(&self.addr, bound).ok()?;
        stream.set_read_timeout(Some(bound)).ok()?;
        stream
            .write_all(b"GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            .ok()?;
        let mut head = [0_u8; 64];
        let n = stream.read(&mut head).ok()?;
        let text = String::from_utf8_lossy(&head[..n]).into_owned();
        text.starts_with("HTTP/1.1 ").then_some(text)
    }
}

impl Drop for Demo {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The address in "API on http://127.0.0.1:PORT".
fn api_addr(line: &str) -> Option<SocketAddr> {
    let rest = &line[line.find("API on http://")? + "API on http://".len()..];
    let end = rest
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == ':'))
        .unwrap_or(rest.len());
    rest[..end].parse().ok()
}

/// A client that sent half a request head and waits.
fn stalled_head(addr: SocketAddr) -> TcpStream {
    let mut stream = TcpStream::connect_timeout(&addr, Duration::from_secs(5)).unwrap();
    stream
        .write_all(b"GET /health HTTP/1.1\r\nHost: x\r\n")
        .unwrap();
    stream
}

/// Whether the server has closed `stream` (EOF or reset), after reading
/// whatever it sent first.
fn closed_by_server(stream: &mut TcpStream) -> bool {
    stream
        .set_read_timeout(Some(Duration::from_millis(5)))
        .unwrap();
    let mut buf = [0_u8; 512];
    loop {
        match stream.read(&mut buf) {
            Ok(0) => return true,
            Ok(_) => continue,
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                return false
            }
            Err(_) => return true,
        }
    }
}

#[test]
fn sigterm_with_a_stalled_request_head_exits_0_within_the_drain_bound() {
    let drain = Duration::from_secs(2);
    // The header timeout is far away: only the drain bound can end it.
    let mut demo = Demo::start(
        &[],
        &[
            "--drain-timeout",
            "2",
            "--header-read-timeout",
            "120",
            "--idle-timeout",
            "120",
        ],
    );
    let mut stalled = stalled_head(demo.addr);
    assert!(demo.health(Duration::from_secs(5)).is_some());
    std::thread::sleep(Duration::from_millis(200));
    let start = Instant::now();
    demo.terminate();
    let status = demo
        .wait_exit(drain + Duration::from_secs(3))
        .unwrap_or_else(|| panic!("still running after {:?}: {}", start.elapsed(), demo.log()));
    let took = start.elapsed();
    assert_eq!(status.code(), Some(0), "{}", demo.log());
    // The bound, plus the time a process takes to exit.
    assert!(took < drain + Duration::from_millis(1500), "took {took:?}");
    assert!(closed_by_server(&mut stalled));
    let log = demo.log();
    assert!(log.contains("connections_cut=1"), "{log}");
}

#[test]
fn sigterm_without_stalled_clients_exits_at_once() {
    let mut demo = Demo::start(&[], &["--drain-timeout", "10"]);
    assert!(demo.health(Duration::from_secs(5)).is_some());
    let start = Instant::now();
    demo.terminate();
    let status = demo.wait_exit(Duration::from_secs(5)).unwrap();
    assert_eq!(status.code(), Some(0));
    assert!(
        start.elapsed() < Duration::from_secs(2),
        "{:?}",
        start.elapsed()
    );
}

#[test]
fn stalled_heads_past_the_open_file_limit_are_closed_and_health_comes_back() {
    if Command::new("prlimit").arg("--version").output().is_err() {
        panic!("prlimit (util-linux) is needed for this test");
    }
    let header_timeout = Duration::from_secs(2);
    let demo = Demo::start(
        &["prlimit", "--nofile=256:256", "--"],
        &["--header-read-timeout", "2", "--idle-timeout", "2"],
    );
    let start = Instant::now();
    // More clients than the process has file descriptors: past ~250 the
    // accepts fail with EMFILE and the rest wait in the listen queue.
    let mut stalled: Vec<TcpStream> = (0..300).map(|_| stalled_head(demo.addr)).collect();
    let mut answered = None;
    while start.elapsed() < header_timeout + Duration::from_secs(5) {
        if demo.health(Duration::from_millis(500)).is_some() {
            answered = Some(start.elapsed());
            break;
        }
    }
    let answered = answered.unwrap_or_else(|| panic!("/health never answered: {}", demo.log()));
    eprintln!("/health answered after {answered:?}");
    assert!(
        answered < header_timeout + Duration::from_secs(4),
        "{answered:?}"
    );
    // Every stalled head is closed by the server: those accepted first
    // after one header timeout, those queued behind them after a second.
    let deadline = start + 2 * header_timeout + Duration::from_secs(5);
    let mut open = stalled.len();
    while Instant::now() < deadline {
        open = stalled
            .iter_mut()
            .map(closed_by_server)
            .filter(|closed| !closed)
            .count();
        if open == 0 {
            break;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    assert_eq!(
        open,
        0,
        "stalled heads still open after {:?}",
        start.elapsed()
    );
    eprintln!("all 300 stalled heads closed after {:?}", start.elapsed());
    let log = demo.log();
    // The accept loop backed off: one warning per streak of EMFILE, not
    // one per failed accept.
    let warnings = log.matches("accept failed").count();
    assert!(log.contains("Too many open files"), "{log}");
    assert!((1..=10).contains(&warnings), "{warnings} warnings: {log}");
    assert!(demo.health(Duration::from_secs(2)).is_some());
}
