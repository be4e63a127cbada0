//! Background jobs besides the outbox: the retention sweep.
//!
//! Every `retention.interval_secs` (and once shortly after start) each
//! organisation is swept: references and employee records past their deletion
//! policies, audit entries past the audit retention, expired links, codes and
//! sessions. A sweep is idempotent, so several app instances sweeping the same
//! database do no harm (each deletion commits once).

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Notify;
use tokio::task::JoinHandle;

use crate::state::AppState;

/// How long after start the first sweep runs.
pub const FIRST_SWEEP_AFTER: Duration = Duration::from_secs(5);

/// Stops the retention job.
#[derive(Debug, Clone)]
pub struct JobStop(Arc<Notify>);

impl JobStop {
    /// Ends the job after the tenant in hand.
    pub fn stop(&self) {
        self.0.notify_one();
    }
}

/// Sweeps every organisation once; returns how many were swept.
///
/// # Errors
/// The organisations cannot be listed. A failing organisation is logged and
/// the others are still swept.
pub async fn sweep_all(state: &AppState) -> Result<usize, zeugnis_core::ports::StoreError> {
    let service = state.retention();
    let mut swept = 0;
    for tenant in state.tenants().all().await? {
        match service.sweep(tenant.id).await {
            Ok(report) => {
                swept += 1;
                tracing::info!(
                    tenant.id = %tenant.id,
                    references = report.references_deleted.len(),
                    employees = report.employees_deleted.len(),
                    employees_kept = report.employees_kept.len(),
                    "retention sweep done"
                );
            }
            Err(error) => {
                tracing::error!(tenant.id = %tenant.id, %error, "retention sweep failed; retried next round");
            }
        }
    }
    Ok(swept)
}

/// Starts the retention job.
#[must_use]
pub fn spawn_retention(state: Arc<AppState>, every: Duration) -> (JobStop, JoinHandle<()>) {
    let stop = Arc::new(Notify::new());
    let handle = {
        let stop = Arc::clone(&stop);
        tokio::spawn(async move {
            let mut wait = FIRST_SWEEP_AFTER;
            loop {
                tokio::select! {
                    () = stop.notified() => break,
                    () = tokio::time::sleep(wait) => {}
                }
                if let Err(error) = sweep_all(&state).await {
                    tracing::error!(%error, "retention sweep could not list the organisations");
                }
                wait = every;
            }
            tracing::info!("retention job stopped");
        })
    };
    (JobStop(stop), handle)
}
