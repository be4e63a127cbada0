//! The `zeugnis` binary, run as a user would run it.
//!
//! Every test works in its own temporary directory and listens on port 0; the port
//! the server got is read from its "listening on" log line. A [`Server`] kills its
//! process when dropped, so a failing test leaves nothing running.

use std::path::Path;

use crate::common::*;

#[tokio::test]
async fn version_prints_the_package_version() {
    let dir = tempfile::tempdir().unwrap();
    let out = finish(zeugnis(dir.path(), &["--version"])).await;
    assert!(out.status.success(), "{out:?}");
    assert_eq!(
        out.stdout.trim(),
        format!("zeugnis {}", env!("CARGO_PKG_VERSION"))
    );
}

#[tokio::test]
async fn serve_creates_the_data_dir_and_answers_health() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(zeugnis(dir.path(), &["serve", "--listen", "127.0.0.1:0"])).await;

    let data = dir.path().join("data");
    assert!(data.is_dir());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(&data).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o700, "mode {mode:o}");
    }
    let response = server.get("/health").await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.text().await.unwrap(), r#"{"status":"ok"}"#);
}

#[tokio::test]
async fn serve_refuses_a_taken_port_with_a_clear_message() {
    let dir = tempfile::tempdir().unwrap();
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();

    let out = finish(zeugnis(dir.path(), &["serve", "--listen", &addr])).await;

    assert!(!out.status.success(), "{out:?}");
    assert!(
        out.stderr.contains(&format!("cannot listen on {addr}")),
        "{out:?}"
    );
    assert!(out.stderr.contains("already in use"), "{out:?}");
    assert!(!out.stderr.contains("panicked"), "{out:?}");
}

#[tokio::test]
async fn serve_honours_zeugnis_listen_and_zeugnis_data_dir() {
    let dir = tempfile::tempdir().unwrap();
    let mut command = zeugnis(dir.path(), &["serve"]);
    command
        .env("ZEUGNIS_LISTEN", "127.0.0.2:0")
        .env("ZEUGNIS_DATA_DIR", "from-env/data");

    let server = Server::start(command).await;

    assert_eq!(server.addr.ip().to_string(), "127.0.0.2");
    assert!(dir.path().join("from-env/data").is_dir());
    assert!(!dir.path().join("data").exists());
    assert_eq!(server.get("/health").await.status(), 200);
}

#[tokio::test]
async fn serve_reads_zeugnis_toml_from_the_working_directory() {
    let dir = tempfile::tempdir().unwrap();
    write(
        &dir,
        "zeugnis.toml",
        "listen = \"127.0.0.2:0\"\ndata_dir = \"from-file\"\n",
    );

    let server = Server::start(zeugnis(dir.path(), &["serve"])).await;

    assert_eq!(server.addr.ip().to_string(), "127.0.0.2");
    assert!(dir.path().join("from-file").is_dir());
}

#[tokio::test]
async fn serve_reads_the_config_file_named_by_flag_or_zeugnis_config() {
    let dir = tempfile::tempdir().unwrap();
    write(
        &dir,
        "a.toml",
        "listen = \"127.0.0.2:0\"\ndata_dir = \"a\"\n",
    );
    write(
        &dir,
        "b.toml",
        "listen = \"127.0.0.3:0\"\ndata_dir = \"b\"\n",
    );

    let flag = Server::start(zeugnis(dir.path(), &["serve", "--config", "a.toml"])).await;
    let mut command = zeugnis(dir.path(), &["serve"]);
    command.env("ZEUGNIS_CONFIG", "b.toml");
    let env = Server::start(command).await;

    assert_eq!(flag.addr.ip().to_string(), "127.0.0.2");
    assert!(dir.path().join("a").is_dir());
    assert_eq!(env.addr.ip().to_string(), "127.0.0.3");
    assert!(dir.path().join("b").is_dir());
}

#[tokio::test]
async fn the_environment_beats_the_config_file() {
    let dir = tempfile::tempdir().unwrap();
    write(
        &dir,
        "zeugnis.toml",
        "listen = \"127.0.0.2:0\"\ndata_dir = \"from-file\"\n",
    );
    let mut command = zeugnis(dir.path(), &["serve"]);
    command.env("ZEUGNIS_LISTEN", "127.0.0.3:0");

    let server = Server::start(command).await;

    assert_eq!(server.addr.ip().to_string(), "127.0.0.3");
    assert!(dir.path().join("from-file").is_dir());
}

#[tokio::test]
async fn a_cli_flag_beats_the_environment() {
    let dir = tempfile::tempdir().unwrap();
    let mut command = zeugnis(
        dir.path(),
        &[
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--data-dir",
            "from-flag",
        ],
    );
    command
        .env("ZEUGNIS_LISTEN", "127.0.0.2:0")
        .env("ZEUGNIS_DATA_DIR", "from-env");

    let server = Server::start(command).await;

    assert_eq!(server.addr.ip().to_string(), "127.0.0.1");
    assert!(dir.path().join("from-flag").is_dir());
    assert!(!dir.path().join("from-env").exists());
}

#[tokio::test]
async fn a_missing_named_config_file_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();

    let out = finish(zeugnis(dir.path(), &["serve", "--config", "missing.toml"])).await;

    assert!(!out.status.success(), "{out:?}");
    assert!(
        out.stderr
            .contains("config file `missing.toml` does not exist"),
        "{out:?}"
    );
    assert!(!out.stderr.contains("panicked"), "{out:?}");
    assert!(!dir.path().join("data").exists());
}

#[tokio::test]
async fn an_invalid_listen_address_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    write(&dir, "zeugnis.toml", "listen = \"nonsense\"\n");

    let from_file = finish(zeugnis(dir.path(), &["serve"])).await;
    let mut command = zeugnis(dir.path(), &["serve", "--config", "zeugnis.toml"]);
    command.env("ZEUGNIS_LISTEN", "also nonsense");
    let from_env = finish(command).await;

    assert!(!from_file.status.success(), "{from_file:?}");
    assert!(
        from_file
            .stderr
            .contains("`listen` = \"nonsense\" from config file `zeugnis.toml`"),
        "{from_file:?}"
    );
    assert!(!from_env.status.success(), "{from_env:?}");
    assert!(
        from_env
            .stderr
            .contains("`listen` = \"also nonsense\" from environment variable ZEUGNIS_LISTEN"),
        "{from_env:?}"
    );
    for out in [from_file, from_env] {
        assert!(!out.stderr.contains("panicked"), "{out:?}");
        assert_eq!(out.stderr.lines().count(), 1, "{out:?}");
    }
}

#[tokio::test]
async fn an_invalid_listen_flag_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();

    let out = finish(zeugnis(dir.path(), &["serve", "--listen", "nonsense"])).await;

    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert!(
        out.stderr
            .contains("invalid value 'nonsense' for '--listen <ADDR>'"),
        "{out:?}"
    );
}

#[tokio::test]
async fn unknown_keys_are_warned_about_and_ignored() {
    let dir = tempfile::tempdir().unwrap();
    write(
        &dir,
        "zeugnis.toml",
        "colour = \"blue\"\n[log]\nshade = 3\n",
    );
    let mut command = zeugnis(dir.path(), &["serve", "--listen", "127.0.0.1:0"]);
    command.env("ZEUGNIS_FLAVOUR", "sour");

    let mut server = Server::start(command).await;

    assert_eq!(server.get("/health").await.status(), 200);
    let warnings: Vec<_> = server
        .log()
        .iter()
        .filter(|line| line.contains("WARN") && line.contains("unknown"))
        .cloned()
        .collect();
    assert_eq!(warnings.len(), 3, "{warnings:#?}");
    let all = warnings.join("\n");
    assert!(
        all.contains("unknown key `colour` in config file `zeugnis.toml`"),
        "{all}"
    );
    assert!(all.contains("unknown key `log.shade`"), "{all}");
    assert!(
        all.contains("unknown environment variable ZEUGNIS_FLAVOUR"),
        "{all}"
    );
}

#[tokio::test]
async fn json_logs_are_one_object_per_line() {
    let dir = tempfile::tempdir().unwrap();
    let mut command = zeugnis(dir.path(), &["serve", "--listen", "127.0.0.1:0"]);
    command.env("ZEUGNIS_LOG__FORMAT", "json");

    let mut server = Server::start(command).await;

    assert_eq!(server.get("/health").await.status(), 200);
    for line in server.log() {
        assert!(line.starts_with('{') && line.ends_with('}'), "{line}");
        assert!(line.contains(r#""level":"#), "{line}");
    }
}

#[tokio::test]
async fn each_request_is_logged_with_its_route_pattern_status_and_duration_never_its_path() {
    let dir = tempfile::tempdir().unwrap();
    let mut server =
        Server::start(zeugnis(dir.path(), &["serve", "--listen", "127.0.0.1:0"])).await;
    let secret = "Geheimnis0123456789abcdefGeheimnis";
    let id = "0193d3a4-7b1c-7c2e-9a55-3f1e2d4c5b6a";
    let _ = server
        .get(&format!("/t/firma/h/{id}/{secret}?token=Abfrage-geheim"))
        .await;
    let line = server
        .wait_for_line(|l| l.contains("request answered") && l.contains("/t/:slug/h/:id/:secret"))
        .await;
    assert!(line.contains("method=GET"), "{line}");
    assert!(line.contains("status="), "{line}");
    assert!(line.contains("duration_ms="), "{line}");
    assert_eq!(server.get("/health").await.status(), 200);
    let health = server
        .wait_for_line(|l| l.contains("request answered") && l.contains("route=\"/health\""))
        .await;
    assert!(health.contains("status=200"), "{health}");
    // A route of the API is named by its full pattern, and a failure by its status.
    let _ = server.get(&format!("/api/v1/references/{id}")).await;
    let api = server
        .wait_for_line(|l| {
            l.contains("request answered") && l.contains("route=\"/api/v1/references/:")
        })
        .await;
    assert!(api.contains("status=401"), "{api}");
    for line in server.log() {
        assert!(
            !line.contains(secret) && !line.contains(id) && !line.contains("Abfrage-geheim"),
            "{line}"
        );
    }
}

#[cfg(unix)]
#[tokio::test]
async fn serve_stops_cleanly_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let mut server =
        Server::start(zeugnis(dir.path(), &["serve", "--listen", "127.0.0.1:0"])).await;
    let pid = server.child.id().unwrap().to_string();

    let kill = finish({
        let mut kill = tokio::process::Command::new("kill");
        kill.args(["-TERM", &pid]);
        kill
    })
    .await;
    assert!(kill.status.success(), "{kill:?}");
    let status = server.wait().await;

    assert!(status.success(), "{status:?}\n{}", server.log.join("\n"));
    assert!(
        server
            .log
            .iter()
            .any(|line| line.contains("received SIGTERM")),
        "{}",
        server.log.join("\n")
    );
}

#[tokio::test]
async fn first_start_generates_a_master_key_readable_only_by_the_owner_and_says_to_back_it_up() {
    let dir = tempfile::tempdir().unwrap();
    let mut server =
        Server::start(zeugnis(dir.path(), &["serve", "--listen", "127.0.0.1:0"])).await;
    let key = key_file(&dir);
    assert!(key.is_file());
    assert!(dir.path().join("data/zeugnis.db").is_file());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(&key).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "mode {mode:o}");
    }
    let log = server.log().join("\n");
    assert!(log.contains("generated a new master key"), "{log}");
    let shown = std::fs::canonicalize(&key).unwrap();
    assert!(log.contains(&shown.display().to_string()), "{log}");
    assert!(log.contains("back it up"), "{log}");
    assert!(
        !log.contains(std::fs::read_to_string(&key).unwrap().trim()),
        "the key itself is never logged"
    );
    assert_eq!(server.get("/ready").await.status(), 200);
    drop(server);

    // The second start uses the key and does not mention generating one.
    let mut again = Server::start(zeugnis(dir.path(), &["serve", "--listen", "127.0.0.1:0"])).await;
    assert!(
        !again.log().join("\n").contains("generated"),
        "{:?}",
        again.log()
    );
}

#[tokio::test]
async fn a_wrong_master_key_stops_the_server_with_a_message_naming_both_keys() {
    let dir = tempfile::tempdir().unwrap();
    let first = finish(zeugnis(dir.path(), &["migrate"])).await;
    assert!(first.status.success(), "{first:?}");
    let mut command = zeugnis(dir.path(), &["serve", "--listen", "127.0.0.1:0"]);
    // A valid key, but not the one the data was written with.
    command.env(
        "ZEUGNIS_KEYS__MASTER_KEY",
        "AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE=",
    );
    let out = finish(command).await;
    assert!(!out.status.success(), "{out:?}");
    assert!(out.stderr.contains("wrong master key"), "{out:?}");
    assert!(out.stderr.contains("ZEUGNIS_KEYS__MASTER_KEY"), "{out:?}");
    assert!(!out.stderr.contains("panicked"), "{out:?}");

    let mut command = zeugnis(dir.path(), &["serve", "--listen", "127.0.0.1:0"]);
    command.env("ZEUGNIS_KEYS__MASTER_KEY", "not base64!");
    let out = finish(command).await;
    assert!(!out.status.success(), "{out:?}");
    assert!(out.stderr.contains("ZEUGNIS_KEYS__MASTER_KEY"), "{out:?}");
    assert!(
        !out.stderr.contains("not base64!"),
        "the bad value is not echoed: {out:?}"
    );
}

#[tokio::test]
async fn a_lost_key_file_is_a_clear_error_and_no_new_key_is_made() {
    let dir = tempfile::tempdir().unwrap();
    assert!(
        finish(zeugnis(dir.path(), &["migrate"]))
            .await
            .status
            .success()
    );
    std::fs::remove_file(key_file(&dir)).unwrap();
    let out = finish(zeugnis(dir.path(), &["serve", "--listen", "127.0.0.1:0"])).await;
    assert!(!out.status.success(), "{out:?}");
    assert!(out.stderr.contains("the master key is missing"), "{out:?}");
    assert!(out.stderr.contains("master.key"), "{out:?}");
    assert!(
        !key_file(&dir).exists(),
        "a new key would make the data unreadable for good"
    );
}

#[tokio::test]
async fn migrate_brings_the_schema_up_to_date_and_can_run_again() {
    let dir = tempfile::tempdir().unwrap();
    for _ in 0..2 {
        let out = finish(zeugnis(dir.path(), &["migrate"])).await;
        assert!(out.status.success(), "{out:?}");
        assert!(out.stdout.contains("up to date"), "{out:?}");
    }
    assert!(dir.path().join("data/zeugnis.db").is_file());
}

#[tokio::test]
async fn keys_rotate_replaces_the_key_file_and_keeps_the_old_key_beside_it() {
    let dir = tempfile::tempdir().unwrap();
    assert!(
        finish(zeugnis(dir.path(), &["migrate"]))
            .await
            .status
            .success()
    );
    let old = std::fs::read_to_string(key_file(&dir)).unwrap();

    let out = finish(zeugnis(dir.path(), &["keys", "rotate"])).await;
    assert!(out.status.success(), "{out:?}");
    assert!(out.stdout.contains("re-wrapped"), "{out:?}");
    let new = std::fs::read_to_string(key_file(&dir)).unwrap();
    assert_ne!(new, old);
    let retired: Vec<_> = std::fs::read_dir(dir.path().join("data"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("master.key.retired-"))
        .collect();
    assert_eq!(retired.len(), 1, "{retired:?}");

    // The server starts with the new key; the old one is refused.
    let server = Server::start(zeugnis(dir.path(), &["serve", "--listen", "127.0.0.1:0"])).await;
    assert_eq!(server.get("/ready").await.status(), 200);
    drop(server);
    let mut command = zeugnis(dir.path(), &["serve", "--listen", "127.0.0.1:0"]);
    command.env("ZEUGNIS_KEYS__MASTER_KEY", old.trim());
    let out = finish(command).await;
    assert!(!out.status.success(), "{out:?}");
    assert!(out.stderr.contains("wrong master key"), "{out:?}");
}

#[tokio::test]
async fn an_unknown_database_url_scheme_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let mut command = zeugnis(dir.path(), &["serve", "--listen", "127.0.0.1:0"]);
    command.env("ZEUGNIS_DATABASE__URL", "mysql://root:geheim@localhost/db");
    let out = finish(command).await;
    assert!(!out.status.success(), "{out:?}");
    assert!(out.stderr.contains("database.url"), "{out:?}");
    assert!(
        !out.stderr.contains("geheim"),
        "no password in messages: {out:?}"
    );
}

/// The folder `path` made read-only: a read-only bind mount for root (whom
/// permissions do not stop), mode 0500 for anybody else. Undone when dropped.
struct ReadOnly {
    path: std::path::PathBuf,
    mounted: bool,
}

impl ReadOnly {
    fn make(path: &Path) -> Result<Self, String> {
        let root = std::process::Command::new("id")
            .arg("-u")
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
            .unwrap_or(false);
        if root {
            let run = |args: &[&str]| {
                std::process::Command::new("mount")
                    .args(args)
                    .arg(path)
                    .arg(path)
                    .status()
                    .map_err(|e| e.to_string())
                    .and_then(|s| {
                        s.success()
                            .then_some(())
                            .ok_or(format!("mount {args:?} failed"))
                    })
            };
            run(&["--bind"])?;
            let ro = Self {
                path: path.to_owned(),
                mounted: true,
            };
            run(&["-o", "remount,ro,bind"])?;
            Ok(ro)
        } else {
            use std::os::unix::fs::PermissionsExt as _;
            std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o500))
                .map_err(|e| e.to_string())?;
            Ok(Self {
                path: path.to_owned(),
                mounted: false,
            })
        }
    }
}

impl Drop for ReadOnly {
    fn drop(&mut self) {
        if self.mounted {
            let _ = std::process::Command::new("umount")
                .arg("-l")
                .arg(&self.path)
                .status();
        } else {
            use std::os::unix::fs::PermissionsExt as _;
            let _ = std::fs::set_permissions(&self.path, std::fs::Permissions::from_mode(0o700));
        }
    }
}

#[tokio::test]
async fn a_read_only_data_folder_is_named_as_such() {
    let dir = tempfile::tempdir().unwrap();
    let out = finish(zeugnis(dir.path(), &["migrate"])).await;
    assert!(out.status.success(), "{out:?}");
    let data = dir.path().join("data");
    let readonly = match ReadOnly::make(&data) {
        Ok(r) => r,
        Err(why) => {
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "CI must be able to make a read-only folder: {why}"
            );
            eprintln!("SKIPPED a_read_only_data_folder_is_named_as_such: {why}");
            return;
        }
    };
    let out = finish(zeugnis(dir.path(), &["serve", "--listen", "127.0.0.1:0"])).await;
    drop(readonly);
    assert!(!out.status.success(), "{out:?}");
    assert!(
        out.stderr.contains("data folder") && out.stderr.contains("not writable"),
        "{out:?}"
    );
    assert!(
        out.stderr.contains("read-only file system") || out.stderr.contains("may not write"),
        "the cause is named: {out:?}"
    );
    assert!(out.stderr.contains("data"), "the folder is named: {out:?}");
    assert!(!out.stderr.contains("panicked"), "{out:?}");
}
