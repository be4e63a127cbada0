//! Reading the security audit log: who may, the list with its filters, and the
//! CSV export, which is itself audited.
//!
//! The log is read by the organisation's Administrators (users holding the
//! built-in Administrator role, also when support acts for one); everybody
//! else is refused before anything is read.

use std::net::IpAddr;

use time::format_description::well_known::Rfc3339;

use crate::audit::{AuditAction, AuditEntry, csv_row};
use crate::authz::Actor;
use crate::ports::{
    AuditLog, AuditQuery, ChangeSet, Clock, Page, PageRequest, StoreError, UnitOfWork, Write,
};

use super::audit_by;

/// Why the log could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AuditError {
    /// The actor does not hold the Administrator role.
    #[error("only Administrators may read the audit log")]
    NotAdministrator,
    /// `after` is not a position of this list.
    #[error("after is not a position of this list; pass the next value of the previous page")]
    InvalidCursor,
    /// Storage failed; the message is for the log.
    #[error("the audit log is unavailable: {0}")]
    Unavailable(String),
}

impl crate::classify::Classify for AuditError {
    fn classify(&self) -> crate::classify::Classified {
        use crate::classify::{Classified, ErrorKind};
        match self {
            Self::NotAdministrator => {
                Classified::new(ErrorKind::Forbidden, "forbidden", self.to_string())
            }
            Self::InvalidCursor => crate::classify::invalid_cursor(),
            Self::Unavailable(cause) => Classified::unavailable(cause),
        }
    }
}

impl From<StoreError> for AuditError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::InvalidCursor => AuditError::InvalidCursor,
            other => AuditError::Unavailable(other.to_string()),
        }
    }
}

/// The columns of the CSV export, in order.
pub const CSV_COLUMNS: [&str; 11] = [
    "seq",
    "time_utc",
    "actor",
    "on_behalf_of",
    "source_ip",
    "action",
    "target",
    "changed_fields",
    "before",
    "after",
    "detail",
];

/// The audit log's use cases.
#[expect(missing_debug_implementations, reason = "holds trait objects only")]
pub struct AuditService<'a> {
    /// The log.
    pub log: &'a dyn AuditLog,
    /// Commits (the export's own entry).
    pub uow: &'a dyn UnitOfWork,
    /// Time.
    pub clock: &'a dyn Clock,
}

/// Who may read the log.
///
/// # Errors
/// [`AuditError::NotAdministrator`].
pub fn ensure_may_read(actor: &Actor) -> Result<(), AuditError> {
    if actor.has_administrator_role() {
        Ok(())
    } else {
        Err(AuditError::NotAdministrator)
    }
}

impl AuditService<'_> {
    /// One page of the actor's organisation's log, newest first.
    ///
    /// # Errors
    /// [`AuditError`].
    pub async fn list(
        &self,
        actor: &Actor,
        query: &AuditQuery,
        page: PageRequest,
    ) -> Result<Page<AuditEntry>, AuditError> {
        ensure_may_read(actor)?;
        Ok(self.log.entries(actor.tenant(), query, page).await?)
    }

    /// Every entry the query selects as CSV for spreadsheets, newest first:
    /// UTF-8 with a byte order mark, cells a spreadsheet would run as formulas
    /// neutralised. The export is audited (`data_exported`, with the number of
    /// entries) in the same step.
    ///
    /// # Errors
    /// [`AuditError`].
    pub async fn export_csv(
        &self,
        actor: &Actor,
        query: &AuditQuery,
        source_ip: Option<IpAddr>,
    ) -> Result<Vec<u8>, AuditError> {
        ensure_may_read(actor)?;
        let mut out = "\u{feff}".as_bytes().to_vec();
        out.extend_from_slice(csv_row(&CSV_COLUMNS).as_bytes());
        let mut page = PageRequest::first(PageRequest::MAX_LIMIT);
        let mut rows = 0usize;
        loop {
            let batch = self.log.entries(actor.tenant(), query, page).await?;
            for e in &batch.items {
                out.extend_from_slice(csv_line(e).as_bytes());
                rows += 1;
            }
            match batch.next {
                Some(next) => page = PageRequest::new(Some(next), PageRequest::MAX_LIMIT),
                None => break,
            }
        }
        let event = audit_by(actor, self.clock.now(), AuditAction::DataExported)
            .from_ip(source_ip)
            .with_detail(&format!("audit log, {rows} entries"));
        let mut changes = ChangeSet::new(actor.tenant());
        changes.push(Write::AppendAudit(event));
        self.uow.commit(changes).await?;
        Ok(out)
    }
}

/// One entry as a CSV line (see [`CSV_COLUMNS`]).
#[must_use]
pub fn csv_line(e: &AuditEntry) -> String {
    let ev = &e.event;
    let list = |f: &dyn Fn(&crate::audit::FieldChange) -> String| {
        ev.changes.iter().map(f).collect::<Vec<_>>().join("; ")
    };
    csv_row(&[
        &e.seq.to_string(),
        &ev.at.format(&Rfc3339).unwrap_or_default(),
        &ev.actor.label(),
        &ev.on_behalf_of.map(|u| u.to_string()).unwrap_or_default(),
        &ev.source_ip.map(|ip| ip.to_string()).unwrap_or_default(),
        ev.action.key(),
        &ev.target.label(),
        &list(&|c| c.field.as_str().to_owned()),
        &list(&|c| {
            c.before
                .as_ref()
                .map(|v| v.as_str().to_owned())
                .unwrap_or_default()
        }),
        &list(&|c| {
            c.after
                .as_ref()
                .map(|v| v.as_str().to_owned())
                .unwrap_or_default()
        }),
        ev.detail.as_ref().map_or("", |d| d.as_str()),
    ])
}
