//! The cases that look behind the ports: encryption at rest, keys, the schema,
//! durability and rows the ports do not show. The port-level cases live in
//! `zeugnis-conformance` and run from `main.rs`.

use zeugnis_conformance::cases::{commit, seed_tenant};
use zeugnis_conformance::fixtures::*;
use zeugnis_core::id::{MessageId, TenantId};
use zeugnis_core::ports::*;
use zeugnis_crypto::{KeySource, MasterKey, MasterKeyring};

use crate::harness::{Harness, hex, ring};
pub(crate) async fn ciphertext_moved_to_another_row_or_tenant_is_detected(h: &Harness) {
    let s = &h.store;
    let (a, _) = seed_tenant(s, 1).await;
    let (b, _) = seed_tenant(s, 2).await;
    let e1 = employee(a, 1, org("Nord AG", "Vertrieb"));
    let e2 = employee(a, 2, org("Nord AG", "Vertrieb"));
    let eb = employee(b, 1, org("Nord AG", "Vertrieb"));
    commit(
        s,
        a,
        vec![
            Write::InsertEmployee(e1.clone()),
            Write::InsertEmployee(e2.clone()),
        ],
    )
    .await
    .unwrap();
    commit(s, b, vec![Write::InsertEmployee(eb.clone())])
        .await
        .unwrap();
    let id = |e: &zeugnis_core::employee::Employee| e.id.as_bytes().to_vec();
    let blob = |x: Vec<u8>| h.bytes_literal(&x);
    // Copy e2's ciphertext over e1's (same tenant, other row).
    h.raw_exec(&format!(
        "UPDATE employees SET data = (SELECT data FROM employees WHERE id = {}) WHERE id = {}",
        blob(id(&e2)),
        blob(id(&e1))
    ))
    .await;
    let err = s.employee(a, e1.id).await.unwrap_err();
    assert!(err.to_string().contains("integrity"), "{err}");
    // B's ciphertext moved into A's row.
    h.raw_exec(&format!(
        "UPDATE employees SET data = (SELECT data FROM employees WHERE id = {} AND tenant_id = {}) WHERE id = {}",
        blob(id(&eb)),
        blob(b.as_bytes().to_vec()),
        blob(id(&e2))
    ))
    .await;
    assert!(s.employee(a, e2.id).await.is_err());
    // The untouched record still reads.
    assert_eq!(s.employee(b, eb.id).await.unwrap().unwrap().value, eb);
}

pub(crate) async fn no_plaintext_name_or_content_in_the_database(h: &Harness) {
    let s = &h.store;
    let (t, admin) = seed_tenant(s, 1).await;
    let e = employee(t, 1, org("Nord AG", "Vertrieb"));
    let r = reference(&e, 1, admin.id, at(1));
    commit(
        s,
        t,
        vec![Write::InsertEmployee(e), Write::InsertReference(r)],
    )
    .await
    .unwrap();
    let needles = [
        KNOWN_NAME,
        KNOWN_SURNAME,
        "vollsten Zufriedenheit",
        "admin1@firma.de",
        "Passau",
    ];
    if h.is_postgres() {
        let tables = [
            "users",
            "employees",
            "reference_letters",
            "reference_sections",
            "audit_log",
            "outbox",
            "credentials",
        ];
        for table in tables {
            let rows = h
                .raw(&format!("SELECT CAST(t AS text) AS row FROM {table} t"))
                .await;
            for row in rows {
                let text: String = row.try_get("", "row").unwrap();
                for n in needles {
                    assert!(!text.contains(n), "{n} in plain text in {table}");
                    assert!(
                        !text.contains(&hex(n.as_bytes())),
                        "{n} hex-encoded in {table}"
                    );
                }
            }
        }
    } else {
        // Every file of the database: main file, WAL and shared memory.
        let files = h.sqlite_files();
        assert!(files.len() >= 2, "{files:?}");
        for f in files {
            let bytes = std::fs::read(&f).unwrap();
            for n in needles {
                assert!(
                    !bytes.windows(n.len()).any(|w| w == n.as_bytes()),
                    "{n} in plain text in {}",
                    f.display()
                );
            }
        }
    }
    // The organisational attributes are plain on purpose (scopes filter on them).
    assert_eq!(
        h.raw("SELECT company FROM employees").await[0]
            .try_get::<String>("", "company")
            .unwrap(),
        "Nord AG"
    );
}

pub(crate) async fn a_destroyed_tenant_key_makes_data_gone(h: &Harness) {
    let s = &h.store;
    let (t, admin) = seed_tenant(s, 1).await;
    let (other, _) = seed_tenant(s, 2).await;
    let e = employee(t, 1, org("Nord AG", "Vertrieb"));
    commit(s, t, vec![Write::InsertEmployee(e.clone())])
        .await
        .unwrap();
    s.destroy_tenant_key(t).await.unwrap();
    assert_eq!(s.employee(t, e.id).await, Err(StoreError::Gone));
    assert_eq!(s.user(t, admin.id).await, Err(StoreError::Gone));
    assert_eq!(s.user_by_email(t, &admin.email).await, Ok(None));
    // Another instance (a fresh store on the same database) sees it too.
    let again = h.reopen(ring(&h.master)).await.unwrap();
    assert_eq!(again.employee(t, e.id).await, Err(StoreError::Gone));
    // Other tenants are untouched.
    assert!(
        again
            .user(other, user(other, 1, admin_role(other).id, "x@y.de").id)
            .await
            .unwrap()
            .is_some()
    );
}

pub(crate) async fn a_wrong_master_key_is_refused_at_open(h: &Harness) {
    let (_t, _) = seed_tenant(&h.store, 1).await;
    let wrong = MasterKey::generate().unwrap();
    let err = h
        .reopen(MasterKeyring::new(
            wrong.clone(),
            KeySource::File("/etc/zeugnis/master.key".into()),
        ))
        .await
        .unwrap_err();
    let text = err.to_string();
    assert!(text.contains(&wrong.id().to_string()), "{text}");
    assert!(text.contains(&h.master.id().to_string()), "{text}");
    assert!(text.contains("/etc/zeugnis/master.key"), "{text}");
    // The right key still opens.
    assert!(h.reopen(ring(&h.master)).await.is_ok());
}

pub(crate) async fn rotation_rewraps_tenant_keys_under_the_new_master_key(h: &Harness) {
    let (t, _) = seed_tenant(&h.store, 1).await;
    let (u, _) = seed_tenant(&h.store, 2).await;
    let e = employee(t, 1, org("Nord AG", "Vertrieb"));
    commit(&h.store, t, vec![Write::InsertEmployee(e.clone())])
        .await
        .unwrap();
    let new = MasterKey::generate().unwrap();
    let both = MasterKeyring::new(new.clone(), KeySource::Env("NEW".into()))
        .with_previous(h.master.clone(), KeySource::Env("OLD".into()));
    let rotating = h.reopen(both).await.unwrap();
    assert_eq!(rotating.rotate_master_key().await.unwrap(), 2);
    assert_eq!(
        rotating.rotate_master_key().await.unwrap(),
        0,
        "nothing left to re-wrap"
    );
    // Only the new key is needed now; the old one is refused.
    let only_new = h
        .reopen(MasterKeyring::new(new, KeySource::Env("NEW".into())))
        .await
        .unwrap();
    assert_eq!(only_new.employee(t, e.id).await.unwrap().unwrap().value, e);
    assert!(only_new.tenant(u).await.unwrap().is_some());
    assert!(h.reopen(ring(&h.master)).await.is_err());
}

pub(crate) async fn commits_are_durable_and_foreign_keys_enforced(h: &Harness) {
    if h.is_postgres() {
        let rows = h.raw("SHOW synchronous_commit").await;
        assert_eq!(
            rows[0].try_get::<String>("", "synchronous_commit").unwrap(),
            "on"
        );
    } else {
        let pragma = |name: &'static str| async move {
            let rows = h.raw(&format!("PRAGMA {name}")).await;
            rows[0]
                .try_get_by_index::<i64>(0)
                .map(|v| v.to_string())
                .or_else(|_| rows[0].try_get_by_index::<String>(0))
                .unwrap()
        };
        assert_eq!(pragma("journal_mode").await, "wal");
        assert_eq!(
            pragma("synchronous").await,
            "2",
            "FULL: a commit is on disk when it returns"
        );
        assert_eq!(pragma("foreign_keys").await, "1");
        assert!(pragma("busy_timeout").await.parse::<i64>().unwrap() >= 1000);
    }
    // A row pointing at nothing is refused by the database itself.
    let (t, admin) = seed_tenant(&h.store, 1).await;
    let ghost = employee(t, 9, org("Nord AG", "Vertrieb"));
    let r = reference(&ghost, 1, admin.id, at(1));
    assert_eq!(
        commit(&h.store, t, vec![Write::InsertReference(r)]).await,
        Err(StoreError::NotFound)
    );
}

pub(crate) async fn a_schema_from_a_newer_version_is_refused(h: &Harness) {
    h.raw_exec(
        "INSERT INTO schema_migrations (version, applied_at) VALUES ('m29990101_000001_future', 0)",
    )
    .await;
    let err = h.reopen(ring(&h.master)).await.unwrap_err();
    assert!(
        matches!(err, zeugnis_store::OpenError::NewerSchema(_)),
        "{err}"
    );
    assert!(err.to_string().contains("m29990101_000001_future"), "{err}");
}

pub(crate) async fn an_outbox_message_whose_key_does_not_open_waits_and_lets_others_through(
    h: &Harness,
) {
    let (t1, _) = seed_tenant(&h.store, 1).await;
    let (t2, _) = seed_tenant(&h.store, 2).await;
    let msg = |tenant: TenantId, n: u8| message(tenant, n, None);
    commit(&h.store, t1, vec![Write::Enqueue(msg(t1, 1))])
        .await
        .unwrap();
    commit(&h.store, t2, vec![Write::Enqueue(msg(t2, 2))])
        .await
        .unwrap();
    // Tenant 2's wrapped key is replaced by tenant 1's: it no longer opens,
    // as when it is wrapped under a master key this instance lacks.
    let lit = |t: TenantId| h.bytes_literal(t.as_bytes());
    h.raw_exec(&format!(
        "UPDATE tenant_keys SET wrapped = (SELECT wrapped FROM tenant_keys WHERE tenant_id = {}) WHERE tenant_id = {}",
        lit(t1),
        lit(t2)
    ))
    .await;
    let fresh = h.reopen(ring(&h.master)).await.unwrap();
    let lease = time::Duration::minutes(5);
    let claimed = fresh.claim_due(at(10), 10, lease).await.unwrap();
    assert_eq!(
        claimed.iter().map(|c| c.message.id).collect::<Vec<_>>(),
        vec![MessageId::from_bytes([1; 16])],
        "the other tenant's message goes out"
    );
    assert!(
        fresh.claim_due(at(20), 10, lease).await.unwrap().is_empty(),
        "the unopenable one waits a while"
    );
    assert_eq!(h.rows_of("outbox", t2).await, 1, "and is kept");
}

pub(crate) async fn purging_a_tenant_destroys_its_key(h: &Harness) {
    // The port-level case first (it purges tenant 1), then the key behind it.
    zeugnis_conformance::cases::purging_a_tenant_leaves_no_row(h).await;
    let t = tenant(1).id;
    let key = h
        .raw(&format!(
            "SELECT COUNT(*) AS n FROM tenant_keys WHERE wrapped IS NULL AND tenant_id = {}",
            h.bytes_literal(t.as_bytes())
        ))
        .await;
    assert_eq!(
        key[0].try_get::<i64>("", "n").unwrap(),
        1,
        "the key is destroyed"
    );
}

pub(crate) async fn an_unreadable_outbox_body_is_marked_failed_and_no_failure_keeps_a_body(
    h: &Harness,
) {
    let s = &h.store;
    let (t, _) = seed_tenant(s, 1).await;
    let msg = |n: u8| message(t, n, None);
    let lease = time::Duration::minutes(1);
    let failed_without_body = || async {
        h.raw("SELECT COUNT(*) AS n FROM outbox WHERE data IS NULL AND state = 'failed'")
            .await[0]
            .try_get::<i64>("", "n")
            .unwrap()
    };
    commit(s, t, vec![Write::Enqueue(msg(3))]).await.unwrap();
    let third = s.claim_due(at(900), 10, lease).await.unwrap();
    commit(
        s,
        t,
        vec![Write::FailMessage(msg(3).id, third[0].lease_until)],
    )
    .await
    .unwrap();
    assert_eq!(
        failed_without_body().await,
        1,
        "a failed message keeps no body"
    );

    // A body that does not open (here: moved from another message) is marked
    // failed instead of blocking the messages behind it.
    commit(s, t, vec![Write::Enqueue(msg(6)), Write::Enqueue(msg(7))])
        .await
        .unwrap();
    let lit = |id: MessageId| h.bytes_literal(id.as_bytes());
    h.raw_exec(&format!(
        "UPDATE outbox SET data = (SELECT data FROM outbox WHERE id = {}) WHERE id = {}",
        lit(msg(7).id),
        lit(msg(6).id)
    ))
    .await;
    let claimed = s.claim_due(at(4000), 10, lease).await.unwrap();
    assert_eq!(
        claimed.iter().map(|c| c.message.id).collect::<Vec<_>>(),
        vec![msg(7).id]
    );
    assert_eq!(failed_without_body().await, 2);

    // Failure records leave with the audit entries of their age.
    assert_eq!(h.rows_of("outbox", t).await, 3);
    commit(s, t, vec![Write::PurgeAuditBefore(at(0))])
        .await
        .unwrap();
    assert_eq!(
        h.rows_of("outbox", t).await,
        3,
        "not older than the cutoff: kept"
    );
    commit(s, t, vec![Write::PurgeAuditBefore(at(10_000))])
        .await
        .unwrap();
    assert_eq!(
        h.rows_of("outbox", t).await,
        1,
        "the two failure records went, the queued message stays"
    );
}
