//! Configuration: flags, `WIREFAULT_DEMO_*` environment variables and a
//! TOML file, in that order of precedence. Every value is checked at
//! start-up; a bad one stops it with a message naming the key.

use crate::rate_limit::Rate;
use clap::Parser;
use serde::Deserialize;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;
use wirefault::axum::ServeConfig;
use wirefault::cors::CorsPolicy;
use wirefault::headers::HeaderRegistry;
use wirefault::CloseCodes;

/// The command line (each flag also reads `WIREFAULT_DEMO_<NAME>`).
#[derive(Debug, Default, Parser)]
#[command(
    name = "wirefault-demo",
    version,
    about = "The wirefault reference service"
)]
pub struct Args {
    /// Address of the API [default: 127.0.0.1:3000].
    #[arg(long, env = "WIREFAULT_DEMO_ADDR")]
    pub addr: Option<String>,
    /// Address of the playground page, or `off` [default: 127.0.0.1:3001].
    #[arg(long, env = "WIREFAULT_DEMO_UI_ADDR")]
    pub ui_addr: Option<String>,
    /// SQLite database file, or `:memory:` [default: wirefault-demo.db].
    #[arg(long, env = "WIREFAULT_DEMO_DB")]
    pub db: Option<String>,
    /// An origin allowed to call the API with credentials (repeatable;
    /// comma-separated in the environment) [default: the playground's].
    #[arg(
        long = "allow-origin",
        env = "WIREFAULT_DEMO_ALLOW_ORIGIN",
        value_delimiter = ','
    )]
    pub allow_origin: Vec<String>,
    /// WebSocket close codes: `standard` or `mirror` [default: standard].
    #[arg(long, env = "WIREFAULT_DEMO_WS_CLOSE_CODES")]
    pub ws_close_codes: Option<String>,
    /// Writes per session, as N/SECONDS [default: 60/60].
    #[arg(long, env = "WIREFAULT_DEMO_RATE_LIMIT")]
    pub rate_limit: Option<String>,
    /// Enables the /debug/* routes.
    #[arg(long, env = "WIREFAULT_DEMO_FAULT_ROUTES")]
    pub fault_routes: bool,
    /// Seconds a client may take to send a request head [default: 10].
    #[arg(long, env = "WIREFAULT_DEMO_HEADER_READ_TIMEOUT")]
    pub header_read_timeout: Option<String>,
    /// Seconds a connection may stay open with no request in flight
    /// [default: 5].
    #[arg(long, env = "WIREFAULT_DEMO_IDLE_TIMEOUT")]
    pub idle_timeout: Option<String>,
    /// Seconds a response (a stream included) or a WebSocket session may
    /// go without write progress, its peer reading nothing, before it is
    /// dropped [default: 30].
    #[arg(long, env = "WIREFAULT_DEMO_WRITE_TIMEOUT")]
    pub write_timeout: Option<String>,
    /// The most connections open at once, WebSockets included
    /// [default: 10000].
    #[arg(long, env = "WIREFAULT_DEMO_MAX_CONNECTIONS")]
    pub max_connections: Option<String>,
    /// Seconds a shutdown waits for requests and sessions before it
    /// closes what is left [default: 10].
    #[arg(long, env = "WIREFAULT_DEMO_DRAIN_TIMEOUT")]
    pub drain_timeout: Option<String>,
    /// A TOML file with any of the keys above (snake_case; `allow_origin`
    /// is an array).
    #[arg(long, env = "WIREFAULT_DEMO_CONFIG")]
    pub config: Option<PathBuf>,
}

/// The TOML file's keys.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    addr: Option<String>,
    ui_addr: Option<String>,
    db: Option<String>,
    allow_origin: Option<Vec<String>>,
    ws_close_codes: Option<String>,
    rate_limit: Option<String>,
    fault_routes: Option<bool>,
    header_read_timeout: Option<Seconds>,
    idle_timeout: Option<Seconds>,
    write_timeout: Option<Seconds>,
    max_connections: Option<u64>,
    drain_timeout: Option<Seconds>,
}

/// A number of seconds in the TOML file: `10` or `0.5`.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum Seconds {
    Whole(u64),
    Fraction(f64),
}

impl Seconds {
    fn text(self) -> String {
        match self {
            Seconds::Whole(n) => n.to_string(),
            Seconds::Fraction(x) => x.to_string(),
        }
    }
}

/// A configuration value that was refused, naming the key.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// A value that does not parse or is not allowed.
    #[error("invalid {key}: {reason}")]
    Invalid {
        /// The flag or key, e.g. `--allow-origin`.
        key: String,
        /// Why.
        reason: String,
    },
    /// The config file could not be read or parsed.
    #[error("config file {path}: {reason}")]
    File {
        /// The file.
        path: String,
        /// Why.
        reason: String,
    },
}

/// The validated configuration.
#[derive(Debug, Clone)]
pub struct Config {
    /// Where the API listens.
    pub addr: SocketAddr,
    /// Where the playground page listens, if anywhere.
    pub ui_addr: Option<SocketAddr>,
    /// The SQLite file, or `:memory:`.
    pub db: String,
    /// Origins allowed to call the API with credentials.
    pub allow_origins: Vec<String>,
    /// Which close codes WebSocket sessions use.
    pub ws_close_codes: CloseCodes,
    /// The write budget per session.
    pub rate_limit: Rate,
    /// Whether the /debug/* routes exist.
    pub fault_routes: bool,
    /// The server's bounds: header-read, idle and write timeouts,
    /// connection cap, shutdown drain (the write timeout bounds WebSocket
    /// sends too).
    pub serve: ServeConfig,
}

/// The playground's origins, allowed by default.
pub const DEFAULT_ORIGINS: [&str; 2] = ["http://127.0.0.1:3001", "http://localhost:3001"];

fn invalid(key: &str, reason: impl Into<String>) -> ConfigError {
    ConfigError::Invalid {
        key: key.to_owned(),
        reason: reason.into(),
    }
}

/// Seconds, whole or fractional, more than 0 and at most a day.
fn parse_seconds(key: &str, value: &str) -> Result<Duration, ConfigError> {
    let reason =
        || format!("{value:?} is not a number of seconds from 0.001 to 86400, such as 10 or 0.5");
    let secs: f64 = value.trim().parse().map_err(|_| invalid(key, reason()))?;
    if !(0.001..=86_400.0).contains(&secs) {
        return Err(invalid(key, reason()));
    }
    Duration::try_from_secs_f64(secs).map_err(|_| invalid(key, reason()))
}

fn parse_count(key: &str, value: &str) -> Result<usize, ConfigError> {
    match value.trim().parse::<usize>() {
        Ok(n) if (1..=1_000_000).contains(&n) => Ok(n),
        _ => Err(invalid(
            key,
            format!("{value:?} is not a whole number from 1 to 1000000"),
        )),
    }
}

fn parse_addr(key: &str, value: &str) -> Result<SocketAddr, ConfigError> {
    value.parse().map_err(|_| {
        invalid(
            key,
            format!("{value:?} is not an address such as 127.0.0.1:3000"),
        )
    })
}

impl Config {
    /// Reads the configuration from the command line, the environment and
    /// the config file it names.
    pub fn from_args(args: Args) -> Result<Config, ConfigError> {
        let file = match &args.config {
            Some(path) => {
                let text = std::fs::read_to_string(path).map_err(|e| ConfigError::File {
                    path: path.display().to_string(),
                    reason: e.to_string(),
                })?;
                toml::from_str::<FileConfig>(&text).map_err(|e| ConfigError::File {
                    path: path.display().to_string(),
                    reason: e.to_string(),
                })?
            }
            None => FileConfig::default(),
        };
        let addr = args
            .addr
            .or(file.addr)
            .unwrap_or_else(|| "127.0.0.1:3000".into());
        let ui_addr = args
            .ui_addr
            .or(file.ui_addr)
            .unwrap_or_else(|| "127.0.0.1:3001".into());
        let origins = if !args.allow_origin.is_empty() {
            args.allow_origin
        } else {
            file.allow_origin
                .unwrap_or_else(|| DEFAULT_ORIGINS.iter().map(|s| s.to_string()).collect())
        };
        let codes = args
            .ws_close_codes
            .or(file.ws_close_codes)
            .unwrap_or_else(|| "standard".into());
        let rate = args
            .rate_limit
            .or(file.rate_limit)
            .unwrap_or_else(|| "60/60".into());
        let mut serve = ServeConfig::new();
        if let Some(v) = args
            .header_read_timeout
            .or(file.header_read_timeout.map(Seconds::text))
        {
            serve = serve.header_read_timeout(parse_seconds("--header-read-timeout", &v)?);
        }
        if let Some(v) = args.idle_timeout.or(file.idle_timeout.map(Seconds::text)) {
            serve = serve.idle_timeout(parse_seconds("--idle-timeout", &v)?);
        }
        if let Some(v) = args.write_timeout.or(file.write_timeout.map(Seconds::text)) {
            serve = serve.write_timeout(parse_seconds("--write-timeout", &v)?);
        }
        if let Some(v) = args
            .max_connections
            .or(file.max_connections.map(|n| n.to_string()))
        {
            serve = serve.max_connections(parse_count("--max-connections", &v)?);
        }
        if let Some(v) = args.drain_timeout.or(file.drain_timeout.map(Seconds::text)) {
            serve = serve.drain_timeout(parse_seconds("--drain-timeout", &v)?);
        }
        let config = Config {
            addr: parse_addr("--addr", &addr)?,
            ui_addr: if ui_addr == "off" {
                None
            } else {
                Some(parse_addr("--ui-addr", &ui_addr)?)
            },
            db: args
                .db
                .or(file.db)
                .unwrap_or_else(|| "wirefault-demo.db".into()),
            allow_origins: origins,
            ws_close_codes: codes
                .parse()
                .map_err(|e: String| invalid("--ws-close-codes", e))?,
            rate_limit: rate
                .parse()
                .map_err(|e: String| invalid("--rate-limit", e))?,
            fault_routes: args.fault_routes || file.fault_routes.unwrap_or(false),
            serve,
        };
        config.cors_policy()?;
        Ok(config)
    }

    /// The CORS policy: the allowed origins with credentials, the methods
    /// and request headers the API uses, and the custom response headers
    /// (and `Location`, `Retry-After`) exposed; gRPC-Web's request headers
    /// allowed and its status headers exposed. The WebSocket handshake
    /// checks `Origin` against it too.
    pub fn cors_policy(&self) -> Result<CorsPolicy, ConfigError> {
        let registry = HeaderRegistry::new()
            .with("X-Request-Id")
            .and_then(|r| r.with("X-RateLimit-Remaining"))
            .map_err(|e| invalid("custom headers", e.to_string()))?;
        CorsPolicy::builder()
            .allow_origins(self.allow_origins.iter().cloned())
            .allow_methods(["GET", "POST", "DELETE"])
            .allow_headers(["content-type", "x-request-id"])
            .expose_registry(&registry)
            // Standard fields scripts read too: where a created note is,
            // and when to retry after a 429 or 503.
            .expose_headers(["Location", "Retry-After"])
            .grpc_web()
            .allow_credentials(true)
            .max_age(Duration::from_secs(600))
            .build()
            .map_err(|e| invalid("--allow-origin", e.to_string()))
    }

    /// A configuration for tests: port 0, no page, an in-memory database,
    /// the debug routes on.
    pub fn for_tests() -> Config {
        Config {
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            ui_addr: None,
            db: ":memory:".into(),
            allow_origins: DEFAULT_ORIGINS.iter().map(|s| s.to_string()).collect(),
            ws_close_codes: CloseCodes::Standard,
            rate_limit: Rate {
                writes: 60,
                per: std::time::Duration::from_secs(60),
            },
            fault_routes: true,
            serve: ServeConfig::new(),
        }
    }
}
