//! The workflow of a reference: statuses and the transitions allowed between them.
//!
//! ```text
//! requested ─▶ draft ◀──▶ with_supervisor
//!                │  ▲
//!                ▼  │ (returned)
//!            in_approval ─▶ approved ─▶ completed ─▶ archived
//!                              │
//!                              └──▶ draft (reopened before issue)
//! ```
//!
//! ```
//! use zeugnis_core::reference::ReferenceStatus::*;
//! assert!(Draft.transition_to(WithSupervisor).is_ok());
//! let err = Draft.transition_to(Completed).unwrap_err();
//! assert!(err.to_string().contains("cannot change from draft to completed"));
//! ```

use std::fmt;

/// The workflow status of a reference.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ReferenceStatus {
    /// Requested (e.g. by the employee via self-service), not yet started by HR.
    Requested,
    /// HR is drafting.
    Draft,
    /// Handed over to a supervisor for assessment.
    WithSupervisor,
    /// Waiting for approval.
    InApproval,
    /// Approved, ready to be issued.
    Approved,
    /// Issued to the employee.
    Completed,
    /// Archived: kept for the retention period, no longer changed.
    Archived,
}

impl ReferenceStatus {
    /// Every status in workflow order.
    pub const ALL: [ReferenceStatus; 7] = [
        ReferenceStatus::Requested,
        ReferenceStatus::Draft,
        ReferenceStatus::WithSupervisor,
        ReferenceStatus::InApproval,
        ReferenceStatus::Approved,
        ReferenceStatus::Completed,
        ReferenceStatus::Archived,
    ];

    /// Stable machine key.
    #[must_use]
    pub const fn key(self) -> &'static str {
        match self {
            ReferenceStatus::Requested => "requested",
            ReferenceStatus::Draft => "draft",
            ReferenceStatus::WithSupervisor => "with_supervisor",
            ReferenceStatus::InApproval => "in_approval",
            ReferenceStatus::Approved => "approved",
            ReferenceStatus::Completed => "completed",
            ReferenceStatus::Archived => "archived",
        }
    }

    /// The German label.
    #[must_use]
    pub const fn label_de(self) -> &'static str {
        match self {
            ReferenceStatus::Requested => "Angefordert",
            ReferenceStatus::Draft => "Entwurf",
            ReferenceStatus::WithSupervisor => "Bei der Führungskraft",
            ReferenceStatus::InApproval => "In Freigabe",
            ReferenceStatus::Approved => "Freigegeben",
            ReferenceStatus::Completed => "Ausgestellt",
            ReferenceStatus::Archived => "Archiviert",
        }
    }

    /// The statuses reachable from this one in one step.
    #[must_use]
    pub const fn next(self) -> &'static [ReferenceStatus] {
        use ReferenceStatus::*;
        match self {
            Requested => &[Draft],
            Draft => &[WithSupervisor, InApproval],
            WithSupervisor => &[Draft],
            InApproval => &[Approved, Draft],
            Approved => &[Completed, Draft],
            Completed => &[Archived],
            Archived => &[],
        }
    }

    /// Whether the content may still be edited in this status.
    #[must_use]
    pub const fn is_editable(self) -> bool {
        matches!(
            self,
            ReferenceStatus::Requested | ReferenceStatus::Draft | ReferenceStatus::WithSupervisor
        )
    }

    /// Checks a transition.
    ///
    /// # Errors
    /// [`TransitionError`] naming both statuses and the allowed next ones.
    pub fn transition_to(self, to: ReferenceStatus) -> Result<ReferenceStatus, TransitionError> {
        if self.next().contains(&to) {
            Ok(to)
        } else {
            Err(TransitionError { from: self, to })
        }
    }
}

impl fmt::Display for ReferenceStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key())
    }
}

/// A status change the workflow does not allow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("a reference cannot change from {from} to {to}; from {from} it can go to: {allowed}", allowed = AllowedList(self.from.next()))]
pub struct TransitionError {
    /// The current status.
    pub from: ReferenceStatus,
    /// The requested status.
    pub to: ReferenceStatus,
}

struct AllowedList(&'static [ReferenceStatus]);

impl fmt::Display for AllowedList {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            return f.write_str("nothing (final status)");
        }
        for (i, s) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            f.write_str(s.key())?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::ReferenceStatus::*;
    use super::*;

    #[test]
    fn the_message_names_both_statuses_and_the_way_forward() {
        let err = Requested.transition_to(Completed).unwrap_err();
        assert_eq!(
            err.to_string(),
            "a reference cannot change from requested to completed; from requested it can go to: draft"
        );
        let err = Archived.transition_to(Draft).unwrap_err();
        assert!(err.to_string().ends_with("nothing (final status)"));
    }

    #[test]
    fn the_happy_path_is_allowed() {
        let path = [
            Requested,
            Draft,
            WithSupervisor,
            Draft,
            InApproval,
            Approved,
            Completed,
            Archived,
        ];
        for pair in path.windows(2) {
            assert_eq!(pair[0].transition_to(pair[1]), Ok(pair[1]));
        }
    }

    #[test]
    fn a_status_never_transitions_to_itself() {
        for s in ReferenceStatus::ALL {
            assert!(s.transition_to(s).is_err(), "{s}");
        }
    }
}
