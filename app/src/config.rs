//! Configuration of the server.
//!
//! Sources, from weakest to strongest:
//!
//! 1. built-in defaults ([`Config::default`]),
//! 2. a TOML config file: the one named by `--config` or `ZEUGNIS_CONFIG`, otherwise
//!    `zeugnis.toml` in the working directory when it exists,
//! 3. `ZEUGNIS_*` environment variables, with `__` between nested keys
//!    (`ZEUGNIS_LISTEN`, `ZEUGNIS_DATA_DIR`, `ZEUGNIS_LOG__FORMAT`),
//! 4. command-line flags ([`Overrides`]).
//!
//! Unknown keys are not fatal: [`Config::load`] reports them as [`UnknownKey`]s for the
//! caller to warn about. Invalid values are an error naming the key, the value and
//! where it came from.

use std::fmt;
use std::net::{Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};

use figment::providers::{Format as _, Serialized, Toml};
use figment::value::{Dict, Map, Value};
use figment::{Figment, Metadata, Profile, Provider};
use serde::{Deserialize, Serialize};

/// Prefix of the environment variables that configure zeugnis.
pub const ENV_PREFIX: &str = "ZEUGNIS_";

/// Separator between nested keys in environment variable names.
pub const ENV_NESTING: &str = "__";

/// Environment variable naming the config file; not itself a configuration key.
pub const CONFIG_FILE_ENV: &str = "ZEUGNIS_CONFIG";

/// Config file read from the working directory when none is named.
pub const DEFAULT_CONFIG_FILE: &str = "zeugnis.toml";

/// The server configuration.
///
/// `Debug` is written by hand and lists only the fields below: a field added later
/// is not printed unless it is added there too, and secrets never are.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Config {
    /// Socket address the HTTP server listens on. Port 0 picks a free port.
    pub listen: SocketAddr,
    /// Directory holding the server's data; created (mode 0700) when missing.
    pub data_dir: PathBuf,
    /// Logging.
    pub log: LogConfig,
    /// The database.
    pub database: DatabaseConfig,
    /// The master key that wraps the tenants' data keys.
    pub keys: KeysConfig,
    /// The mail server; without a host, mails are written to `mail/` in the
    /// data directory.
    pub smtp: SmtpConfig,
    /// The SMS gateway; without a URL, SMS are written to `sms/` in the data
    /// directory.
    pub sms: SmsConfig,
    /// Retries of the outbox.
    pub delivery: DeliveryConfig,
    /// How the server is reached: public address, cookies, proxies.
    pub http: HttpConfig,
    /// Password hashing and login throttling.
    pub auth: AuthConfig,
    /// The retention sweep.
    pub retention: RetentionConfig,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from((Ipv4Addr::LOCALHOST, 8080)),
            data_dir: PathBuf::from("./data"),
            log: LogConfig::default(),
            database: DatabaseConfig::default(),
            keys: KeysConfig::default(),
            smtp: SmtpConfig::default(),
            sms: SmsConfig::default(),
            delivery: DeliveryConfig::default(),
            http: HttpConfig::default(),
            auth: AuthConfig::default(),
            retention: RetentionConfig::default(),
        }
    }
}

/// How the connection to the mail server is protected.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SmtpSecurityConfig {
    /// STARTTLS, required (port 587).
    #[default]
    Starttls,
    /// TLS from the first byte (port 465).
    Tls,
    /// Unencrypted: only for a test server on this machine; no credentials.
    Plain,
}

/// The `[smtp]` section.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SmtpConfig {
    /// The mail server. Empty: no SMTP; mails go to `mail/` in the data directory.
    pub host: String,
    /// Port; 0 for the usual one (587 for STARTTLS, 465 for TLS, 25 for plain).
    pub port: u16,
    /// `starttls` (default), `tls`, or `plain` (only for a test server on this
    /// machine: `localhost` or a loopback address, no login).
    pub security: SmtpSecurityConfig,
    /// User name, if the server wants a login.
    pub username: String,
    /// Password (best set as `ZEUGNIS_SMTP__PASSWORD`).
    pub password: Secret,
    /// The sender address, e.g. `zeugnis@firma.de`; each tenant sets the display
    /// name.
    pub from: String,
    /// The longest one mail may take, connecting included, in seconds.
    pub timeout_secs: u64,
    /// Connections kept open to the server.
    pub pool_size: u32,
    /// A PEM file of an extra certificate authority to trust (a company CA).
    pub ca_file: String,
}

impl Default for SmtpConfig {
    fn default() -> Self {
        Self {
            host: String::new(),
            port: 0,
            security: SmtpSecurityConfig::Starttls,
            username: String::new(),
            password: Secret::default(),
            from: String::new(),
            timeout_secs: 30,
            pool_size: 4,
            ca_file: String::new(),
        }
    }
}

/// The `[sms]` section.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SmsConfig {
    /// The gateway's send URL (https). Empty: SMS go to `sms/` in the data
    /// directory.
    pub url: String,
    /// Bearer token (best set as `ZEUGNIS_SMS__TOKEN`).
    pub token: Secret,
    /// Sender id shown on the phone: up to 11 letters and digits, or a number.
    pub sender_id: String,
    /// Timeout per request, in seconds.
    pub timeout_secs: u64,
}

impl Default for SmsConfig {
    fn default() -> Self {
        Self {
            url: String::new(),
            token: Secret::default(),
            sender_id: "zeugnis".to_owned(),
            timeout_secs: 15,
        }
    }
}

impl fmt::Debug for SmsConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SmsConfig")
            .field("url", &zeugnis_notify::redact_url(&self.url))
            .field("token", &self.token)
            .field("sender_id", &self.sender_id)
            .field("timeout_secs", &self.timeout_secs)
            .finish()
    }
}

/// The `[http]` section.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HttpConfig {
    /// The address people reach the server at, for links in mails, e.g.
    /// `https://zeugnis.example.com`. Empty: `http://` and the listen address.
    pub public_url: String,
    /// Session cookies carry `Secure` (and the `__Host-` prefix). May be switched
    /// off only when `public_url` is plain HTTP on this machine (localhost).
    pub secure_cookies: bool,
    /// Proxies (IP addresses or networks like `10.0.0.0/8`) whose
    /// `X-Forwarded-For` header names the client. Empty: the socket's peer is
    /// the client and the header is ignored.
    pub trusted_proxies: Vec<String>,
}

impl Default for HttpConfig {
    fn default() -> Self {
        Self {
            public_url: String::new(),
            secure_cookies: true,
            trusted_proxies: Vec::new(),
        }
    }
}

/// The `[auth]` section.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthConfig {
    /// Password hashes computed at the same time at most (each takes about
    /// 19 MiB and one core for a few dozen milliseconds). 0: the number of CPUs.
    pub max_concurrent_hashes: usize,
    /// Failed logins from one source address per minute before its further
    /// attempts are refused for a while (and a suspected attack is audited).
    pub failures_per_minute_per_address: u32,
    /// The cost of password hashes: `owasp` (the default). `insecure_for_tests`
    /// exists for the test suite only; a server built without the
    /// `test-support` feature refuses to start with it.
    pub password_hashing: PasswordHashing,
}

/// How costly password hashes are.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PasswordHashing {
    /// OWASP's recommendation for Argon2id: m = 19 MiB, t = 2, p = 1.
    #[default]
    Owasp,
    /// The least Argon2id allows (m = 8 KiB, t = 1): test suites only.
    InsecureForTests,
}

impl Default for AuthConfig {
    fn default() -> Self {
        Self {
            max_concurrent_hashes: 0,
            failures_per_minute_per_address: 30,
            password_hashing: PasswordHashing::Owasp,
        }
    }
}

/// The `[retention]` section.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RetentionConfig {
    /// Seconds between sweeps that delete what the deletion policies make due
    /// (and expired links, codes and sessions).
    pub interval_secs: u64,
}

impl Default for RetentionConfig {
    fn default() -> Self {
        Self {
            interval_secs: 3600,
        }
    }
}

/// The `[delivery]` section: how the outbox retries.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryConfig {
    /// Attempts per message before it counts as failed (and is audited).
    pub max_attempts: u32,
    /// Wait after the first failed attempt, in seconds; doubles per attempt.
    pub retry_first_secs: u64,
    /// Longest wait between attempts, in seconds.
    pub retry_max_secs: u64,
    /// How often the worker looks for due messages when not woken, in seconds.
    pub poll_secs: u64,
    /// How long a claimed message is kept from other workers, in seconds; at
    /// least twice `smtp.timeout_secs` and `sms.timeout_secs`.
    pub lease_secs: u64,
    /// Messages claimed per round.
    pub batch: u32,
}

impl Default for DeliveryConfig {
    fn default() -> Self {
        Self {
            max_attempts: 10,
            retry_first_secs: 30,
            retry_max_secs: 3600,
            poll_secs: 5,
            lease_secs: 300,
            batch: 20,
        }
    }
}

/// A secret of the configuration (a password, a token, a key). `Debug` says
/// only whether it is set; the value is read through [`Secret::expose`].
/// It serialises as its value, for the configuration sources to merge.
#[derive(Clone, Default)]
pub struct Secret(secrecy::SecretString);

impl Secret {
    /// The value, for the one place that hands it on.
    #[must_use]
    pub fn expose(&self) -> &str {
        secrecy::ExposeSecret::expose_secret(&self.0)
    }

    /// Whether the secret is unset (empty or only blanks).
    #[must_use]
    pub fn is_unset(&self) -> bool {
        self.expose().trim().is_empty()
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Self(value.into())
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Self(value.into())
    }
}

impl PartialEq for Secret {
    fn eq(&self, other: &Self) -> bool {
        self.expose() == other.expose()
    }
}

impl Eq for Secret {}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let shown = if self.is_unset() {
            "unset"
        } else {
            "set (redacted)"
        };
        fmt::Debug::fmt(shown, f)
    }
}

impl Serialize for Secret {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.expose())
    }
}

impl<'de> Deserialize<'de> for Secret {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(Self::from)
    }
}

/// The `[database]` section.
#[derive(Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct DatabaseConfig {
    /// Empty: the embedded SQLite file `zeugnis.db` in the data directory.
    /// `postgres://user:password@host:port/database` for Postgres,
    /// `sqlite:///path/to/file.db` for a SQLite file elsewhere.
    pub url: String,
}

impl fmt::Debug for DatabaseConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The URL may hold a password: show the scheme only.
        let scheme = self.url.split_once("://").map_or("default", |(s, _)| s);
        f.debug_struct("DatabaseConfig")
            .field("url", &scheme)
            .finish()
    }
}

/// The `[keys]` section. The master key never lives in the database.
#[derive(Clone, Debug, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct KeysConfig {
    /// The master key itself, base64 (best set as `ZEUGNIS_KEYS__MASTER_KEY` from a
    /// secret store); beats `master_key_file`.
    pub master_key: Secret,
    /// File holding the master key. Empty: `master.key` in the data directory,
    /// generated (mode 0600) on the first start of a fresh database.
    pub master_key_file: String,
    /// Files of earlier master keys, still accepted while `zeugnis keys rotate`
    /// moves the tenant keys to the current one.
    pub previous_master_key_files: Vec<PathBuf>,
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("listen", &self.listen)
            .field("data_dir", &self.data_dir)
            .field("log", &self.log)
            .field("database", &self.database)
            .field("keys", &self.keys)
            .field("smtp", &self.smtp)
            .field("sms", &self.sms)
            .field("delivery", &self.delivery)
            .field("http", &self.http)
            .field("auth", &self.auth)
            .field("retention", &self.retention)
            .finish_non_exhaustive()
    }
}

/// The `[log]` section.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogConfig {
    /// Output format of log lines on stderr.
    pub format: LogFormat,
    /// A level (`info`) or a filter in `RUST_LOG` syntax (`info,zeugnis_app=debug`).
    /// `RUST_LOG`, when set, takes its place.
    pub level: String,
}

impl Default for LogConfig {
    fn default() -> Self {
        Self {
            format: LogFormat::Text,
            level: "info".to_owned(),
        }
    }
}

/// Output format of log lines.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// Human-readable lines.
    #[default]
    Text,
    /// One JSON object per line.
    Json,
}

/// Values given on the command line; `None` leaves the value to the other sources.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Overrides {
    /// `--listen`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub listen: Option<SocketAddr>,
    /// `--data-dir`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data_dir: Option<PathBuf>,
}

/// A configuration key that zeugnis does not know; it was ignored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownKey {
    /// The key, dotted for nesting (`log.colour`), or the environment variable's name.
    pub key: String,
    /// Where it was found.
    pub origin: Origin,
}

impl fmt::Display for UnknownKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.origin {
            Origin::File(path) => write!(
                f,
                "unknown key `{}` in config file `{}` ignored",
                self.key,
                path.display()
            ),
            Origin::Env => write!(f, "unknown environment variable {} ignored", self.key),
        }
    }
}

/// Where a configuration value came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Origin {
    /// A config file.
    File(PathBuf),
    /// A `ZEUGNIS_*` environment variable.
    Env,
}

/// The result of [`Config::load`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Loaded {
    /// The effective configuration.
    pub config: Config,
    /// The config file that was read, if any.
    pub file: Option<PathBuf>,
    /// Keys that were ignored, in the order found.
    pub unknown_keys: Vec<UnknownKey>,
}

/// The configuration could not be loaded.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// The named config file does not exist.
    #[error("config file `{}` does not exist", .0.display())]
    MissingFile(PathBuf),
    /// The config file could not be read or is not valid TOML.
    #[error("cannot read config file `{}`: {message}", path.display())]
    UnreadableFile {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        message: String,
    },
    /// A `ZEUGNIS_*` environment variable holds bytes that are not UTF-8.
    #[error("environment variable {0} is not valid UTF-8")]
    NotUnicode(String),
    /// Values have the wrong type or form.
    #[error("invalid configuration: {}", join(.0))]
    Invalid(Vec<InvalidValue>),
}

/// A configuration value of the wrong type or form.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InvalidValue {
    /// The key, dotted for nesting (`log.format`); empty if unknown.
    pub key: String,
    /// The value as given, when known: strings quoted, tables and arrays described.
    pub value: Option<String>,
    /// Where the value came from: a config file, an environment variable.
    pub origin: String,
    /// What is wrong with it.
    pub reason: String,
}

impl fmt::Display for InvalidValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.key.is_empty() {
            write!(f, "`{}`", self.key)?;
            if let Some(value) = &self.value {
                write!(f, " = {value}")?;
            }
            write!(f, " ")?;
        }
        write!(f, "from {}: {}", self.origin, self.reason)
    }
}

fn join(errors: &[InvalidValue]) -> String {
    errors
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

impl Config {
    /// Loads the configuration from all sources, reading the process environment.
    ///
    /// `named_file` is the file given by `--config` or `ZEUGNIS_CONFIG`; it must exist.
    /// Without it, `zeugnis.toml` in the working directory is read when it exists.
    ///
    /// # Errors
    ///
    /// See [`ConfigError`].
    pub fn load(named_file: Option<&Path>, overrides: &Overrides) -> Result<Loaded, ConfigError> {
        let file = match named_file {
            Some(path) if path.is_file() => Some(path),
            Some(path) => return Err(ConfigError::MissingFile(path.to_owned())),
            None => Some(Path::new(DEFAULT_CONFIG_FILE)).filter(|path| path.is_file()),
        };
        Self::from_sources(file, env_vars()?, overrides)
    }

    /// Loads the configuration from an existing `file`, the given `ZEUGNIS_*`
    /// variables (others are skipped) and `overrides`.
    ///
    /// # Errors
    ///
    /// See [`ConfigError`].
    pub fn from_sources(
        file: Option<&Path>,
        env: impl IntoIterator<Item = (String, String)>,
        overrides: &Overrides,
    ) -> Result<Loaded, ConfigError> {
        let known = known_keys();
        let mut unknown_keys = Vec::new();
        let mut figment = Figment::from(Serialized::defaults(Config::default()));

        if let Some(path) = file {
            let provider = Toml::file_exact(path);
            let data = provider
                .data()
                .map_err(|error| ConfigError::UnreadableFile {
                    path: path.to_owned(),
                    message: error.to_string(),
                })?;
            let mut keys = Vec::new();
            for dict in data.values() {
                collect_unknown(&known, dict, "", &mut keys);
            }
            unknown_keys.extend(keys.into_iter().map(|key| UnknownKey {
                key,
                origin: Origin::File(path.to_owned()),
            }));
            figment = figment.merge(provider);
        }

        let mut env: Vec<EnvVar> = env
            .into_iter()
            .filter_map(|(name, value)| EnvVar::new(name, value))
            .collect();
        env.sort_by(|a, b| a.name.cmp(&b.name));
        for mut var in env {
            if let Some(default) = var.default_value(&known) {
                // Keys whose default is a string take the variable's text as it is;
                // others parse it (`8080`, `true`, `[1, 2]`).
                var.raw = matches!(default, Value::String(..));
                figment = figment.merge(var);
            } else {
                unknown_keys.push(UnknownKey {
                    key: var.name,
                    origin: Origin::Env,
                });
            }
        }

        let figment = figment.merge(Serialized::defaults(overrides));
        let config = figment
            .extract::<Config>()
            .map_err(|error| ConfigError::Invalid(invalid_values(&figment, error)))?;

        Ok(Loaded {
            config,
            file: file.map(Path::to_owned),
            unknown_keys,
        })
    }
}

/// The `ZEUGNIS_*` variables of the process environment, except `ZEUGNIS_CONFIG`.
fn env_vars() -> Result<Vec<(String, String)>, ConfigError> {
    let mut vars = Vec::new();
    for (name, value) in std::env::vars_os() {
        let Some(name) = name.to_str().filter(|name| name.starts_with(ENV_PREFIX)) else {
            continue;
        };
        let value = value
            .into_string()
            .map_err(|_| ConfigError::NotUnicode(name.to_owned()))?;
        vars.push((name.to_owned(), value));
    }
    Ok(vars)
}

/// The keys of the default configuration, which are all the keys there are.
fn known_keys() -> Dict {
    Serialized::defaults(Config::default())
        .data()
        .ok()
        .and_then(|mut profiles| profiles.remove(&Profile::Default))
        .unwrap_or_default()
}

fn collect_unknown(known: &Dict, given: &Dict, prefix: &str, out: &mut Vec<String>) {
    for (key, value) in given {
        let path = if prefix.is_empty() {
            key.clone()
        } else {
            format!("{prefix}.{key}")
        };
        match (known.get(key), value) {
            (None, _) => out.push(path),
            (Some(Value::Dict(_, known)), Value::Dict(_, given)) => {
                collect_unknown(known, given, &path, out);
            }
            (Some(_), _) => {}
        }
    }
}

/// One `ZEUGNIS_*` environment variable as a figment provider, so that errors name it.
struct EnvVar {
    name: String,
    path: Vec<String>,
    value: String,
    raw: bool,
}

impl EnvVar {
    fn new(name: String, value: String) -> Option<Self> {
        let rest = name.strip_prefix(ENV_PREFIX)?;
        if name == CONFIG_FILE_ENV {
            return None;
        }
        let path = rest
            .split(ENV_NESTING)
            .map(str::to_ascii_lowercase)
            .collect();
        Some(Self {
            name,
            path,
            value,
            raw: false,
        })
    }

    /// The default value of the key this variable sets, `None` for an unknown key.
    fn default_value<'a>(&self, known: &'a Dict) -> Option<&'a Value> {
        let mut dict = known;
        let mut segments = self.path.iter().peekable();
        while let Some(segment) = segments.next() {
            match (dict.get(segment), segments.peek()) {
                (Some(value), None) => return Some(value),
                (Some(Value::Dict(_, inner)), Some(_)) => dict = inner,
                _ => return None,
            }
        }
        None
    }
}

impl Provider for EnvVar {
    fn metadata(&self) -> Metadata {
        Metadata::named(format!("environment variable {}", self.name))
    }

    fn data(&self) -> Result<Map<Profile, Dict>, figment::Error> {
        let value: Value = if self.raw {
            Value::from(self.value.clone())
        } else {
            match self.value.parse() {
                Ok(value) => value,
                Err(never) => match never {},
            }
        };
        let value = self.path.iter().rev().fold(value, |value, segment| {
            let mut dict = Dict::new();
            dict.insert(segment.clone(), value);
            Value::from(dict)
        });
        let Value::Dict(_, dict) = value else {
            return Err(figment::Error::from(format!(
                "environment variable {} names no key",
                self.name
            )));
        };
        Ok(Profile::Default.collect(dict))
    }
}

/// The key, value, origin and reason of each error.
fn invalid_values(figment: &Figment, error: figment::Error) -> Vec<InvalidValue> {
    error
        .into_iter()
        .map(|error| {
            let key = error.path.join(".");
            let value = Some(&key)
                .filter(|key| !key.is_empty())
                .and_then(|key| figment.find_value(key).ok())
                .map(|value| render(&value));
            let origin = match &error.metadata {
                Some(Metadata {
                    source: Some(figment::Source::File(path)),
                    ..
                }) => format!("config file `{}`", path.display()),
                Some(metadata) => metadata.name.to_string(),
                None => "the configuration".to_owned(),
            };
            InvalidValue {
                key,
                value,
                origin,
                // figment quotes lists of expected values twice: ``a` or `b``.
                reason: error.kind.to_string().replace("``", "`"),
            }
        })
        .collect()
}

/// A value as it would be written in the config file, tables and arrays described.
fn render(value: &Value) -> String {
    match value {
        Value::String(_, text) => format!("{text:?}"),
        Value::Char(_, c) => format!("{c:?}"),
        Value::Bool(_, b) => b.to_string(),
        Value::Num(_, num) => num
            .to_i128()
            .map(|n| n.to_string())
            .or_else(|| num.to_u128().map(|n| n.to_string()))
            .or_else(|| num.to_f64().map(|n| n.to_string()))
            .unwrap_or_else(|| "a number".to_owned()),
        Value::Empty(..) => "nothing".to_owned(),
        Value::Dict(..) => "a table".to_owned(),
        Value::Array(..) => "an array".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(vars: &[(&str, &str)]) -> Vec<(String, String)> {
        vars.iter()
            .map(|(name, value)| ((*name).to_owned(), (*value).to_owned()))
            .collect()
    }

    fn file(dir: &tempfile::TempDir, text: &str) -> PathBuf {
        let path = dir.path().join("zeugnis.toml");
        std::fs::write(&path, text).unwrap();
        path
    }

    #[test]
    fn defaults_listen_on_localhost_8080_with_data_in_dot_data() {
        let loaded = Config::from_sources(None, env(&[]), &Overrides::default()).unwrap();
        assert_eq!(loaded.config, Config::default());
        assert_eq!(loaded.config.listen.to_string(), "127.0.0.1:8080");
        assert_eq!(loaded.config.data_dir, PathBuf::from("./data"));
        assert_eq!(loaded.config.log.format, LogFormat::Text);
        assert!(loaded.unknown_keys.is_empty());
    }

    #[test]
    fn file_beats_defaults_env_beats_file_flags_beat_env() {
        let dir = tempfile::tempdir().unwrap();
        let path = file(
            &dir,
            "listen = \"127.0.0.1:1\"\ndata_dir = \"file\"\n[log]\nformat = \"json\"\nlevel = \"debug\"\n",
        );
        let vars = env(&[
            ("ZEUGNIS_LISTEN", "127.0.0.1:2"),
            ("ZEUGNIS_DATA_DIR", "env"),
        ]);
        let overrides = Overrides {
            listen: Some("127.0.0.1:3".parse().unwrap()),
            data_dir: None,
        };
        let loaded = Config::from_sources(Some(&path), vars, &overrides).unwrap();
        assert_eq!(loaded.config.listen.to_string(), "127.0.0.1:3");
        assert_eq!(loaded.config.data_dir, PathBuf::from("env"));
        assert_eq!(loaded.config.log.format, LogFormat::Json);
        assert_eq!(loaded.config.log.level, "debug");
        assert_eq!(loaded.file.as_deref(), Some(path.as_path()));
    }

    #[test]
    fn nested_env_vars_use_a_double_underscore() {
        let vars = env(&[
            ("ZEUGNIS_LOG__FORMAT", "json"),
            ("ZEUGNIS_LOG__LEVEL", "warn"),
        ]);
        let loaded = Config::from_sources(None, vars, &Overrides::default()).unwrap();
        assert_eq!(loaded.config.log.format, LogFormat::Json);
        assert_eq!(loaded.config.log.level, "warn");
    }

    #[test]
    fn env_values_that_look_like_toml_stay_strings() {
        let vars = env(&[("ZEUGNIS_LISTEN", "[::1]:0"), ("ZEUGNIS_DATA_DIR", "1234")]);
        let loaded = Config::from_sources(None, vars, &Overrides::default()).unwrap();
        assert_eq!(loaded.config.listen.to_string(), "[::1]:0");
        assert_eq!(loaded.config.data_dir, PathBuf::from("1234"));
    }

    #[test]
    fn unknown_keys_are_reported_not_fatal() {
        let dir = tempfile::tempdir().unwrap();
        let path = file(
            &dir,
            "colour = \"blue\"\n[log]\nformat = \"text\"\nshade = 1\n",
        );
        let vars = env(&[
            ("ZEUGNIS_FLAVOUR", "sour"),
            ("ZEUGNIS_LOG__SHADE", "2"),
            ("ZEUGNIS_CONFIG", "ignored.toml"),
            ("OTHER", "x"),
        ]);
        let loaded = Config::from_sources(Some(&path), vars, &Overrides::default()).unwrap();
        let keys: Vec<_> = loaded.unknown_keys.iter().map(|k| k.key.as_str()).collect();
        assert_eq!(
            keys,
            [
                "colour",
                "log.shade",
                "ZEUGNIS_FLAVOUR",
                "ZEUGNIS_LOG__SHADE"
            ]
        );
        assert_eq!(
            loaded.unknown_keys.first().unwrap().to_string(),
            format!(
                "unknown key `colour` in config file `{}` ignored",
                path.display()
            )
        );
        assert_eq!(
            loaded.unknown_keys.get(2).unwrap().to_string(),
            "unknown environment variable ZEUGNIS_FLAVOUR ignored"
        );
    }

    #[test]
    fn an_invalid_value_in_the_file_names_key_value_and_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = file(&dir, "listen = \"nonsense\"\n");
        let error = Config::from_sources(Some(&path), env(&[]), &Overrides::default())
            .unwrap_err()
            .to_string();
        assert_eq!(
            error,
            format!(
                "invalid configuration: `listen` = \"nonsense\" from config file `{}`: \
                 invalid socket address syntax",
                path.display()
            )
        );
    }

    #[test]
    fn an_invalid_value_in_the_env_names_the_variable() {
        let vars = env(&[("ZEUGNIS_LOG__FORMAT", "xml")]);
        let error = Config::from_sources(None, vars, &Overrides::default())
            .unwrap_err()
            .to_string();
        assert_eq!(
            error,
            "invalid configuration: `log.format` = \"xml\" \
             from environment variable ZEUGNIS_LOG__FORMAT: \
             unknown variant: found `xml`, expected `text` or `json`"
        );
    }

    #[test]
    fn a_file_that_is_not_toml_is_an_error_naming_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = file(&dir, "listen = \n");
        let error = Config::from_sources(Some(&path), env(&[]), &Overrides::default())
            .unwrap_err()
            .to_string();
        assert!(error.starts_with("cannot read config file"), "{error}");
    }

    #[test]
    fn a_named_file_that_does_not_exist_is_an_error() {
        let error = Config::load(Some(Path::new("no/such/file.toml")), &Overrides::default())
            .unwrap_err()
            .to_string();
        assert_eq!(error, "config file `no/such/file.toml` does not exist");
    }

    #[test]
    fn debug_lists_only_the_known_fields() {
        let debug = format!("{:?}", Config::default());
        assert!(
            debug.starts_with("Config { listen: 127.0.0.1:8080"),
            "{debug}"
        );
        assert!(debug.ends_with(".. }"), "{debug}");
    }

    #[test]
    fn debug_hides_the_smtp_password_and_sms_token() {
        let mut config = Config::default();
        config.smtp.password = "mail-geheim".into();
        config.sms.token = "sms-geheim".into();
        config.keys.master_key = "schluessel-geheim".into();
        let debug = format!("{config:?}");
        assert!(
            !debug.contains("mail-geheim")
                && !debug.contains("sms-geheim")
                && !debug.contains("schluessel-geheim"),
            "{debug}"
        );
        assert!(debug.contains("master_key: \"set (redacted)\""), "{debug}");
        assert!(debug.contains("token: \"set (redacted)\""), "{debug}");
        assert!(debug.contains("password: \"set (redacted)\""), "{debug}");
    }

    #[test]
    fn smtp_settings_come_from_nested_env_vars() {
        let loaded = Config::from_sources(
            None,
            [
                ("ZEUGNIS_SMTP__HOST".to_owned(), "mail.firma.de".to_owned()),
                ("ZEUGNIS_SMTP__SECURITY".to_owned(), "tls".to_owned()),
                ("ZEUGNIS_SMTP__PORT".to_owned(), "2465".to_owned()),
                ("ZEUGNIS_DELIVERY__MAX_ATTEMPTS".to_owned(), "3".to_owned()),
            ],
            &Overrides::default(),
        )
        .unwrap();
        assert!(loaded.unknown_keys.is_empty(), "{:?}", loaded.unknown_keys);
        assert_eq!(loaded.config.smtp.host, "mail.firma.de");
        assert_eq!(loaded.config.smtp.security, SmtpSecurityConfig::Tls);
        assert_eq!(loaded.config.smtp.port, 2465);
        assert_eq!(loaded.config.delivery.max_attempts, 3);
    }
}
