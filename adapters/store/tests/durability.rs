//! An acknowledged write survives the process being killed: a writer commits
//! employees one at a time and prints `acked N` after each commit; it is killed
//! with SIGKILL mid-stream, and every acknowledged employee must be there when
//! the database is opened again.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test"
)]

use std::io::Write as _;
use std::io::{BufRead as _, BufReader};
use std::process::{Command, Stdio};

use zeugnis_core::employee::{
    Contact, Employee, Employment, OrgAttributes, PersonalData, Salutation,
};
use zeugnis_core::id::{EmployeeId, TenantId};
use zeugnis_core::ports::{ChangeSet, EmployeeStore, UnitOfWork, Write};
use zeugnis_core::tenant::{Tenant, TenantStatus};
use zeugnis_core::values::{Name, Slug, Timestamp};
use zeugnis_crypto::{KeySource, MasterKey, MasterKeyring};
use zeugnis_store::{Location, Store};

/// Set in the child: run as the writer on this database file.
const WRITER_DB: &str = "ZEUGNIS_DURABILITY_WRITER_DB";

#[tokio::test]
async fn every_acknowledged_commit_survives_a_kill() {
    if let Ok(db) = std::env::var(WRITER_DB) {
        // The child: write until killed.
        run_writer(db).await.unwrap();
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("zeugnis.db");
    let key = MasterKey::generate().unwrap();
    // The same test binary, running only this test, as the writer.
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "every_acknowledged_commit_survives_a_kill",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(WRITER_DB, &db)
        .env("ZEUGNIS_KEYS__MASTER_KEY", key.encode())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    // The test harness prints its own lines first.
    for line in lines.by_ref() {
        if line.unwrap().ends_with("ready") {
            break;
        }
    }
    let mut acked = None;
    for line in lines.by_ref() {
        let line = line.unwrap();
        let Some(n) = line
            .strip_prefix("acked ")
            .and_then(|n| n.parse::<u64>().ok())
        else {
            continue;
        };
        acked = Some(n);
        if n >= 40 {
            break;
        }
    }
    child.kill().unwrap(); // SIGKILL: no chance to flush anything
    // Acknowledgements printed before the kill landed count too.
    for line in lines {
        if let Some(n) = line
            .ok()
            .and_then(|l| l.strip_prefix("acked ").and_then(|n| n.parse().ok()))
        {
            acked = Some(n);
        }
    }
    child.wait().unwrap();
    let acked = acked.expect("the writer acknowledged commits");

    let ring = MasterKeyring::new(key, KeySource::Env("test".into()));
    let store = Store::open(&Location::Sqlite(db), ring).await.unwrap();
    let tenant = TenantId::from_bytes([0x42; 16]);
    for n in 0..=acked {
        let mut id = [0u8; 16];
        id[8..].copy_from_slice(&n.to_be_bytes());
        assert!(
            store
                .employee(tenant, EmployeeId::from_bytes(id))
                .await
                .unwrap()
                .is_some(),
            "acknowledged employee {n} of {acked} was lost"
        );
    }
}

async fn run_writer(path: String) -> Result<(), Box<dyn std::error::Error>> {
    let key = MasterKey::from_encoded(&std::env::var("ZEUGNIS_KEYS__MASTER_KEY")?)?;
    let ring = MasterKeyring::new(key, KeySource::Env("ZEUGNIS_KEYS__MASTER_KEY".into()));
    let store = Store::open(&Location::Sqlite(path.into()), ring).await?;
    let tenant = TenantId::from_bytes([0x42; 16]);
    let now = Timestamp::from_unix_timestamp(1_750_000_000)?;
    let mut cs = ChangeSet::new(tenant);
    cs.push(Write::InsertTenant(Tenant {
        id: tenant,
        slug: Slug::parse("dauer")?,
        name: Name::new("Dauer GmbH")?,
        status: TenantStatus::Active,
        created_at: now,
    }));
    store.commit(cs).await?;
    let mut out = std::io::stdout().lock();
    writeln!(out, "ready")?;
    out.flush()?;
    for n in 0u64.. {
        let mut id = [0u8; 16];
        id[8..].copy_from_slice(&n.to_be_bytes());
        let mut cs = ChangeSet::new(tenant);
        cs.push(Write::InsertEmployee(Employee {
            id: EmployeeId::from_bytes(id),
            tenant,
            personal: PersonalData {
                salutation: Salutation::None,
                first_name: Name::new("Dauer")?,
                last_name: Name::new(&format!("Test {n}"))?,
                title: None,
                birth_date: None,
                birth_place: None,
            },
            contact: Contact::default(),
            employment: Employment::default(),
            org: OrgAttributes::default(),
        }));
        store.commit(cs).await?;
        writeln!(out, "acked {n}")?;
        out.flush()?;
    }
    Ok(())
}
