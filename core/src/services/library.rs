//! The tenant's phrase library and reference formatting, each part under its
//! area: letter texts (Brieftexte), job profiles (Berufsbilder), qualifications
//! (Qualifikationen), formatting (Zeugnisformatierung).
//!
//! Until a tenant saves its own, it uses the German defaults shipped with
//! zeugnis (version 0). A save replaces one part, names the version it read
//! (a concurrent save is refused, not overwritten) and is checked as a whole
//! library before it is stored, so a template with an unknown slot never
//! reaches the generator.

use std::net::IpAddr;

use crate::access::{AccessLevel, Area};
use crate::audit::{AuditAction, AuditTarget, FieldChange};
use crate::authz::Actor;
use crate::document::LetterFormatting;
use crate::phrases::{JobProfile, LetterTexts, PhraseLibrary, Qualification};
use crate::ports::{
    ChangeSet, Clock, LibraryStore, StoreError, TenantStore, UnitOfWork, Version, Versioned, Write,
};
use crate::tenant::TenantError;

use super::audit_by;
use super::references::ReferenceError;

/// One part of the phrase library, as saved.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum LibraryPart {
    /// Letter texts.
    LetterTexts(Box<LetterTexts>),
    /// Job profiles.
    JobProfiles(Vec<JobProfile>),
    /// Qualifications.
    Qualifications(Vec<Qualification>),
}

impl LibraryPart {
    /// The area that edits this part.
    #[must_use]
    pub const fn area(&self) -> Area {
        match self {
            LibraryPart::LetterTexts(_) => Area::LetterTexts,
            LibraryPart::JobProfiles(_) => Area::JobProfiles,
            LibraryPart::Qualifications(_) => Area::Qualifications,
        }
    }

    const fn key(&self) -> &'static str {
        match self {
            LibraryPart::LetterTexts(_) => "letter_texts",
            LibraryPart::JobProfiles(_) => "job_profiles",
            LibraryPart::Qualifications(_) => "qualifications",
        }
    }
}

/// Phrase library and formatting use cases.
#[expect(missing_debug_implementations, reason = "holds trait objects only")]
pub struct LibraryService<'a> {
    /// Tenants.
    pub tenants: &'a dyn TenantStore,
    /// The library.
    pub library: &'a dyn LibraryStore,
    /// Commits.
    pub uow: &'a dyn UnitOfWork,
    /// Time.
    pub clock: &'a dyn Clock,
}

fn stale(expected: Version, current: Version) -> Result<(), ReferenceError> {
    if expected == current {
        Ok(())
    } else {
        Err(ReferenceError::Conflict(
            "someone else saved this meanwhile; reload it and make your change again".into(),
        ))
    }
}

impl LibraryService<'_> {
    async fn tenant_check(&self, actor: &Actor, write: bool) -> Result<(), ReferenceError> {
        let tenant = self
            .tenants
            .tenant(actor.tenant())
            .await?
            .ok_or(ReferenceError::Tenant(TenantError::Deleted))?;
        if write {
            tenant.ensure_writable()?;
        } else {
            tenant.ensure_readable()?;
        }
        Ok(())
    }

    /// The phrase library. Reading needs read access to one of its areas (or
    /// to Employees, whose users pick job profiles and qualifications).
    ///
    /// # Errors
    /// [`ReferenceError::Access`].
    pub async fn phrases(&self, actor: &Actor) -> Result<Versioned<PhraseLibrary>, ReferenceError> {
        let areas = [
            Area::LetterTexts,
            Area::JobProfiles,
            Area::Qualifications,
            Area::Employees,
        ];
        if !areas
            .iter()
            .any(|a| actor.permissions().allows(*a, AccessLevel::Read))
        {
            actor.require(Area::LetterTexts, AccessLevel::Read)?;
        }
        self.tenant_check(actor, false).await?;
        Ok(self.library.phrase_library(actor.tenant()).await?)
    }

    /// Replaces one part of the phrase library (read+write on its area),
    /// refused when the library changed since `version` was read.
    ///
    /// # Errors
    /// [`ReferenceError::Invalid`] naming what is wrong;
    /// [`ReferenceError::Conflict`] for a stale version.
    pub async fn save_phrases(
        &self,
        actor: &Actor,
        part: LibraryPart,
        version: Version,
        source_ip: Option<IpAddr>,
    ) -> Result<Versioned<PhraseLibrary>, ReferenceError> {
        actor.require(part.area(), AccessLevel::ReadWrite)?;
        self.tenant_check(actor, true).await?;
        let current = self.library.phrase_library(actor.tenant()).await?;
        stale(version, current.version)?;
        let key = part.key();
        let mut library = current.value;
        match part {
            LibraryPart::LetterTexts(t) => library.letter_texts = *t,
            LibraryPart::JobProfiles(p) => library.job_profiles = p,
            LibraryPart::Qualifications(q) => library.qualifications = q,
        }
        library
            .validate()
            .map_err(|e| ReferenceError::invalid(Some(key), e.to_string()))?;
        let mut event = audit_by(actor, self.clock.now(), AuditAction::LibraryChanged)
            .from_ip(source_ip)
            .with_changes(vec![FieldChange::new(key, None, None)]);
        event.target = AuditTarget::Settings;
        let saved_before = current.version != Version(0);
        let mut cs = ChangeSet::new(actor.tenant());
        cs.push(Write::SavePhraseLibrary(
            Box::new(library),
            saved_before.then_some(current.version),
        ))
        .push(Write::AppendAudit(event));
        self.commit(cs).await?;
        Ok(self.library.phrase_library(actor.tenant()).await?)
    }

    /// The reference formatting (read access to Reference formatting or to
    /// Employees, whose users download references).
    ///
    /// # Errors
    /// [`ReferenceError::Access`].
    pub async fn formatting(
        &self,
        actor: &Actor,
    ) -> Result<Versioned<LetterFormatting>, ReferenceError> {
        if !actor
            .permissions()
            .allows(Area::Employees, AccessLevel::Read)
        {
            actor.require(Area::ReferenceFormatting, AccessLevel::Read)?;
        }
        self.tenant_check(actor, false).await?;
        Ok(self.library.letter_formatting(actor.tenant()).await?)
    }

    /// Saves the reference formatting (read+write on Reference formatting).
    ///
    /// # Errors
    /// [`ReferenceError::Invalid`] for margins, sizes, lines or a logo the
    /// rules refuse; [`ReferenceError::Conflict`] for a stale version.
    pub async fn save_formatting(
        &self,
        actor: &Actor,
        formatting: LetterFormatting,
        version: Version,
        source_ip: Option<IpAddr>,
    ) -> Result<Versioned<LetterFormatting>, ReferenceError> {
        actor.require(Area::ReferenceFormatting, AccessLevel::ReadWrite)?;
        self.tenant_check(actor, true).await?;
        formatting
            .validate()
            .map_err(|e| ReferenceError::invalid(Some("formatting"), e.to_string()))?;
        let current = self.library.letter_formatting(actor.tenant()).await?;
        stale(version, current.version)?;
        let mut event = audit_by(actor, self.clock.now(), AuditAction::LibraryChanged)
            .from_ip(source_ip)
            .with_changes(vec![FieldChange::new("formatting", None, None)]);
        event.target = AuditTarget::Settings;
        let saved_before = current.version != Version(0);
        let mut cs = ChangeSet::new(actor.tenant());
        cs.push(Write::SaveLetterFormatting(
            Box::new(formatting),
            saved_before.then_some(current.version),
        ))
        .push(Write::AppendAudit(event));
        self.commit(cs).await?;
        Ok(self.library.letter_formatting(actor.tenant()).await?)
    }

    async fn commit(&self, cs: ChangeSet) -> Result<(), ReferenceError> {
        match self.uow.commit(cs).await {
            Err(StoreError::Conflict { .. }) => stale(Version(0), Version(1)),
            other => Ok(other?),
        }
    }
}
