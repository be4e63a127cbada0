//! Operator commands: creating organisations, inviting their first
//! administrators, verifying the audit log.

use std::io::Write as _;
use std::path::Path;
use std::sync::Arc;

use anyhow::Context as _;
use zeugnis_core::action::ActionPurpose;
use zeugnis_core::ports::LinkBuilder as _;
use zeugnis_core::scope::ReferenceScope;
use zeugnis_core::services::accounts::NewUser;
use zeugnis_core::tenant::Tenant;
use zeugnis_core::values::{Email, Name, Slug};

use crate::cli::{AuditVerifyArgs, CreateTenantArgs, DataArgs, InviteArgs, load_for, runtime};
use crate::delivery::SystemClock;
use crate::state::AppState;

/// The state the server would have, without serving (for commands that use the
/// core's services on the database directly).
async fn offline_state(config_file: Option<&Path>, data: &DataArgs) -> anyhow::Result<AppState> {
    let config = load_for(config_file, data)?;
    let store = Arc::new(crate::storage::open(&config).await?);
    Ok(AppState::build(
        &config,
        config.listen,
        store,
        Arc::new(SystemClock),
        Arc::new(tokio::sync::Notify::new()),
    )?)
}

async fn tenant(state: &AppState, slug: &str) -> anyhow::Result<Tenant> {
    let slug = Slug::parse(slug).map_err(|e| anyhow::anyhow!("--tenant {slug:?}: {e}"))?;
    state.tenants().by_slug(&slug).await?.with_context(|| {
        format!(
            "there is no organisation with the short name {:?}",
            slug.as_str()
        )
    })
}

/// `zeugnis admin create-tenant`.
///
/// # Errors
/// Invalid input, a taken short name, storage failures.
pub fn create_tenant(config_file: Option<&Path>, args: &CreateTenantArgs) -> anyhow::Result<()> {
    let slug =
        Slug::parse(&args.slug).map_err(|e| anyhow::anyhow!("--slug {:?}: {e}", args.slug))?;
    let name = Name::new(&args.name).map_err(|e| anyhow::anyhow!("--name: {e}"))?;
    let created = runtime()?.block_on(async {
        let state = offline_state(config_file, &args.data).await?;
        let created = state.tenants().create(slug, name, None).await?;
        anyhow::Ok(created)
    })?;
    writeln!(
        std::io::stdout().lock(),
        "created the organisation {:?} (short name {}, id {}); invite its first administrator with `zeugnis admin invite --tenant {}`",
        created.tenant.name.as_str(),
        created.tenant.slug.as_str(),
        created.tenant.id,
        created.tenant.slug.as_str(),
    )?;
    Ok(())
}

/// `zeugnis admin invite`.
///
/// # Errors
/// Invalid input, an unknown organisation, a taken address, storage failures.
pub fn invite(config_file: Option<&Path>, args: &InviteArgs) -> anyhow::Result<()> {
    let email = Email::parse(&args.email).map_err(|e| anyhow::anyhow!("--email: {e}"))?;
    let first_name =
        Name::new(&args.first_name).map_err(|e| anyhow::anyhow!("--first-name: {e}"))?;
    let last_name = Name::new(&args.last_name).map_err(|e| anyhow::anyhow!("--last-name: {e}"))?;
    let (link, address) = runtime()?.block_on(async {
        let state = offline_state(config_file, &args.data).await?;
        let tenant = tenant(&state, &args.tenant).await?;
        let role = state
            .roles()
            .administrator_role_of(tenant.id)
            .await?
            .context("the organisation has no Administrator role")?;
        let address = email.as_str().to_owned();
        let (_, token) = state
            .accounts()
            .invite_as_operator(
                tenant.id,
                None,
                NewUser {
                    first_name,
                    last_name,
                    email,
                    phone: None,
                    role: role.id,
                    scope: ReferenceScope::Administrator,
                },
            )
            .await?;
        let link = state
            .links
            .action_link(&tenant, ActionPurpose::Invitation, &token);
        anyhow::Ok((link, address))
    })?;
    writeln!(
        std::io::stdout().lock(),
        "invited {address} as Administrator; the registration link is on its way by mail (the server sends it). It works once, for 72 hours:\n{link}"
    )?;
    Ok(())
}

/// `zeugnis audit verify`.
///
/// # Errors
/// A broken chain (naming the first broken entry), storage failures.
pub fn audit_verify(config_file: Option<&Path>, args: &AuditVerifyArgs) -> anyhow::Result<()> {
    let reports = runtime()?.block_on(async {
        let state = offline_state(config_file, &args.data).await?;
        let tenants = match &args.tenant {
            Some(slug) => vec![tenant(&state, slug).await?],
            None => state.tenants().all().await?,
        };
        let mut reports = Vec::new();
        for t in tenants {
            let report = state.verify_audit_chain(t.id).await?;
            reports.push((t, report));
        }
        anyhow::Ok(reports)
    })?;
    let mut out = std::io::stdout().lock();
    let mut broken = Vec::new();
    for (tenant, report) in &reports {
        let slug = tenant.slug.as_str();
        match (&report.broken, report.first, report.last) {
            (Some(b), _, _) => {
                writeln!(out, "{slug}: BROKEN at entry {}: {}", b.seq, b.reason)?;
                broken.push(format!("{slug} at entry {}", b.seq));
            }
            (None, Some(first), Some(last)) => writeln!(
                out,
                "{slug}: intact ({} entries, {first} to {last})",
                report.entries
            )?,
            _ => writeln!(out, "{slug}: intact (no entries)")?,
        }
    }
    if broken.is_empty() {
        Ok(())
    } else {
        anyhow::bail!("the audit log was tampered with: {}", broken.join(", "))
    }
}
